/**
 * Plain-words findings derived from the report's numbers. Each rule has an explicit threshold
 * (below); every finding carries the share of I/O time it concerns, the numbers behind it
 * (evidence) and what to do next. Bottlenecks (actionable) come first, ranked by share of I/O time
 * (= sum of call durations; concurrent calls each count); observations that name no cost one can
 * cut (contention, the kernel's routine requests, write patterns) follow, ranked the same way.
 *
 * Rules and thresholds:
 * - dominant-io: a class of data calls (op x power-of-two request size x sequential/random x path
 *   group "dir/*.ext") taking >= 20% of I/O time (at most 3 classes reported).
 * - tail-latency: an op with >= 10 calls whose p99 is >= 10 ms, or >= 1 ms and >= 20x its p50.
 * - contention (observation): >= 2 processes each taking >= 10% of I/O time with overlapping
 *   active periods.
 * - errors: an (op, errno) pair of application calls failing >= 0.1% of that op's calls, or >= 10
 *   calls. The kernel's routine requests (kernel-routine.ts) never count. Routine answers
 *   (getattr/access/readlink ENOENT; getxattr/listxattr ENODATA, EOPNOTSUPP) only when they take
 *   >= 5% of I/O time.
 * - fault-cost: injected delay + throttle wait >= 5% of I/O time.
 * - sync: fsync + fdatasync + fsyncdir taking >= 20% of I/O time, told apart. close (flush) is
 *   not a sync: it counts as metadata.
 * - metadata: calls other than data and sync calls taking >= 50% of I/O time.
 * - hot-file: one file taking >= 30% of I/O time while the trace touches >= 2 files.
 * - kernel-routine (observation): the kernel's routine requests are >= 10% of calls.
 * - write-pattern (observation): a file among the access patterns with a log-rewrite or append
 *   write pattern and >= 5% of I/O time.
 */
import type { Op } from '../trace/schema.js';
import { KERNEL_ROUTINE_REMEDIES } from './kernel-routine.js';
import type { AccessPattern, Finding, OpStats, ProcessStats, Report } from './types.js';
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
  kernelRoutineCallShare: 0.1,
  writePatternShare: 0.05,
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
const SYNC_OPS = new Set<Op>(['fsync', 'fsyncdir']);
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

function latencyEvidence(o: OpStats): string {
  const l = o.latency;
  return (
    `${o.op}: ${formatCount(o.count)} calls, p50 ${formatDuration(l.p50Ns)}, p99 ${formatDuration(l.p99Ns)}, ` +
    `max ${formatDuration(l.maxNs)}, total ${formatDuration(o.totalTimeNs)}`
  );
}

function dominantFindings(groups: GroupStat[], share: (t: number) => number): Finding[] {
  return groups
    .filter((g) => share(g.timeNs) >= THRESHOLDS.dominantShare)
    .sort((a, b) => b.timeNs - a.timeNs)
    .slice(0, THRESHOLDS.dominantMaxFindings)
    .map((g) => {
      const s = share(g.timeNs);
      const size = sizeLabel(g.minSize, g.maxSize);
      const small = g.maxSize > 0 && g.maxSize < 65536;
      const nextStep = g.random
        ? small
          ? `Random ${size} ${g.op}s pay one round trip each: use larger requests, batch them, or cache the hot part of ${g.group}.`
          : `Random ${g.op}s: check whether the access order can follow the file layout (sort, prefetch).`
        : small
          ? `Sequential ${g.op}s in small pieces: larger requests (or read-ahead / buffered writes) cut the per-call cost.`
          : `Sequential ${g.op}s: bounded by throughput; compare with the backing device's bandwidth (e.g. fio).`;
      return {
        kind: 'dominant-io' as const,
        shareOfTime: s,
        actionable: true,
        text:
          `${formatShare(s)} of I/O time is ${size} ` +
          `${g.random ? 'random' : 'sequential'} ${g.op}s on ${g.group} (${formatCount(g.count)} calls)`,
        evidence: [
          `${formatCount(g.count)} ${g.op}s of ${size}, ${formatBytes(g.bytes)} in total, ` +
            `${formatDuration(g.timeNs)} (mean ${formatDuration(g.timeNs / g.count)})`,
        ],
        nextStep,
      };
    });
}

/**
 * The name of an op in a statement. fdatasync reaches the file system as an fsync row with
 * nonzero flags: the op table has one `fsync` line for both, which must not be called fsync
 * when the calls were (all or partly) fdatasync.
 */
function tailName(report: Report, op: Op): string {
  if (op !== 'fsync') return op;
  const count = (call: string) => report.syncCalls.find((c) => c.call === call)?.count ?? 0;
  if (count('fdatasync') === 0) return op;
  return count('fsync') === 0 ? 'fdatasync' : 'fsync/fdatasync';
}

