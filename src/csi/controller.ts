/**
 * CSI Controller service: StorageClass volumes. CreateVolume validates everything first, then
 * asks a VolumeProvisioner for a backing volume (a PVC of the backing class); DeleteVolume removes
 * it. Calls for one volume are serialized (a concurrent one gets ABORTED), and both are idempotent.
 */
import { STORAGE_CLASS_PARAMETERS, TOPOLOGY_NODE_KEY, VOLUME_ATTRIBUTES } from './constants.js';
import { aborted, asCsiError, CsiError, invalidArgument, notFound } from './errors.js';
import { status } from '@grpc/grpc-js';
import type { ProvisionedVolume, VolumeProvisioner } from './provisioner.js';
import { requireVolumeId, validateCapability, type RawVolumeCapability } from './volume-request.js';

export interface RawCreateVolumeRequest {
  name?: string;
  capacity_range?: { required_bytes?: number; limit_bytes?: number } | null;
  volume_capabilities?: RawVolumeCapability[];
  parameters?: Record<string, string>;
  volume_content_source?: { type?: string } | null;
  accessibility_requirements?: {
    requisite?: { segments?: Record<string, string> }[];
    preferred?: { segments?: Record<string, string> }[];
  } | null;
}

/** What a volume gets when CreateVolume names no capacity. */
export const DEFAULT_CAPACITY_BYTES = 1024 ** 3;

/** CSI access modes -> the backing PVC's Kubernetes access modes. */
const KUBE_ACCESS_MODES: Record<string, string> = {
  SINGLE_NODE_WRITER: 'ReadWriteOnce',
  SINGLE_NODE_READER_ONLY: 'ReadWriteOnce',
  SINGLE_NODE_SINGLE_WRITER: 'ReadWriteOncePod',
  SINGLE_NODE_MULTI_WRITER: 'ReadWriteOnce',
  MULTI_NODE_READER_ONLY: 'ReadOnlyMany',
  MULTI_NODE_SINGLE_WRITER: 'ReadWriteMany',
  MULTI_NODE_MULTI_WRITER: 'ReadWriteMany',
};

/** external-provisioner's --extra-create-metadata keys (allowed, and used to label the claim). */
const PROVISIONER_PREFIX = 'csi.storage.k8s.io/';
const PVC_NAME_KEY = 'csi.storage.k8s.io/pvc/name';
const PVC_NAMESPACE_KEY = 'csi.storage.k8s.io/pvc/namespace';

const outOfRange = (message: string) => new CsiError(status.OUT_OF_RANGE, message);

function capacityOf(range: RawCreateVolumeRequest['capacity_range']): number {
  const required = Number(range?.required_bytes ?? 0);
  const limit = Number(range?.limit_bytes ?? 0);
  if (required < 0 || limit < 0) throw invalidArgument('capacity_range bytes must not be negative');
  if (limit > 0 && required > limit) {
    throw outOfRange(`capacity_range.required_bytes ${required} exceeds limit_bytes ${limit}`);
  }
  if (required > 0) return required;
  return limit > 0 ? Math.min(limit, DEFAULT_CAPACITY_BYTES) : DEFAULT_CAPACITY_BYTES;
}

function attributesOf(parameters: Record<string, string>): Record<string, string> {
  const known = new Set<string>(Object.values(STORAGE_CLASS_PARAMETERS));
  for (const key of Object.keys(parameters)) {
    if (!known.has(key) && !key.startsWith(PROVISIONER_PREFIX)) {
      throw invalidArgument(`unknown StorageClass parameter "${key}" (known: ${[...known].join(', ')})`);
    }
  }
  const attributes: Record<string, string> = {};
  const trace = parameters[STORAGE_CLASS_PARAMETERS.trace];
  if (trace !== undefined) {
    if (trace !== 'true' && trace !== 'false')
      throw invalidArgument(`parameter trace must be "true" or "false", got "${trace}"`);
    attributes[VOLUME_ATTRIBUTES.trace] = trace;
  }
  const overlay = parameters[STORAGE_CLASS_PARAMETERS.overlay];
  if (overlay !== undefined) {
    try {
      JSON.parse(overlay);
    } catch (err) {
      throw invalidArgument(`parameter overlay is not JSON: ${(err as Error).message}`);
    }
    attributes[VOLUME_ATTRIBUTES.overlay] = overlay;
  }
  return attributes;
}

