/** The boundary between the gRPC Controller service and the code that creates backing volumes. */

/** A validated CreateVolume request, in the driver's own terms. */
export interface ProvisionRequest {
  /** The CO's name for the volume (the idempotency key). */
  name: string;
  capacityBytes: number;
  /** Kubernetes access modes the backing volume must offer (ReadWriteOnce...). */
  accessModes: string[];
  /** The backing StorageClass; undefined means the cluster default. */
  backingStorageClass: string | undefined;
  /** Our volume attributes to hand to NodePublishVolume (overlay, trace). */
  attributes: Record<string, string>;
  /** The node the volume must be usable on (WaitForFirstConsumer: where the pod was scheduled). */
  node: string | undefined;
  /** The claim the volume is for, when external-provisioner tells us (namespace/name). */
  claim: string | undefined;
}

export interface ProvisionedVolume {
  volumeId: string;
  capacityBytes: number;
  volumeContext: Record<string, string>;
  /** The node the backing volume is bound to, when it is node-local. */
  node: string | undefined;
  /** What it was created with, to check that a repeated CreateVolume asks for the same. */
  name: string;
  requestedBytes: number;
  backingStorageClass: string | undefined;
}

export interface VolumeProvisioner {
  /** Creates the backing volume, or returns the one an earlier call created (idempotent). */
  create(request: ProvisionRequest): Promise<ProvisionedVolume>;
  /** Deletes it; a volume that does not exist is already deleted. */
  delete(volumeId: string): Promise<void>;
  /** The volume, or undefined when it does not exist. */
  get(volumeId: string): Promise<ProvisionedVolume | undefined>;
}