function syncSplitEvidence(report: Report): string {
  return report.syncCalls
    .filter((c) => c.call !== 'fsyncdir')
    .map((c) => `${c.call}: ${formatCount(c.count)} calls, mean ${formatDuration(c.meanNs)}`)
    .join('; ');
}

function tailFindings(report: Report): Finding[] {
  const out: Finding[] = [];
  for (const stats of report.ops) {
    const l = stats.latency;
    if (stats.count < THRESHOLDS.tailMinCalls) continue;
    const absolute = l.p99Ns >= THRESHOLDS.tailAbsoluteP99Ns;
    const relative =
      l.p99Ns >= THRESHOLDS.tailRelativeP99Ns && l.p99Ns >= THRESHOLDS.tailRelativeFactor * l.p50Ns;
    if (!absolute && !relative) continue;
    const slow = report.slowest.filter((c) => c.op === stats.op).slice(0, 3);
    const name = tailName(report, stats.op);
    out.push({
      kind: 'tail-latency',
      shareOfTime: stats.shareOfTime,
      actionable: true,
      text:
        `p99 ${name} ${formatDuration(l.p99Ns)} (p50 ${formatDuration(l.p50Ns)}, ` +
        `max ${formatDuration(l.maxNs)} over ${formatCount(stats.count)} calls; ` +
        `${formatShare(stats.shareOfTime)} of I/O time)`,
      evidence: [
        latencyEvidence(stats),
        ...(name !== stats.op ? [syncSplitEvidence(report)] : []),
        ...slow.map(
          (c) =>
            `slow ${c.op} ${formatDuration(c.durationNs)} on ${c.path} by ${c.comm ?? 'pid'} ${c.pid} ` +
            `at ${formatDuration(c.startNs)}${c.faultKind ? ` (fault: ${c.faultKind})` : ''}`,
        ),
      ],
      nextStep:
        `Look at what else ran when the slowest ${plural(stats.op)} happened (Slow and Timeline views): ` +
        'a queue behind sync or write-back, throttling, or a slow backing device.',
    });
  }
  return out;
}

function contentionFinding(processes: ProcessStats[]): Finding[] {
  const heavy = processes.filter((p) => p.shareOfTime >= THRESHOLDS.contentionProcessShare);
  if (heavy.length < 2) return [];
  const lead = heavy[0]!;
  const overlapping = heavy.filter(
    (p) => p === lead || (p.firstStartNs < lead.lastEndNs && lead.firstStartNs < p.lastEndNs),
  );
  if (overlapping.length < 2) return [];
  const s = overlapping.reduce((sum, p) => sum + p.shareOfTime, 0);
  const names = overlapping.map((p) => `${p.comm ?? 'pid'} ${p.pid} (${formatShare(p.shareOfTime)})`);
  return [
    {
      kind: 'contention',
      shareOfTime: s,
      actionable: false,
      text: `${overlapping.length} processes do I/O at the same time: ${names.join(', ')}`,
      evidence: overlapping.map(
        (p) =>
          `${p.comm ?? 'pid'} ${p.pid}: ${formatCount(p.ops)} calls, ${formatDuration(p.timeNs)} in I/O, ` +
          `active ${formatDuration(p.firstStartNs)}-${formatDuration(p.lastEndNs)}`,
      ),
      nextStep:
        'Filter on one pid (Procs view, Enter) to see whether its latency changes while the others run.',
    },
  ];
}

function errorFindings(
  report: Report,
  errorTimeNs: Map<string, number>,
  share: (t: number) => number,
): Finding[] {
  const out: Finding[] = [];
  for (const stats of report.ops) {
    for (const [name, total] of Object.entries(stats.errorsByErrno)) {
      // The kernel's own routine requests are not application errors.
      const count = total - (stats.kernelRoutineErrorsByErrno[name] ?? 0);
      if (count <= 0) continue;
      const calls = stats.count;
      const rate = count / calls;
      if (rate < THRESHOLDS.errorMinRate && count < THRESHOLDS.errorMinCount) continue;
      const errorShare = share((errorTimeNs.get(`${stats.op} ${name}`) ?? 0) * (count / total));
      const routine = ROUTINE_ERRORS.has(`${stats.op} ${name}`);
      if (routine && errorShare < THRESHOLDS.routineErrorShare) continue;
      const evidence = [
        `${formatCount(count)} of ${formatCount(calls)} ${plural(stats.op)} returned ${name}`,
      ];
      if (routine) {
        out.push({
          kind: 'errors',
          shareOfTime: errorShare,
          actionable: true,
          text:
            `${formatShare(errorShare)} of I/O time is ${plural(stats.op)} answering ${name} ` +
            `(${formatCount(count)} of ${formatCount(calls)}; routine, but costly)`,
          evidence,
          nextStep:
            'The program looks up names that do not exist: cache negative lookups (--cache-timeout) ' +
            'or check the search path it probes (Errors view).',
        });
        continue;
      }
      const injected = stats.injectedErrorsByErrno[name] ?? 0;
      const cause =
        injected === count ? ' (injected)' : injected > 0 ? ` (${formatCount(injected)} injected)` : '';
      if (injected > 0) evidence.push(`${formatCount(injected)} injected by a fault overlay`);
      out.push({
        kind: 'errors',
        shareOfTime: errorShare,
        actionable: true,
        text: `${formatShare(rate)} of ${plural(stats.op)} (${formatCount(count)} of ${formatCount(calls)}) failed with ${name}${cause}`,
        evidence,
        nextStep:
          injected === count
            ? 'Injected on purpose: check with `interposer faults` that the application reported each one.'
            : `Filter on op=${stats.op} (Errors view, Enter) to see which paths and processes fail.`,
      });
    }
  }
  return out;
}

