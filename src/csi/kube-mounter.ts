/**
 * Kubernetes mode ("volume stacking"): for each publish, a privileged sidecar pod on this node
 * mounts the backing PVC and serves the interposer's FUSE mount at a host staging path; the
 * driver waits for it and bind-mounts the staging path onto kubelet's target_path.
 */
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  type V1Pod,
  type V1ResourceRequirements,
} from '@kubernetes/client-node';
import { SIDECAR_ANNOTATIONS, VOLUME_ATTRIBUTES } from './constants.js';
import {
  CsiError,
  deadlineExceeded,
  failedPrecondition,
  internal,
  invalidArgument,
  notFound,
  unavailable,
} from './errors.js';
import {
  bindMount,
  findMount,
  isFuseMount,
  unmountAll,
  waitForMount,
  type MountEntry,
} from './host-mounts.js';
import { buildSidecarPod, sidecarPodName, type TraceTarget } from './sidecar-pod.js';
import type { Mounter, PublishRequest } from './types.js';
import { ensureTraceDir, traceLocation } from './trace-layout.js';
import { shortVolumeId } from './volume-request.js';
import { cacheTimeoutArgs } from './cache-timeout.js';

export interface KubeMounterOptions {
  kubeConfig: KubeConfig;
  nodeName: string;
  image: string;
  imagePullPolicy?: string;
  /** Host directory (also mounted in the driver at the same path) for the sidecars' FUSE mounts. */
  stagingRoot: string;
  trace: TraceTarget;
  sidecarServiceAccount?: string;
  /** Requests/limits of sidecar pods (namespaces with a ResourceQuota refuse pods without). */
  sidecarResources?: V1ResourceRequirements;
  podRunningTimeoutMs: number;
  mountTimeoutMs: number;
  podDeleteTimeoutMs: number;
  pollMs?: number;
  /** Which mounts count as the sidecar's (default: FUSE). */
  acceptMount?: (entry: MountEntry) => boolean;
}

export interface KubeHandle {
  kind: 'kubernetes';
  podName: string;
  namespace: string;
  stagingDir: string;
  mountPath: string;
  /** The trace, relative to the trace root (node=/namespace=/pod=/<volume>-<start>.parquet). */
  traceFile: string | null;
}

const apiCode = (err: unknown): number | undefined => (err instanceof ApiException ? err.code : undefined);

/** An API failure as a gRPC error: a missing object is NOT_FOUND, the rest is retryable. */
function apiError(what: string, err: unknown): CsiError {
  if (err instanceof CsiError) return err;
  const code = apiCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === 404) return notFound(`${what}: not found`);
  if (code === 403) return failedPrecondition(`${what}: forbidden (check the driver's RBAC): ${message}`);
  return unavailable(`${what}: ${message}`);
}

/** Why a pod will never run, from its phase and container states. */
function terminalReason(pod: V1Pod): string | undefined {
  const phase = pod.status?.phase;
  if (phase !== 'Failed' && phase !== 'Succeeded') return undefined;
  const states = (pod.status?.containerStatuses ?? []).map((s) => s.state?.terminated);
  const detail = states
    .filter((t) => t !== undefined)
    .map((t) => `exit ${t?.exitCode}${t?.reason ? ` ${t.reason}` : ''}${t?.message ? `: ${t.message}` : ''}`)
    .join('; ');
  return `sidecar pod ${pod.metadata?.name} ended (${phase}${detail ? `, ${detail}` : ''})`;
}

export class KubeMounter implements Mounter<KubeHandle> {
  readonly mode = 'kubernetes';
  private readonly core: CoreV1Api;

  constructor(private readonly options: KubeMounterOptions) {
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
  }

  private get pollMs(): number {
    return this.options.pollMs ?? 500;
  }

