/**
 * Plain-words findings ("bottlenecks") derived from the report's numbers. Each rule has an
 * explicit threshold (below); every finding carries the share of I/O time it concerns, and the
 * list is ranked by that share. I/O time = sum of call durations (concurrent calls each count).
 *
 * Rules and thresholds:
 * - dominant-io: a class of data calls (op x power-of-two request size x sequential/random x path
 *   group "dir/*.ext") taking >= 20% of I/O time (at most 3 classes reported).
 * - tail-latency: an op with >= 10 calls whose p99 is >= 10 ms, or >= 1 ms and >= 20x its p50.
 * - contention: >= 2 processes each taking >= 10% of I/O time with overlapping active periods.
 * - errors: an (op, errno) pair failing >= 0.1% of that op's calls, or >= 10 calls. Routine
 *   failures (lookups of missing names: getattr/access/readlink ENOENT; absent extended
 *   attributes: getxattr/listxattr ENODATA, EOPNOTSUPP) only when they take >= 5% of I/O time.
 * - fault-cost: injected delay + throttle wait >= 5% of I/O time.
 * - sync: fsync/fsyncdir/flush calls taking >= 20% of I/O time.
 * - metadata: calls other than data (read/write/copy_file_range) and sync calls taking >= 50%
 *   of I/O time.
 * - hot-file: one file taking >= 30% of I/O time while the trace touches >= 2 files.
 */
import type { Op } from '../trace/schema.js';
import type { Finding, ProcessStats, Report } from './types.js';
import { formatBytes, formatCount, formatDuration, formatShare } from './units.js';

export const THRESHOLDS = {
  dominantShare: 0.2,
  dominantMaxFindings: 3,
  tailMinCalls: 10,
  tailAbsoluteP99Ns: 10e6,
  tailRelativeP99Ns: 1e6,
  tailRelativeFactor: 20,
  contentionProcessShare: 0.1,
  errorMinRate: 0.001,
  errorMinCount: 10,
  routineErrorShare: 0.05,
  faultCostShare: 0.05,
  syncShare: 0.2,
  metadataShare: 0.5,
  hotFileShare: 0.3,
} as const;

/** Aggregate of data calls of one class (see dominant-io). */
export interface GroupStat {
  op: 'read' | 'write';
  random: boolean;
  sizeBucket: number;
  /** Path group, e.g. "/data/*.db". */
  group: string;
  count: number;
  timeNs: number;
  bytes: number;
  minSize: number;
  maxSize: number;
}

const DATA_OPS = new Set<Op>(['read', 'write', 'copy_file_range']);
const SYNC_OPS = new Set<Op>(['fsync', 'fsyncdir', 'flush']);
/** Failures programs expect and handle as answers, not problems. */
const ROUTINE_ERRORS = new Set([
  'getattr ENOENT',
  'access ENOENT',
  'readlink ENOENT',
  'getxattr ENODATA',
  'getxattr EOPNOTSUPP',
  'listxattr EOPNOTSUPP',
]);

function sizeLabel(minSize: number, maxSize: number): string {
  if (minSize === maxSize) return formatBytes(minSize);
  return `${formatBytes(minSize)}-${formatBytes(maxSize)}`;
}

function plural(op: string): string {
  return op.endsWith('s') ? `${op} calls` : `${op}s`;
}

/**
 * @param groups data-call classes
 * @param errorTimeNs time spent in failing calls, keyed "op ERRNO"
 * @param processes all processes, by time descending
 */