function faultCostFinding(report: Report): Finding[] {
  const faults = report.faults;
  if (faults.costNs <= 0 || faults.shareOfTime < THRESHOLDS.faultCostShare) return [];
  const parts: string[] = [];
  if (faults.injectedDelayNs > 0) parts.push(`${formatDuration(faults.injectedDelayNs)} injected delay`);
  if (faults.throttleWaitNs > 0) parts.push(`${formatDuration(faults.throttleWaitNs)} throttling`);
  return [
    {
      kind: 'fault-cost',
      shareOfTime: faults.shareOfTime,
      actionable: true,
      text: `Overlays added ${formatDuration(faults.costNs)} (${parts.join(', ')}): ${formatShare(faults.shareOfTime)} of I/O time`,
      evidence: [`${formatCount(faults.rows)} rows touched by an overlay`, ...parts],
      nextStep: 'This time was added on purpose; compare with a run without the overlay for the baseline.',
    },
  ];
}

function syncFinding(report: Report): Finding[] {
  const calls = report.syncCalls;
  const syncShare = calls.reduce((sum, c) => sum + c.shareOfTime, 0);
  if (syncShare < THRESHOLDS.syncShare) return [];
  const parts = calls.map((c) => `${c.call} ${formatCount(c.count)} calls, mean ${formatDuration(c.meanNs)}`);
  const full = calls.find((c) => c.call === 'fsync');
  const data = calls.find((c) => c.call === 'fdatasync');
  const nextStep =
    full && (!data || full.timeNs >= data.timeNs)
      ? 'Most of it is full fsync (data and metadata): fdatasync is enough when only data must be durable; ' +
        'group commits (PostgreSQL commit_delay, SQLite WAL with synchronous=NORMAL) cut the count.'
      : 'It is fdatasync already: fewer syncs (group commit, larger transactions) or faster stable storage.';
  return [
    {
      kind: 'sync',
      shareOfTime: syncShare,
      actionable: true,
      text: `${formatShare(syncShare)} of I/O time is waiting for sync (${parts.join('; ')})`,
      evidence: calls.map(
        (c) =>
          `${c.call}: ${formatCount(c.count)} calls, ${formatDuration(c.timeNs)}, ` +
          `mean ${formatDuration(c.meanNs)}, max ${formatDuration(c.maxNs)}`,
      ),
      nextStep,
    },
  ];
}

function metadataFinding(report: Report): Finding[] {
  const metadataOps = report.ops.filter((o) => !DATA_OPS.has(o.op) && !SYNC_OPS.has(o.op));
  const metadataShare = metadataOps.reduce((sum, o) => sum + o.shareOfTime, 0);
  if (metadataShare < THRESHOLDS.metadataShare) return [];
  const top = metadataOps.slice(0, 3);
  const parts = top.map((o) => `${o.op === 'flush' ? 'flush (close)' : o.op} ${formatShare(o.shareOfTime)}`);
  return [
    {
      kind: 'metadata',
      shareOfTime: metadataShare,
      actionable: true,
      text: `${formatShare(metadataShare)} of I/O time is metadata calls (${parts.join(', ')})`,
      evidence: top.map(latencyEvidence),
      nextStep:
        'Many small metadata round trips: let the kernel cache attributes and names (--cache-timeout), ' +
        'and avoid repeated stat/open/close of the same files.',
    },
  ];
}

