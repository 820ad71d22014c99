#!/usr/bin/env bash
# Installs the interposer CSI driver: namespace, CSIDriver, RBAC, controller, node plugin and the
# interposer-standard StorageClass, with the image and kubelet root of your cluster.
#
#   IMAGE=registry.example.com/interposer:0.1.0 deploy/install.sh
#   KUBELET_DIR=/var/snap/microk8s/common/var/lib/kubelet deploy/install.sh      # microk8s
#   KUBELET_DIR=/var/lib/k0s/kubelet deploy/install.sh                           # k0s
#   deploy/install.sh --print > rendered.yaml        # render only, apply nothing
set -euo pipefail
cd "$(dirname "$0")"
IMAGE=${IMAGE:-interposer:0.1.0}
KUBELET_DIR=${KUBELET_DIR:-/var/lib/kubelet}
KUBELET_DIR=${KUBELET_DIR%/}
case "$KUBELET_DIR" in
  /*) ;;
  *) echo "install: KUBELET_DIR must be an absolute path, got '$KUBELET_DIR'" >&2; exit 2 ;;
esac

render() {
  local first=1
  for f in namespace.yaml csi-driver.yaml rbac.yaml controller.yaml node-daemonset.yaml storageclass.yaml; do
    [ "$first" = 1 ] || echo '---'
    first=0
    # The kubelet root appears in host paths, mount paths and the registration path; the image
    # both as the containers' image and as INTERPOSER_IMAGE (what the sidecar pods run).
    sed -e "s#/var/lib/kubelet#${KUBELET_DIR}#g" -e "s#interposer:0\.1\.0#${IMAGE}#g" "$f"
  done
}

if [ "${1:-}" = --print ]; then
  render
  exit 0
fi
command -v kubectl >/dev/null || { echo "install: kubectl is not installed" >&2; exit 1; }
render | kubectl apply -f -
kubectl -n interposer-system rollout status daemonset/interposer-csi-node --timeout=180s
kubectl -n interposer-system rollout status deployment/interposer-csi-controller --timeout=180s
