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
  /** Kubernetes mode: the backing PVC, in the pod's namespace (or backingClaimNamespace). */
  pvcName: 'persistentVolumeClaimName',
  /** Set by the Controller for StorageClass volumes: the backing PVC's namespace. */
  backingClaimNamespace: 'backingClaimNamespace',
  /** Local mode: the backing directory on the host (default: <base dir>/<volume id>). */
  backingDir: 'backingDir',
  /** "false" turns tracing off for this volume (default: on). */
  trace: 'trace',
  /** Overrides the volume part of the trace file name (<traceName>-<start time>.parquet). */
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

/**
 * The topology key this driver reports in NodeGetInfo (node-driver-registrar labels each Node
 * with it) and in CreateVolume's accessible_topology: a volume lives on one node when its backing
 * volume does, so the scheduler puts its pod there.
 */
export const TOPOLOGY_NODE_KEY = 'topology.interposer.csi.example.com/node';

/** StorageClass parameters the Controller understands (plus external-provisioner's csi.storage.k8s.io/*). */
export const STORAGE_CLASS_PARAMETERS = {
  /** The StorageClass of the backing PVC (default: the cluster's default class). */
  backingStorageClass: 'backingStorageClass',
  overlay: 'overlay',
  trace: 'trace',
} as const;

/** Annotations and labels on the backing PVCs the Controller creates. */
export const BACKING_PVC = {
  /** The CSI volume name it was created for (idempotency; names are shortened to fit). */
  volumeNameAnnotation: 'interposer.csi.example.com/volume-name',
  /** The capacity CreateVolume asked for, in bytes (a repeated call must ask for the same). */
  requestedBytesAnnotation: 'interposer.csi.example.com/requested-bytes',
  /** Set by the scheduler for WaitForFirstConsumer claims; we set it from the topology request. */
  selectedNodeAnnotation: 'volume.kubernetes.io/selected-node',
  /** The claim the volume serves, from external-provisioner's --extra-create-metadata. */
  claimAnnotation: 'interposer.csi.example.com/claim',
} as const;
