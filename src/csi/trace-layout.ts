/**
 * Where a volume's traces go, laid out for fleets (hive-style partitions, so query engines read a
 * whole run as one table): <root>/node=<node>/namespace=<ns>/pod=<pod>/<volume>-<start>.parquet.
 * The start time in the name means a republish (after a crash) never overwrites an earlier trace.
 */
import { mkdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { VOLUME_ATTRIBUTES } from './constants.js';
import type { PublishRequest } from './types.js';
import { shortVolumeId } from './volume-request.js';

/** A partition value or file-name part: anything outside [A-Za-z0-9._-] becomes "_". */
export const safeName = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_') || '_';

/** Partition used when kubelet sent no pod info (csi-sanity, local tools). */
export const NO_POD = '_none_';

/** 2026-12-01T01:02:03.456Z -> 20261201T010203.456Z: sortable, no colons. */
export function compactTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

export interface TraceLocation {
  /** Directory relative to the trace root: node=<n>/namespace=<ns>/pod=<p>. */
  relativeDir: string;
  /** File name in that directory: <volume>-<start>.parquet. */
  fileName: string;
}

export function traceLocation(
  nodeId: string,
  request: Pick<PublishRequest, 'volumeId' | 'pod' | 'volumeContext'>,
  start: Date,
  fallbackNamespace = NO_POD,
): TraceLocation {
  const namespace = request.pod?.namespace ?? fallbackNamespace;
  const pod = request.pod?.name ?? NO_POD;
  const volume = request.volumeContext[VOLUME_ATTRIBUTES.traceName] ?? volumeLabel(request.volumeId);
  return {
    relativeDir: posix.join(
      `node=${safeName(nodeId)}`,
      `namespace=${safeName(namespace)}`,
      `pod=${safeName(pod)}`,
    ),
    fileName: `${safeName(volume)}-${compactTimestamp(start)}.parquet`,
  };
}

/**
 * A readable volume label: StorageClass volumes are "<namespace>/<pvc-uid name>" ids (keep the
 * name); kubelet's ephemeral ids are 70 opaque characters (use the short hash).
 */
export function volumeLabel(volumeId: string): string {
  const last = volumeId.split('/').pop() ?? volumeId;
  return /^csi-[0-9a-f]{64}$/.test(last) || last.length > 63 ? shortVolumeId(volumeId) : last;
}

/**
 * mkdir -p of <root>/<relativeDir>, every directory it creates mode 0700: traces list every path
 * and size a pod touched, so on a shared host path only root may read them.
 */
export async function ensureTraceDir(root: string, relativeDir: string): Promise<string> {
  let dir = root;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const part of relativeDir.split('/')) {
    dir = join(dir, part);
    await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
  return dir;
}
