/** The CSI driver: gRPC Identity/Node services over a pluggable Mounter (local or Kubernetes). */
export { DRIVER_NAME, POD_INFO_KEYS, VOLUME_ATTRIBUTES } from './constants.js';
export { CsiError } from './errors.js';
export { IdentityServer } from './identity.js';
export { NodeServer } from './node.js';
export { StateStore } from './state-store.js';
export { LocalMounter, type LocalHandle, type LocalMounterOptions } from './local-mounter.js';
export { KubeMounter, type KubeHandle, type KubeMounterOptions } from './kube-mounter.js';
export { buildSidecarPod, sidecarPodName, type TraceTarget } from './sidecar-pod.js';
export { startCsiServer, socketPathOf, type RunningServer } from './server.js';
export { loadCsiServices, csiProtoPath, PROTO_LOADER_OPTIONS } from './proto.js';
export type { Mounter, PublishRequest, PodInfo, VolumeRecord } from './types.js';
