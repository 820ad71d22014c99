/**
 * StorageClass volumes in Kubernetes: each CSI volume is a backing PVC of the class named by the
 * `backingStorageClass` parameter, created in the driver's own namespace (so one Role covers it,
 * the privileged sidecars that mount it stay out of user namespaces, and users cannot delete it
 * from under a running pod). The volume id is "<namespace>/<claim name>".
 */
import { createHash } from 'node:crypto';
import { ApiException, CoreV1Api, KubeConfig, type V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { BACKING_PVC, SIDECAR_LABELS, VOLUME_ATTRIBUTES } from './constants.js';
import { alreadyExists, CsiError, deadlineExceeded, failedPrecondition, unavailable } from './errors.js';
import type { ProvisionedVolume, ProvisionRequest, VolumeProvisioner } from './provisioner.js';
import { formatBytes, parseQuantity } from './quantity.js';

export interface KubeProvisionerOptions {
  kubeConfig: KubeConfig;
  /** Where backing PVCs live (the driver's namespace). */
  namespace: string;
  /** How long CreateVolume waits for a backing PVC without a selected node to bind. */
  bindTimeoutMs: number;
  pollMs?: number;
}

/** Extra volume attributes kept on the PVC so a repeated CreateVolume returns the same context. */
const CONTEXT_ANNOTATION = 'interposer.csi.example.com/volume-context';
const HOSTNAME_LABEL = 'kubernetes.io/hostname';
const MAX_LABEL = 63;

/**
 * The backing claim's name: the volume name itself when it is a valid DNS label (external-
 * provisioner's "pvc-<uid>"), else a sanitized prefix plus a hash, so names stay unique.
 */
export function backingClaimName(volumeName: string): string {
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(volumeName) && volumeName.length <= MAX_LABEL) return volumeName;
  const hash = createHash('sha256').update(volumeName).digest('hex').slice(0, 10);
  const head = volumeName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, MAX_LABEL - hash.length - 1)
    .replace(/-+$/, '');
  return head ? `${head}-${hash}` : `volume-${hash}`;
}

const apiCode = (err: unknown): number | undefined => (err instanceof ApiException ? err.code : undefined);