export function buildFindings(
  report: Report,
  groups: GroupStat[],
  errorTimeNs: Map<string, number>,
  processes: ProcessStats[],
): Finding[] {
  const io = report.totals.ioTimeNs;
  if (io <= 0 && report.totals.errors === 0) return [];
  const share = (t: number) => (io > 0 ? t / io : 0);
  const findings: Finding[] = [];

  const dominant = groups
    .filter((g) => share(g.timeNs) >= THRESHOLDS.dominantShare)
    .sort((a, b) => b.timeNs - a.timeNs)
    .slice(0, THRESHOLDS.dominantMaxFindings);
  for (const g of dominant) {
    const s = share(g.timeNs);
    findings.push({
      kind: 'dominant-io',
      shareOfTime: s,
      text:
        `${formatShare(s)} of I/O time is ${sizeLabel(g.minSize, g.maxSize)} ` +
        `${g.random ? 'random' : 'sequential'} ${g.op}s on ${g.group} (${formatCount(g.count)} calls)`,
    });
  }

  for (const stats of report.ops) {
    const l = stats.latency;
    if (stats.count < THRESHOLDS.tailMinCalls) continue;
    const absolute = l.p99Ns >= THRESHOLDS.tailAbsoluteP99Ns;
    const relative =
      l.p99Ns >= THRESHOLDS.tailRelativeP99Ns && l.p99Ns >= THRESHOLDS.tailRelativeFactor * l.p50Ns;
    if (!absolute && !relative) continue;
    findings.push({
      kind: 'tail-latency',
      shareOfTime: stats.shareOfTime,
      text:
        `p99 ${stats.op} ${formatDuration(l.p99Ns)} (p50 ${formatDuration(l.p50Ns)}, ` +
        `max ${formatDuration(l.maxNs)} over ${formatCount(stats.count)} calls; ` +
        `${formatShare(stats.shareOfTime)} of I/O time)`,
    });
  }

  const heavy = processes.filter((p) => p.shareOfTime >= THRESHOLDS.contentionProcessShare);
  if (heavy.length >= 2) {
    const lead = heavy[0]!;
    const overlapping = heavy.filter(
      (p) => p === lead || (p.firstStartNs < lead.lastEndNs && lead.firstStartNs < p.lastEndNs),
    );
    if (overlapping.length >= 2) {
      const s = overlapping.reduce((sum, p) => sum + p.shareOfTime, 0);
      const names = overlapping.map((p) => `${p.comm ?? 'pid'} ${p.pid} (${formatShare(p.shareOfTime)})`);
      findings.push({
        kind: 'contention',
        shareOfTime: s,
        text: `${overlapping.length} processes compete for I/O: ${names.join(', ')}`,
      });
    }
  }

  for (const stats of report.ops) {
    for (const [name, count] of Object.entries(stats.errorsByErrno)) {
      const rate = count / stats.count;
      if (rate < THRESHOLDS.errorMinRate && count < THRESHOLDS.errorMinCount) continue;
      const errorShare = share(errorTimeNs.get(`${stats.op} ${name}`) ?? 0);
      if (ROUTINE_ERRORS.has(`${stats.op} ${name}`) && errorShare < THRESHOLDS.routineErrorShare) continue;
      if (ROUTINE_ERRORS.has(`${stats.op} ${name}`)) {
        findings.push({
          kind: 'errors',
          shareOfTime: errorShare,
          text:
            `${formatShare(errorShare)} of I/O time is ${plural(stats.op)} answering ${name} ` +
            `(${formatCount(count)} of ${formatCount(stats.count)}; routine, but costly)`,
        });
        continue;
      }
      const injected = stats.injectedErrorsByErrno[name] ?? 0;
      const cause =
        injected === count ? ' (injected)' : injected > 0 ? ` (${formatCount(injected)} injected)` : '';
      findings.push({
        kind: 'errors',
        shareOfTime: errorShare,
        text:
          `${formatShare(rate)} of ${plural(stats.op)} (${formatCount(count)} of ${formatCount(stats.count)}) ` +
          `failed with ${name}${cause}`,
      });
    }
  }

  const faults = report.faults;
  if (faults.costNs > 0 && faults.shareOfTime >= THRESHOLDS.faultCostShare) {
    const parts: string[] = [];
    if (faults.injectedDelayNs > 0) parts.push(`${formatDuration(faults.injectedDelayNs)} injected delay`);
    if (faults.throttleWaitNs > 0) parts.push(`${formatDuration(faults.throttleWaitNs)} throttling`);
    findings.push({
      kind: 'fault-cost',
      shareOfTime: faults.shareOfTime,
      text: `Overlays added ${formatDuration(faults.costNs)} (${parts.join(', ')}): ${formatShare(faults.shareOfTime)} of I/O time`,
    });
  }

  const syncOps = report.ops.filter((o) => SYNC_OPS.has(o.op));
  const syncShare = syncOps.reduce((sum, o) => sum + o.shareOfTime, 0);
  if (syncShare >= THRESHOLDS.syncShare) {
    const parts = syncOps.map(
      (o) => `${o.op} ${formatCount(o.count)} calls, mean ${formatDuration(o.latency.meanNs)}`,
    );
    findings.push({
      kind: 'sync',
      shareOfTime: syncShare,
      text: `${formatShare(syncShare)} of I/O time is waiting for sync (${parts.join('; ')})`,
    });
  }

  const metadataOps = report.ops.filter((o) => !DATA_OPS.has(o.op) && !SYNC_OPS.has(o.op));
  const metadataShare = metadataOps.reduce((sum, o) => sum + o.shareOfTime, 0);
  if (metadataShare >= THRESHOLDS.metadataShare) {
    const parts = metadataOps.slice(0, 3).map((o) => `${o.op} ${formatShare(o.shareOfTime)}`);
    findings.push({
      kind: 'metadata',
      shareOfTime: metadataShare,
      text: `${formatShare(metadataShare)} of I/O time is metadata calls (${parts.join(', ')})`,
    });
  }

  const files = report.hotFiles.byTime;
  const hottest = files[0];
  if (hottest && files.length >= 2 && hottest.shareOfTime >= THRESHOLDS.hotFileShare) {
    findings.push({
      kind: 'hot-file',
      shareOfTime: hottest.shareOfTime,
      text: `${formatShare(hottest.shareOfTime)} of I/O time is on ${hottest.path} (${formatCount(hottest.ops)} calls)`,
    });
  }

  return findings.sort((a, b) => b.shareOfTime - a.shareOfTime);
}