function hotFileFinding(report: Report): Finding[] {
  const files = report.hotFiles.byTime;
  const hottest = files[0];
  if (!hottest || files.length < 2 || hottest.shareOfTime < THRESHOLDS.hotFileShare) return [];
  return [
    {
      kind: 'hot-file',
      shareOfTime: hottest.shareOfTime,
      actionable: true,
      text: `${formatShare(hottest.shareOfTime)} of I/O time is on ${hottest.path} (${formatCount(hottest.ops)} calls)`,
      evidence: [
        `${formatCount(hottest.ops)} calls, ${formatDuration(hottest.timeNs)}, read ${formatBytes(hottest.readBytes)}, ` +
          `written ${formatBytes(hottest.writeBytes)}, ${formatCount(hottest.errors)} errors`,
      ],
      nextStep: `Filter on path=${hottest.path} (Files view, Enter) to see which calls on it cost the time.`,
    },
  ];
}

function kernelRoutineFinding(report: Report): Finding[] {
  const calls = report.kernelRoutine.reduce((sum, k) => sum + k.calls, 0);
  if (report.totals.calls === 0 || calls / report.totals.calls < THRESHOLDS.kernelRoutineCallShare) return [];
  const s = report.kernelRoutine.reduce((sum, k) => sum + k.shareOfTime, 0);
  const parts = report.kernelRoutine.map((k) => `${k.kind} ${formatCount(k.calls)}`);
  const top = [...report.kernelRoutine].sort((a, b) => b.timeNs - a.timeNs)[0]!;
  return [
    {
      kind: 'kernel-routine',
      shareOfTime: s,
      actionable: false,
      text:
        `${formatShare(calls / report.totals.calls)} of calls are the kernel's routine requests ` +
        `(${parts.join(', ')}; ${formatShare(s)} of I/O time), not application calls`,
      evidence: report.kernelRoutine.map(
        (k) =>
          `${k.description}: ${formatCount(k.calls)} calls, ${formatDuration(k.timeNs)}` +
          (k.errors ? `, ${formatCount(k.errors)} answered ${Object.keys(k.errorsByErrno).join('/')}` : ''),
      ),
      nextStep: `Not errors of the application. To cut the largest (${top.kind}): ${KERNEL_ROUTINE_REMEDIES[top.kind]}.`,
    },
  ];
}

function writePatternFindings(report: Report, share: (t: number) => number): Finding[] {
  const out: Finding[] = [];
  const describe = (p: AccessPattern): [string, string] | null => {
    if (p.writePattern === 'log-rewrite')
      return [
        `write-ahead-log pattern on ${p.path}: each position rewritten about ${p.writesPerOffset.toFixed(1)} times, ` +
          `then the next (${formatCount(p.writes)} writes)`,
        'Expected for a log: each commit rewrites the current page. Its cost is commit latency: ' +
          'fewer, larger commits (group commit) reduce the rewrites.',
      ];
    if (p.writePattern === 'append')
      return [
        `append-only writes on ${p.path} (${formatCount(p.appendWrites)} of ${formatCount(p.writes)} at the end)`,
        'Appends are cheap for the device; if they are slow, look at the syncs that follow them.',
      ];
    return null;
  };
  // A log's cost is mostly the sync after each commit, not the write: rank by the file's whole
  // time (writes and its fsync/fdatasync), as the hot-file lists count it.
  const fileTime = new Map<string, number>();
  for (const list of [report.hotFiles.byTime, report.hotFiles.byOps, report.hotFiles.byBytes])
    for (const e of list) fileTime.set(e.path, e.timeNs);
  for (const p of report.accessPatterns) {
    const whole = Math.max(p.timeNs, fileTime.get(p.path) ?? 0);
    const s = share(whole);
    if (s < THRESHOLDS.writePatternShare) continue;
    const d = describe(p);
    if (!d) continue;
    out.push({
      kind: 'write-pattern',
      shareOfTime: s,
      actionable: false,
      text: d[0],
      evidence: [
        `${formatCount(p.writes)} writes (${formatBytes(p.writeBytes)}): ${formatCount(p.appendWrites)} at the end, ` +
          `${formatCount(p.rewriteWrites)} rewrites of the previous write's bytes`,
        `${formatDuration(whole)} on the file (${formatShare(s)} of I/O time), ${formatDuration(p.timeNs)} of it in reads and writes`,
      ],
      nextStep: d[1],
    });
  }
  return out;
}

/** Bottlenecks first, then observations; each group by share of I/O time. */
export function rankFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) => Number(b.actionable) - Number(a.actionable) || b.shareOfTime - a.shareOfTime,
  );
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
  return rankFindings([
    ...dominantFindings(groups, share),
    ...tailFindings(report),
    ...contentionFinding(processes),
    ...errorFindings(report, errorTimeNs, share),
    ...faultCostFinding(report),
    ...syncFinding(report),
    ...metadataFinding(report),
    ...hotFileFinding(report),
    ...kernelRoutineFinding(report),
    ...writePatternFindings(report, share),
  ]);
}