function apiError(what: string, err: unknown): CsiError {
  if (err instanceof CsiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (apiCode(err) === 403)
    return failedPrecondition(`${what}: forbidden (check the controller's RBAC): ${message}`);
  return unavailable(`${what}: ${message}`);
}

export class KubeProvisioner implements VolumeProvisioner {
  private readonly core: CoreV1Api;

  constructor(private readonly options: KubeProvisionerOptions) {
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
  }

  private parseId(volumeId: string): { namespace: string; name: string } | undefined {
    const match = /^([a-z0-9-]{1,63})\/([a-z0-9-]{1,63})$/.exec(volumeId);
    return match ? { namespace: match[1]!, name: match[2]! } : undefined;
  }

  private async readClaim(namespace: string, name: string): Promise<V1PersistentVolumeClaim | undefined> {
    try {
      return await this.core.readNamespacedPersistentVolumeClaim({ name, namespace });
    } catch (err) {
      if (apiCode(err) === 404) return undefined;
      throw apiError(`reading backing PVC ${namespace}/${name}`, err);
    }
  }

  async get(volumeId: string): Promise<ProvisionedVolume | undefined> {
    const id = this.parseId(volumeId);
    if (!id) return undefined;
    const claim = await this.readClaim(id.namespace, id.name);
    if (!claim || claim.metadata?.labels?.[SIDECAR_LABELS.managedBy] !== SIDECAR_LABELS.managedByValue)
      return undefined;
    return this.describe(claim);
  }

  async create(request: ProvisionRequest): Promise<ProvisionedVolume> {
    const { namespace } = this.options;
    const name = backingClaimName(request.name);
    let claim = await this.readClaim(namespace, name);
    if (!claim) {
      try {
        claim = await this.core.createNamespacedPersistentVolumeClaim({
          namespace,
          body: this.claimFor(name, request),
        });
      } catch (err) {
        // A concurrent or earlier CreateVolume made it first: compare with what it asked for.
        if (apiCode(err) !== 409) throw apiError(`creating backing PVC ${namespace}/${name}`, err);
        claim = await this.readClaim(namespace, name);
        if (!claim) throw unavailable(`backing PVC ${namespace}/${name} vanished while being created`);
      }
    }
    const volume = await this.describe(claim);
    if (volume.name !== request.name) {
      throw alreadyExists(`backing PVC ${namespace}/${name} belongs to another volume (${volume.name})`);
    }
    if (
      volume.requestedBytes !== request.capacityBytes ||
      volume.backingStorageClass !== request.backingStorageClass
    ) {
      throw alreadyExists(
        `volume ${request.name} exists with ${volume.requestedBytes} bytes of class ${volume.backingStorageClass ?? '(default)'}`,
      );
    }
    // A selected node pins it; otherwise a node-local backing class may bind anywhere, and the
    // pod must follow: wait for the binding to report where.
    if (request.node) return { ...volume, node: request.node };
    return this.waitForBinding(namespace, name);
  }

  private claimFor(name: string, request: ProvisionRequest): V1PersistentVolumeClaim {
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name,
        namespace: this.options.namespace,
        labels: { [SIDECAR_LABELS.managedBy]: SIDECAR_LABELS.managedByValue },
        annotations: {
          [BACKING_PVC.volumeNameAnnotation]: request.name,
          [BACKING_PVC.requestedBytesAnnotation]: String(request.capacityBytes),
          [CONTEXT_ANNOTATION]: JSON.stringify(request.attributes),
          // What the scheduler would set for a WaitForFirstConsumer claim: the backing
          // provisioner creates the volume on the node our pod was scheduled to.
          ...(request.node ? { [BACKING_PVC.selectedNodeAnnotation]: request.node } : {}),
          ...(request.claim ? { [BACKING_PVC.claimAnnotation]: request.claim } : {}),
        },
      },
      spec: {
        accessModes: request.accessModes,
        volumeMode: 'Filesystem',
        resources: { requests: { storage: formatBytes(request.capacityBytes) } },
        ...(request.backingStorageClass ? { storageClassName: request.backingStorageClass } : {}),
      },
    };
  }

  private async describe(claim: V1PersistentVolumeClaim): Promise<ProvisionedVolume> {
    const annotations = claim.metadata?.annotations ?? {};
    const requestedBytes = Number(annotations[BACKING_PVC.requestedBytesAnnotation] ?? NaN);
    let extra: Record<string, string> = {};
    try {
      extra = JSON.parse(annotations[CONTEXT_ANNOTATION] ?? '{}') as Record<string, string>;
    } catch {
      extra = {};
    }
    const capacity =
      parseQuantity(claim.status?.capacity?.storage) ??
      parseQuantity(claim.spec?.resources?.requests?.storage);
    return {
      volumeId: `${claim.metadata?.namespace}/${claim.metadata?.name}`,
      capacityBytes: capacity ?? requestedBytes,
      volumeContext: {
        ...extra,
        [VOLUME_ATTRIBUTES.pvcName]: claim.metadata?.name ?? '',
        [VOLUME_ATTRIBUTES.backingClaimNamespace]: claim.metadata?.namespace ?? '',
      },
      node: annotations[BACKING_PVC.selectedNodeAnnotation] ?? (await this.boundNode(claim)),
      name: annotations[BACKING_PVC.volumeNameAnnotation] ?? '',
      requestedBytes,
      backingStorageClass: claim.spec?.storageClassName,
    };
  }

  /** The node a bound claim's PV is pinned to by hostname affinity (local, hostPath...), if any. */
  private async boundNode(claim: V1PersistentVolumeClaim): Promise<string | undefined> {
    const pvName = claim.spec?.volumeName;
    if (claim.status?.phase !== 'Bound' || !pvName) return undefined;
    let pv;
    try {
      pv = await this.core.readPersistentVolume({ name: pvName });
    } catch (err) {
      throw apiError(`reading PV ${pvName}`, err);
    }
    const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
    const nodes = new Set<string>();
    for (const term of terms) {
      for (const expr of term.matchExpressions ?? []) {
        if (expr.key === HOSTNAME_LABEL && expr.operator === 'In') expr.values?.forEach((v) => nodes.add(v));
      }
    }
    return nodes.size === 1 ? [...nodes][0] : undefined;
  }

  private async waitForBinding(namespace: string, name: string): Promise<ProvisionedVolume> {
    const deadline = Date.now() + this.options.bindTimeoutMs;
    for (;;) {
      const claim = await this.readClaim(namespace, name);
      if (!claim) throw unavailable(`backing PVC ${namespace}/${name} was deleted while binding`);
      if (claim.status?.phase === 'Bound') return this.describe(claim);
      if (Date.now() >= deadline) {
        // Not fatal: the CO retries CreateVolume, which finds the claim and waits again.
        throw deadlineExceeded(
          `backing PVC ${namespace}/${name} is not bound after ${this.options.bindTimeoutMs} ms; if its ` +
            `class (${claim.spec?.storageClassName ?? 'default'}) is WaitForFirstConsumer, give the ` +
            'interposer StorageClass volumeBindingMode: WaitForFirstConsumer too',
        );
      }
      await new Promise((r) => setTimeout(r, this.options.pollMs ?? 500));
    }
  }

  async delete(volumeId: string): Promise<void> {
    const id = this.parseId(volumeId);
    if (!id) return; // never one of ours, so it does not exist
    const claim = await this.readClaim(id.namespace, id.name);
    if (!claim) return;
    if (claim.metadata?.labels?.[SIDECAR_LABELS.managedBy] !== SIDECAR_LABELS.managedByValue) {
      throw failedPrecondition(`PVC ${volumeId} was not created by this driver; not deleting it`);
    }
    try {
      // The PVC protection finalizer keeps the data until no pod (a sidecar) uses it any more.
      await this.core.deleteNamespacedPersistentVolumeClaim({ name: id.name, namespace: id.namespace });
    } catch (err) {
      if (apiCode(err) !== 404) throw apiError(`deleting backing PVC ${volumeId}`, err);
    }
  }
}
