/**
 * The sidecar pod of Kubernetes mode. CSI plugins cannot mount another driver's volumes, so the
 * backing PVC is mounted by an ordinary pod on the target pod's node; that pod runs the
 * interposer over it and mounts FUSE at a host staging path (Bidirectional propagation makes the
 * mount visible on the host), which the driver then bind-mounts onto kubelet's target_path.
 */
import type { V1Pod, V1ResourceRequirements, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { SIDECAR_ANNOTATIONS, SIDECAR_LABELS } from './constants.js';
import { shortVolumeId } from './volume-request.js';

/** Where traces are written from inside the sidecar. */
export type TraceTarget =
  { kind: 'hostPath'; path: string } | { kind: 'pvc'; claimName: string } | { kind: 'none' };

export interface SidecarPodSpec {
  volumeId: string;
  /** The backing PVC's namespace, where the sidecar must live (a pod mounts PVCs of its own namespace). */
  namespace: string;
  /** The pod the volume is published for (absent when kubelet sent no pod info). */
  targetPod?: { name: string; namespace: string; uid: string };
  nodeName: string;
  image: string;
  imagePullPolicy: string;
  pvcName: string;
  readonly: boolean;
  /** Host directory shared with the driver, mounted at the same path inside the sidecar. */
  stagingRoot: string;
  /** Where FUSE is mounted: a directory under stagingRoot. */
  mountPath: string;
  trace: TraceTarget;
  /** The trace's directory relative to the trace volume's root (node=/namespace=/pod=). */
  traceDir: string;
  /** File name of the trace in traceDir. */
  traceFileName: string;
  /** Overlay config file under stagingRoot, if any. */
  overlayPath: string | null;
  /** `--cache-timeout` arguments for the mount (see cache-timeout.ts). */
  cacheArgs?: string[];
  serviceAccountName?: string;
  resources?: V1ResourceRequirements;
}

export const SIDECAR_CONTAINER = 'interposer';
const BACKING_MOUNT = '/backing';
const TRACE_MOUNT = '/traces';
const MAX_NAME = 63;

/** `<pod>-interposer-<short volume id>`, cut to a valid label length. */
export function sidecarPodName(podName: string, volumeId: string): string {
  const suffix = `-interposer-${shortVolumeId(volumeId).slice(0, 8)}`;
  const head = podName
    .toLowerCase()
    .slice(0, MAX_NAME - suffix.length)
    .replace(/[-.]+$/, '');
  return `${head}${suffix}`;
}

export function buildSidecarPod(spec: SidecarPodSpec): V1Pod {
  const volumes: V1Volume[] = [
    { name: 'backing', persistentVolumeClaim: { claimName: spec.pvcName, readOnly: spec.readonly } },
    { name: 'staging', hostPath: { path: spec.stagingRoot, type: 'DirectoryOrCreate' } },
    { name: 'dev-fuse', hostPath: { path: '/dev/fuse', type: 'CharDevice' } },
  ];
  const mounts: V1VolumeMount[] = [
    { name: 'backing', mountPath: BACKING_MOUNT },
    // Bidirectional: the FUSE mount made in here must propagate to the host for the bind mount.
    { name: 'staging', mountPath: spec.stagingRoot, mountPropagation: 'Bidirectional' },
    { name: 'dev-fuse', mountPath: '/dev/fuse' },
  ];
  const args = ['mount', BACKING_MOUNT, spec.mountPath];
  if (spec.trace.kind !== 'none') {
    volumes.push(
      spec.trace.kind === 'hostPath'
        ? { name: 'traces', hostPath: { path: spec.trace.path, type: 'DirectoryOrCreate' } }
        : { name: 'traces', persistentVolumeClaim: { claimName: spec.trace.claimName } },
    );
    // subPath: kubelet creates the pod's partition directory if the driver could not.
    mounts.push({ name: 'traces', mountPath: TRACE_MOUNT, subPath: spec.traceDir });
    args.push('--trace', `${TRACE_MOUNT}/${spec.traceFileName}`);
  } else {
    // Without either flag `interposer mount` records to ./interposer-trace.parquet.
    args.push('--no-trace');
  }
  if (spec.overlayPath) args.push('--overlay', spec.overlayPath);
  if (spec.readonly) args.push('-o', 'ro');
  args.push(...(spec.cacheArgs ?? []));
  const target = spec.targetPod;

  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: sidecarPodName(target?.name ?? 'volume', spec.volumeId),
      namespace: spec.namespace,
      labels: {
        [SIDECAR_LABELS.managedBy]: SIDECAR_LABELS.managedByValue,
        [SIDECAR_LABELS.volumeHash]: shortVolumeId(spec.volumeId),
      },
      annotations: {
        [SIDECAR_ANNOTATIONS.volumeId]: spec.volumeId,
        ...(target ? { [SIDECAR_ANNOTATIONS.targetPod]: `${target.namespace}/${target.name}` } : {}),
      },
      // A safety net, not the teardown path: if the driver never gets NodeUnpublishVolume, the
      // garbage collector removes the sidecar once the target pod object is gone. Owners must be
      // in the same namespace, so StorageClass volumes (sidecar in the driver's namespace) have none.
      ...(target?.uid && target.namespace === spec.namespace
        ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: target.name, uid: target.uid }] }
        : {}),
    },
    spec: {
      // Through the scheduler (not `nodeName`), so a backing PVC of a WaitForFirstConsumer class
      // gets bound on this node; required affinity on the node's name keeps it here.
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchFields: [{ key: 'metadata.name', operator: 'In', values: [spec.nodeName] }] },
            ],
          },
        },
      },
      restartPolicy: 'Never',
      // Time for the interposer to unmount and flush the trace footer on SIGTERM.
      terminationGracePeriodSeconds: 30,
      tolerations: [{ operator: 'Exists' }],
      ...(spec.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
      containers: [
        {
          name: SIDECAR_CONTAINER,
          image: spec.image,
          imagePullPolicy: spec.imagePullPolicy,
          args,
          securityContext: { privileged: true },
          ...(spec.resources ? { resources: spec.resources } : {}),
          volumeMounts: mounts,
        },
      ],
      volumes,
    },
  };
}