  async publish(request: PublishRequest): Promise<KubeHandle> {
    const pvcName = request.volumeContext[VOLUME_ATTRIBUTES.pvcName];
    if (!pvcName) throw invalidArgument(`volume attribute ${VOLUME_ATTRIBUTES.pvcName} is required`);
    // StorageClass volumes name their backing PVC's namespace (the controller's); inline volumes
    // use a PVC of the pod's own namespace, so they need the pod info.
    const backingNamespace = request.volumeContext[VOLUME_ATTRIBUTES.backingClaimNamespace];
    if (!backingNamespace && !request.pod) {
      throw invalidArgument(
        'pod name/namespace missing from volume_context (is podInfoOnMount set on the CSIDriver?)',
      );
    }
    const namespace = backingNamespace ?? request.pod!.namespace;
    try {
      await this.core.readNamespacedPersistentVolumeClaim({ name: pvcName, namespace });
    } catch (err) {
      throw apiError(`backing PVC ${namespace}/${pvcName}`, err);
    }

    const stagingDir = join(this.options.stagingRoot, shortVolumeId(request.volumeId));
    const mountPath = join(stagingDir, 'mnt');
    const tracing =
      request.volumeContext[VOLUME_ATTRIBUTES.trace] !== 'false' && this.options.trace.kind !== 'none';
    const location = traceLocation(this.options.nodeName, request, new Date(), namespace);
    const handle: KubeHandle = {
      kind: 'kubernetes',
      podName: sidecarPodName(request.pod?.name ?? 'volume', request.volumeId),
      namespace,
      stagingDir,
      mountPath,
      traceFile: tracing ? `${location.relativeDir}/${location.fileName}` : null,
    };

    try {
      await mkdir(mountPath, { recursive: true });
      await mkdir(request.targetPath, { recursive: true });
      const overlay = request.volumeContext[VOLUME_ATTRIBUTES.overlay];
      const overlayPath = overlay ? join(stagingDir, 'overlay.json') : null;
      if (overlayPath && overlay) await writeFile(overlayPath, overlay);

      const trace = this.options.trace;
      // On a host path, the driver sees the trace root at the same path: make the pod's
      // directory root-only before the sidecar writes there (kubelet would create it 0755).
      if (tracing && trace.kind === 'hostPath') await ensureTraceDir(trace.path, location.relativeDir);
      const pod = buildSidecarPod({
        volumeId: request.volumeId,
        namespace,
        ...(request.pod ? { targetPod: request.pod } : {}),
        nodeName: this.options.nodeName,
        image: this.options.image,
        imagePullPolicy: this.options.imagePullPolicy ?? 'IfNotPresent',
        pvcName,
        readonly: request.readonly,
        stagingRoot: this.options.stagingRoot,
        mountPath,
        trace: tracing ? trace : { kind: 'none' },
        traceDir: location.relativeDir,
        traceFileName: location.fileName,
        overlayPath,
        ...(this.options.sidecarResources ? { resources: this.options.sidecarResources } : {}),
        // A PVC may be shared (ReadWriteMany): no caching unless the volume asks for it.
        cacheArgs: cacheTimeoutArgs(request.volumeContext, true),
        ...(this.options.sidecarServiceAccount
          ? { serviceAccountName: this.options.sidecarServiceAccount }
          : {}),
      });
      await this.createOrAdopt(pod, request.volumeId);
      await this.waitForRunning(handle);
      const mounted = await waitForMount(mountPath, {
        timeoutMs: this.options.mountTimeoutMs,
        pollMs: this.pollMs,
        accept: this.options.acceptMount ?? isFuseMount,
        failFast: async () => terminalReason(await this.readPod(handle)),
      });
      if (!mounted.ok) {
        throw mounted.reason.startsWith('sidecar pod')
          ? internal(mounted.reason)
          : deadlineExceeded(`sidecar ${namespace}/${handle.podName} is running but ${mounted.reason}`);
      }
      await unmountAll(request.targetPath);
      await bindMount(mountPath, request.targetPath, request.readonly);
      return handle;
    } catch (err) {
      // Leave nothing behind: kubelet will retry the whole publish from scratch.
      await this.unpublish(request.targetPath, handle).catch((cleanupErr: unknown) =>
        console.error(`csi: cleanup after failed publish of ${request.volumeId} failed:`, cleanupErr),
      );
      throw err instanceof CsiError ? err : apiError(`sidecar ${namespace}/${handle.podName}`, err);
    }
  }

