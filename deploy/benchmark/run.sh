#!/usr/bin/env bash
# The CSI benchmark, step by step: distributed MinIO (4 replicas, each on its own interposer
# volume from the interposer-standard StorageClass) under distributed Warp (4 `warp client` pods
# and one `warp mixed` driver), then every replica's trace fetched from its node and analyzed
# together. Needs a cluster (kind works), kubectl, docker, and a backing StorageClass
# (BACKING_CLASS, default "standard": kind's local-path class).
#
#   KIND_CLUSTER=kind deploy/benchmark/run.sh
#   IMAGE=registry.example.com/interposer:0.1.0 BACKING_CLASS=gp3 deploy/benchmark/run.sh
#
# Every wait has a deadline and, when it expires, prints why (pod events, PVC events) and exits 1.
# PREFLIGHT_ONLY=1 stops after checking the cluster (nothing is built or applied).
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${IMAGE:-interposer:0.1.0}
KIND_CLUSTER=${KIND_CLUSTER:-}
BACKING_CLASS=${BACKING_CLASS:-standard}
SC=${SC:-interposer-standard}
OUT=${OUT:-bench-results/csi-$(date +%Y%m%d-%H%M%S)}
NS=interposer-bench
SYS=interposer-system
CLI="node dist/bin/interposer.js"
step() { printf '\n== %s\n' "$*"; }
fail() { echo "run.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || fail "$1 is not installed (needed for: $2)"; }

# wait_or_explain <timeout> <what> <kubectl wait args...>: on timeout, show why and stop.
wait_or_explain() {
  local timeout=$1 what=$2
  shift 2
  if ! kubectl wait "$@" --timeout="$timeout"; then
    echo "run.sh: $what not ready after $timeout; what the cluster says:" >&2
    kubectl -n "$NS" get pods,pvc -o wide >&2 || true
    kubectl -n "$NS" get events --sort-by=.lastTimestamp 2>/dev/null | tail -n 20 >&2 || true
    kubectl -n "$SYS" get pods,pvc -o wide >&2 || true
    exit 1
  fi
}

step "0. Preflight: the cluster answers and the backing StorageClass exists"
[ -f dist/bin/interposer.js ] || npm run build:ts >/dev/null
$CLI csi check --backing-class "$BACKING_CLASS" || fail "fix the cluster first (see above)"
if [ "${PREFLIGHT_ONLY:-0}" = 1 ]; then echo "run.sh: preflight passed (PREFLIGHT_ONLY=1: stopping here)"; exit 0; fi
need docker "building the interposer image"
need kubectl "talking to the cluster"

step "1. Build the interposer image ($IMAGE)"
docker build -f deploy/Dockerfile -t "$IMAGE" .
if [ -n "$KIND_CLUSTER" ]; then
  need kind "loading the image into kind"
  kind load docker-image "$IMAGE" --name "$KIND_CLUSTER"
else
  docker push "$IMAGE"
fi

step "2. Install the CSI driver (controller, node plugin, StorageClass $SC over $BACKING_CLASS)"
IMAGE="$IMAGE" deploy/install.sh --print | sed "s#backingStorageClass: standard#backingStorageClass: $BACKING_CLASS#" | kubectl apply -f -
kubectl -n "$SYS" rollout status daemonset/interposer-csi-node --timeout=180s || fail "node plugin did not roll out"
kubectl -n "$SYS" rollout status deployment/interposer-csi-controller --timeout=180s || fail "controller did not roll out"
$CLI csi check --installed --storage-class "$SC" || fail "the driver is installed but not usable (see above)"

step "3. Start distributed MinIO: 4 replicas, one interposer volume each"
kubectl apply -f deploy/benchmark/namespace.yaml
kubectl apply -f deploy/benchmark/minio.yaml
wait_or_explain 300s "MinIO's volumes" -n "$NS" --for=jsonpath='{.status.phase}'=Bound pvc --all
wait_or_explain 300s "MinIO" -n "$NS" --for=condition=Ready pod -l app.kubernetes.io/name=minio
kubectl -n "$NS" get pods -l app.kubernetes.io/name=minio -o wide
kubectl -n "$SYS" get pods -l app.kubernetes.io/managed-by=interposer-csi -o wide

step "4. Run Warp distributed (4 clients, one mixed driver)"
kubectl -n "$NS" delete job warp --ignore-not-found
kubectl apply -f deploy/benchmark/warp.yaml
wait_or_explain 180s "Warp clients" -n "$NS" --for=condition=Ready pod -l app.kubernetes.io/name=warp-client
wait_or_explain 900s "the Warp run" -n "$NS" --for=condition=Complete job/warp
mkdir -p "$OUT"
kubectl -n "$NS" logs job/warp > "$OUT/warp.txt"
tail -n 30 "$OUT/warp.txt"

step "5. Stop MinIO: kubelet unpublishes each volume, each sidecar unmounts and closes its trace"
NODES=$(kubectl -n "$NS" get pods -l app.kubernetes.io/name=minio -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort -u)
kubectl -n "$NS" scale statefulset/minio --replicas=0
wait_or_explain 180s "MinIO shutdown" -n "$NS" --for=delete pod -l app.kubernetes.io/name=minio
wait_or_explain 120s "sidecar shutdown" -n "$SYS" --for=delete pod -l app.kubernetes.io/managed-by=interposer-csi

step "6. Fetch every replica's traces (hive layout) through the CSI node pod on each node"
mkdir -p "$OUT/traces"
for node in $NODES; do
  pod=$(kubectl -n "$SYS" get pods -l app.kubernetes.io/name=interposer-csi-node \
    --field-selector "spec.nodeName=$node" -o jsonpath='{.items[0].metadata.name}')
  kubectl -n "$SYS" exec "$pod" -c interposer -- tar -C /var/lib/interposer/traces -cf - "node=$node/namespace=$NS" |
    tar -C "$OUT/traces" -xf -
done
find "$OUT/traces" -name '*.parquet' | sort

step "7. Analyze all replicas together"
for trace in $(find "$OUT/traces" -name '*.parquet' | sort); do
  echo "--- $trace"
  $CLI analyze "$trace" | head -n 40
done | tee "$OUT/analysis.txt"
# Engines that read hive partitions take the whole run as one table, e.g. DuckDB:
#   SELECT pod, op, count(*) FROM read_parquet('$OUT/traces/**/*.parquet', hive_partitioning=1) GROUP BY ALL
$CLI analyze "$OUT/traces" > "$OUT/analysis-all.txt" 2>&1 || echo "(analyze of the whole directory needs a version that reads hive directories)"
echo
echo "Results in $OUT."

if [ "${CLEANUP:-1}" = 1 ]; then
  step "8. Clean up the benchmark (the driver stays installed; PVCs are deleted with their data)"
  kubectl delete -f deploy/benchmark/warp.yaml --ignore-not-found
  kubectl delete -f deploy/benchmark/minio.yaml --ignore-not-found
  kubectl -n "$NS" delete pvc --all --ignore-not-found
fi
