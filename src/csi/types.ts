/** The boundary between the gRPC Node service and the code that actually mounts volumes. */

/** The pod a volume is published for (from kubelet's podInfoOnMount keys; absent outside k8s). */
export interface PodInfo {
  name: string;
  namespace: string;
  uid: string;
  serviceAccountName: string;
}

/** A validated NodePublishVolume request, in the driver's own terms. */
export interface PublishRequest {
  volumeId: string;
  targetPath: string;
  readonly: boolean;
  /** The whole volume_context as kubelet sent it (pod info keys and our attributes). */
  volumeContext: Readonly<Record<string, string>>;
  pod: PodInfo | undefined;
  ephemeral: boolean;
  /** Fingerprint of everything that must match for a repeated publish to be a no-op. */
  fingerprint: string;
}

/**
 * Mounts and unmounts volumes. `H` is the mounter's own JSON-serializable record of a published
 * volume (a pid, a sidecar pod name...), stored in the state dir so that a restarted driver can
 * still unpublish what an earlier instance published.
 */
export interface Mounter<H extends object = object> {
  readonly mode: string;
  /** Makes target_path show the interposed volume. Cleans up after itself if it fails. */
  publish(request: PublishRequest): Promise<H>;
  /** Undoes publish: nothing mounted at target_path, helper processes/pods gone. Idempotent. */
  unpublish(targetPath: string, handle: H, options?: UnpublishOptions): Promise<void>;
  /** Whether target_path still serves the volume (a dead FUSE daemon means it does not). */
  isHealthy(targetPath: string, handle: H): Promise<boolean>;
}

/** What the state store keeps per published volume. */
export interface VolumeRecord<H extends object = object> {
  volumeId: string;
  targetPath: string;
  fingerprint: string;
  mode: string;
  publishedAt: string;
  handle: H;
}

export interface UnpublishOptions {
  /**
   * false when the volume is about to be published again (its helper crashed) or the publish
   * failed: keep what a retry needs (an ephemeral volume's data, logs). Default true.
   */
  final?: boolean;
}
