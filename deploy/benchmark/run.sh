#!/usr/bin/env bash
# The CSI benchmark, step by step: MinIO on an interposer volume, driven by Warp, then the trace
# fetched from the node and analyzed. Needs a cluster (kind works), kubectl, docker, and a
# default StorageClass for the backing PVC.
#
#   IMAGE=interposer:0.1.0 KIND_CLUSTER=kind deploy/benchmark/run.sh
#
# Set IMAGE to a pushed image (e.g. registry.example.com/interposer:0.1.0) on a real cluster;
# with KIND_CLUSTER set, the image is built and loaded into that kind cluster instead.
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${IMAGE:-interposer:0.1.0}
KIND_CLUSTER=${KIND_CLUSTER:-}
OUT=${OUT:-bench-results/csi-$(date +%Y%m%d-%H%M%S)}
NS=interposer-bench
SYS=interposer-system
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

step "1. Build the interposer image ($IMAGE)"
docker build -f deploy/Dockerfile -t "$IMAGE" .
if [ -n "$KIND_CLUSTER" ]; then
  kind load docker-image "$IMAGE" --name "$KIND_CLUSTER"
else
  docker push "$IMAGE"
fi

step "2. Install the CSI driver (CSIDriver, RBAC, node DaemonSet)"
kubectl apply -f deploy/namespace.yaml
kubectl apply -f deploy/csi-driver.yaml -f deploy/rbac.yaml -f deploy/node-daemonset.yaml
kubectl -n "$SYS" set image daemonset/interposer-csi-node interposer="$IMAGE"
kubectl -n "$SYS" set env daemonset/interposer-csi-node -c interposer INTERPOSER_IMAGE="$IMAGE"
kubectl -n "$SYS" rollout status daemonset/interposer-csi-node --timeout=180s

step "3. Start MinIO with /data on an interposer volume over the backing PVC"
kubectl apply -f deploy/benchmark/namespace.yaml
kubectl apply -f deploy/benchmark/minio.yaml
kubectl -n "$NS" wait --for=condition=Ready pod/minio --timeout=300s
NODE=$(kubectl -n "$NS" get pod minio -o jsonpath='{.spec.nodeName}')
echo "MinIO runs on node $NODE; its sidecar:"
kubectl -n "$NS" get pods -l app.kubernetes.io/managed-by=interposer-csi -o wide

step "4. Run Warp (mixed workload) against MinIO"
kubectl -n "$NS" delete job warp --ignore-not-found
kubectl apply -f deploy/benchmark/warp-job.yaml
kubectl -n "$NS" wait --for=condition=Complete job/warp --timeout=900s
kubectl -n "$NS" logs job/warp > "$OUT/warp.txt"
tail -n 30 "$OUT/warp.txt"

step "5. Stop MinIO: kubelet unpublishes the volume, the sidecar unmounts and closes the trace"
kubectl -n "$NS" delete pod minio --wait=true --timeout=180s
kubectl -n "$NS" wait --for=delete pod -l app.kubernetes.io/managed-by=interposer-csi --timeout=120s || true

step "6. Fetch the trace from the node (through the CSI node pod on $NODE)"
CSI_POD=$(kubectl -n "$SYS" get pods -l app.kubernetes.io/name=interposer-csi-node \
  --field-selector "spec.nodeName=$NODE" -o jsonpath='{.items[0].metadata.name}')
TRACE=$(kubectl -n "$SYS" exec "$CSI_POD" -c interposer -- \
  sh -c "ls -t /var/lib/interposer/traces/$NS-minio-*.parquet | head -n 1")
kubectl -n "$SYS" cp -c interposer "$CSI_POD:$TRACE" "$OUT/minio.parquet"
ls -l "$OUT/minio.parquet"

step "7. Analyze"
npm run build:ts >/dev/null
node dist/cli/interposer.js analyze "$OUT/minio.parquet" | tee "$OUT/analysis.txt"
node dist/cli/interposer.js analyze --json "$OUT/minio.parquet" > "$OUT/analysis.json" || true
echo
echo "Results in $OUT. Explore interactively with: node dist/cli/interposer-tui.js $OUT/minio.parquet"

if [ "${CLEANUP:-1}" = 1 ]; then
  step "8. Clean up the benchmark (the driver stays installed)"
  kubectl delete -f deploy/benchmark/warp-job.yaml --ignore-not-found
  kubectl delete -f deploy/benchmark/minio.yaml --ignore-not-found
fi