/** The node the CO wants the volume on: preferred first (the scheduler's pick), then requisite. */
function nodeOf(requirements: RawCreateVolumeRequest['accessibility_requirements']): string | undefined {
  const topologies = [...(requirements?.preferred ?? []), ...(requirements?.requisite ?? [])];
  return topologies.map((t) => t.segments?.[TOPOLOGY_NODE_KEY]).find((n) => n);
}

function toCsiVolume(volume: ProvisionedVolume): object {
  return {
    volume_id: volume.volumeId,
    capacity_bytes: volume.capacityBytes,
    volume_context: volume.volumeContext,
    ...(volume.node ? { accessible_topology: [{ segments: { [TOPOLOGY_NODE_KEY]: volume.node } }] } : {}),
  };
}

export class ControllerServer {
  private readonly busy = new Set<string>();

  constructor(private readonly provisioner: VolumeProvisioner) {}

  private async exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    if (this.busy.has(key)) throw aborted(`an operation on volume ${key} is already in progress`);
    this.busy.add(key);
    try {
      return await work();
    } catch (err) {
      throw asCsiError(err);
    } finally {
      this.busy.delete(key);
    }
  }

  async ControllerGetCapabilities(): Promise<object> {
    return { capabilities: [{ rpc: { type: 'CREATE_DELETE_VOLUME' } }] };
  }

  async CreateVolume(raw: RawCreateVolumeRequest): Promise<object> {
    const name = raw.name;
    if (!name) throw invalidArgument('name is required');
    const capabilities = raw.volume_capabilities ?? [];
    if (capabilities.length === 0) throw invalidArgument('volume_capabilities is required');
    capabilities.forEach(validateCapability);
    if (raw.volume_content_source?.type) {
      throw invalidArgument('volume_content_source: the plugin cannot clone or restore snapshots');
    }
    const capacityBytes = capacityOf(raw.capacity_range);
    const parameters = raw.parameters ?? {};
    const attributes = attributesOf(parameters);
    const modes = capabilities.map((c) => KUBE_ACCESS_MODES[c.access_mode!.mode!]!);
    // ReadWriteOncePod cannot be combined with other modes on a claim.
    const accessModes = modes.includes('ReadWriteOncePod') ? ['ReadWriteOncePod'] : [...new Set(modes)];
    const claimNamespace = parameters[PVC_NAMESPACE_KEY];
    const claimName = parameters[PVC_NAME_KEY];
    return this.exclusive(name, async () => {
      const volume = await this.provisioner.create({
        name,
        capacityBytes,
        accessModes,
        backingStorageClass: parameters[STORAGE_CLASS_PARAMETERS.backingStorageClass] || undefined,
        attributes,
        node: nodeOf(raw.accessibility_requirements),
        claim: claimNamespace && claimName ? `${claimNamespace}/${claimName}` : undefined,
      });
      return { volume: toCsiVolume(volume) };
    });
  }

  async DeleteVolume(raw: { volume_id?: string }): Promise<object> {
    const volumeId = requireVolumeId(raw.volume_id);
    return this.exclusive(volumeId, async () => {
      await this.provisioner.delete(volumeId);
      return {};
    });
  }

  async ValidateVolumeCapabilities(raw: {
    volume_id?: string;
    volume_context?: Record<string, string>;
    volume_capabilities?: RawVolumeCapability[];
    parameters?: Record<string, string>;
  }): Promise<object> {
    const volumeId = requireVolumeId(raw.volume_id);
    const capabilities = raw.volume_capabilities ?? [];
    if (capabilities.length === 0) throw invalidArgument('volume_capabilities is required');
    const volume = await this.provisioner.get(volumeId).catch((err: unknown) => {
      throw asCsiError(err);
    });
    if (!volume) throw notFound(`volume ${volumeId} does not exist`);
    try {
      capabilities.forEach(validateCapability);
    } catch (err) {
      // Unsupported is an answer here, not an error: no "confirmed", and why.
      return { message: (err as Error).message };
    }
    return {
      confirmed: {
        volume_context: raw.volume_context ?? {},
        volume_capabilities: capabilities,
        parameters: raw.parameters ?? {},
      },
    };
  }
}
