/** Names shared by the driver, its manifests (deploy/) and its tests. */

/** The CSI driver name: must match the CSIDriver object and the pods' `csi.driver`. */
export const DRIVER_NAME = 'interposer.csi.example.com';

/** Keys kubelet adds to volume_context when the CSIDriver has podInfoOnMount: true. */
export const POD_INFO_KEYS = {
  ephemeral: 'csi.storage.k8s.io/ephemeral',
  podName: 'csi.storage.k8s.io/pod.name',
  podNamespace: 'csi.storage.k8s.io/pod.namespace',
  podUid: 'csi.storage.k8s.io/pod.uid',
  serviceAccountName: 'csi.storage.k8s.io/serviceAccount.name',
} as const;

/** Our own volumeAttributes, set by users in the pod's inline `csi:` volume. */
export const VOLUME_ATTRIBUTES = {
  /** Kubernetes mode: the backing PVC, in the pod's namespace. */
  pvcName: 'persistentVolumeClaimName',
  /** Local mode: the backing directory on the host (default: <base dir>/<volume id>). */
  backingDir: 'backingDir',
  /** "false" turns tracing off for this volume (default: on). */
  trace: 'trace',
  /** Overrides the trace file's base name (default: <namespace>-<pod>-<volume>). */
  traceName: 'traceName',
  /** Overlay configuration (JSON text, as accepted by `interposer mount --overlay`). */
  overlay: 'overlay',
  /**
   * Seconds the kernel may cache names and attributes (`interposer mount --cache-timeout`).
   * Default: the mount's own default when the driver made the backing directory (only the mount
   * changes it), 0 for a given backingDir or a PVC, which others may change underneath.
   */
  cacheTimeout: 'cacheTimeout',
} as const;

/** Labels and annotations the driver puts on the sidecar pods it owns. */
export const SIDECAR_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  managedByValue: 'interposer-csi',
  volumeHash: 'interposer.csi.example.com/volume-hash',
} as const;

export const SIDECAR_ANNOTATIONS = {
  volumeId: 'interposer.csi.example.com/volume-id',
  targetPod: 'interposer.csi.example.com/target-pod',
} as const;