  /** A 409 means an earlier attempt (maybe by a previous driver instance) made it: reuse it if it is ours. */
  private async createOrAdopt(pod: V1Pod, volumeId: string): Promise<void> {
    const name = pod.metadata!.name!;
    const namespace = pod.metadata!.namespace!;
    try {
      await this.core.createNamespacedPod({ namespace, body: pod });
    } catch (err) {
      if (apiCode(err) !== 409) throw apiError(`creating sidecar ${namespace}/${name}`, err);
      const existing = await this.core.readNamespacedPod({ name, namespace });
      if (existing.metadata?.annotations?.[SIDECAR_ANNOTATIONS.volumeId] !== volumeId) {
        throw failedPrecondition(`pod ${namespace}/${name} exists and does not belong to volume ${volumeId}`);
      }
    }
  }

  private async readPod(handle: KubeHandle): Promise<V1Pod> {
    return this.core.readNamespacedPod({ name: handle.podName, namespace: handle.namespace });
  }

  private async waitForRunning(handle: KubeHandle): Promise<void> {
    const deadline = Date.now() + this.options.podRunningTimeoutMs;
    for (;;) {
      const pod = await this.readPod(handle);
      if (pod.status?.phase === 'Running') return;
      const reason = terminalReason(pod);
      if (reason) throw internal(reason);
      if (Date.now() >= deadline) {
        throw deadlineExceeded(
          `sidecar ${handle.namespace}/${handle.podName} not Running after ${this.options.podRunningTimeoutMs} ms (phase ${pod.status?.phase ?? 'unknown'})`,
        );
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  /** Deletes the sidecar and waits for it to be gone, so its trace is flushed when we return. */
  private async deleteSidecar(handle: KubeHandle): Promise<void> {
    const { podName: name, namespace } = handle;
    try {
      await this.core.deleteNamespacedPod({ name, namespace });
    } catch (err) {
      if (apiCode(err) === 404) return;
      throw apiError(`deleting sidecar ${namespace}/${name}`, err);
    }
    const deadline = Date.now() + this.options.podDeleteTimeoutMs;
    while (Date.now() < deadline) {
      try {
        await this.core.readNamespacedPod({ name, namespace });
      } catch (err) {
        if (apiCode(err) === 404) return;
        throw apiError(`reading sidecar ${namespace}/${name}`, err);
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    console.warn(
      `csi: sidecar ${namespace}/${name} still terminating after ${this.options.podDeleteTimeoutMs} ms`,
    );
  }

  async unpublish(targetPath: string, handle: KubeHandle): Promise<void> {
    await unmountAll(targetPath);
    await rmdir(targetPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT' && err.code !== 'ENOTEMPTY') throw err;
    });
    await this.deleteSidecar(handle);
    // A sidecar that died without unmounting leaves a dead FUSE mount on the host.
    await unmountAll(handle.mountPath);
    // Only empty directories and our own file: never a recursive delete near a mount point.
    await rmdir(handle.mountPath).catch(() => undefined);
    await rm(join(handle.stagingDir, 'overlay.json'), { force: true });
    await rmdir(handle.stagingDir).catch(() => undefined);
  }

  async isHealthy(targetPath: string, handle: KubeHandle): Promise<boolean> {
    const accept = this.options.acceptMount ?? isFuseMount;
    const staged = await findMount(handle.mountPath);
    return staged !== undefined && accept(staged) && (await findMount(targetPath)) !== undefined;
  }
}
