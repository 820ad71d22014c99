/**
 * Validation of Node RPC arguments, done before anything else in each RPC so bad calls fail
 * with INVALID_ARGUMENT and never touch the host.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, normalize } from 'node:path';
import { POD_INFO_KEYS } from './constants.js';
import { invalidArgument } from './errors.js';
import type { PodInfo, PublishRequest } from './types.js';

/** NodePublishVolumeRequest as decoded by proto-loader (keepCase, defaults, oneofs). */
export interface RawPublishRequest {
  volume_id?: string;
  target_path?: string;
  staging_target_path?: string;
  readonly?: boolean;
  volume_context?: Record<string, string>;
  volume_capability?: RawVolumeCapability | null;
}

export interface RawVolumeCapability {
  access_type?: 'mount' | 'block';
  mount?: { fs_type?: string; mount_flags?: string[]; volume_mount_group?: string } | null;
  block?: object | null;
  access_mode?: { mode?: string } | null;
}

/** Access modes that make sense for a volume published on one node. */
const SUPPORTED_ACCESS_MODES = new Set([
  'SINGLE_NODE_WRITER',
  'SINGLE_NODE_READER_ONLY',
  'SINGLE_NODE_SINGLE_WRITER',
  'SINGLE_NODE_MULTI_WRITER',
  'MULTI_NODE_READER_ONLY',
  'MULTI_NODE_SINGLE_WRITER',
  'MULTI_NODE_MULTI_WRITER',
]);

export function requireVolumeId(volumeId: string | undefined): string {
  if (!volumeId) throw invalidArgument('volume_id is required');
  return volumeId;
}

export function requireAbsolutePath(path: string | undefined, field: string): string {
  if (!path) throw invalidArgument(`${field} is required`);
  if (!isAbsolute(path)) throw invalidArgument(`${field} must be an absolute path, got "${path}"`);
  return normalize(path).replace(/(.)\/+$/, '$1');
}

export function validateCapability(capability: RawVolumeCapability | null | undefined): void {
  if (!capability) throw invalidArgument('volume_capability is required');
  if (capability.block || capability.access_type === 'block') {
    throw invalidArgument('block access is not supported: interposer volumes are file systems');
  }
  if (!capability.mount && capability.access_type !== 'mount') {
    throw invalidArgument('volume_capability must set mount access');
  }
  const mode = capability.access_mode?.mode;
  if (!mode || !SUPPORTED_ACCESS_MODES.has(mode)) {
    throw invalidArgument(`volume_capability.access_mode is missing or unsupported (${mode ?? 'none'})`);
  }
}

function podInfoOf(context: Record<string, string>): PodInfo | undefined {
  const name = context[POD_INFO_KEYS.podName];
  const namespace = context[POD_INFO_KEYS.podNamespace];
  if (!name || !namespace) return undefined;
  return {
    name,
    namespace,
    uid: context[POD_INFO_KEYS.podUid] ?? '',
    serviceAccountName: context[POD_INFO_KEYS.serviceAccountName] ?? '',
  };
}

/** Key order must not change a fingerprint: kubelet builds volume_context from a map. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function parsePublishRequest(raw: RawPublishRequest): PublishRequest {
  const volumeId = requireVolumeId(raw.volume_id);
  const targetPath = requireAbsolutePath(raw.target_path, 'target_path');
  validateCapability(raw.volume_capability);
  const volumeContext = { ...(raw.volume_context ?? {}) };
  const readonly = raw.readonly === true;
  const capability = raw.volume_capability;
  const fingerprint = createHash('sha256')
    .update(
      stableJson({
        readonly,
        volumeContext,
        accessMode: capability?.access_mode?.mode,
        mountFlags: capability?.mount?.mount_flags ?? [],
        fsType: capability?.mount?.fs_type ?? '',
      }),
    )
    .digest('hex');
  return {
    volumeId,
    targetPath,
    readonly,
    volumeContext,
    pod: podInfoOf(volumeContext),
    ephemeral: volumeContext[POD_INFO_KEYS.ephemeral] === 'true',
    fingerprint,
  };
}

/** A short, stable, name-safe id for a volume id (kubelet's ephemeral ids are 70 characters). */
export function shortVolumeId(volumeId: string): string {
  return createHash('sha256').update(volumeId).digest('hex').slice(0, 10);
}
