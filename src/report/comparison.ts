/**
 * The model of a side-by-side page (run A vs run B, or recorded vs replayed), built from either
 * `analyze --diff` reports or a replay report, so one view renders both.
 */
import type { Report, ReportDiff } from '../analyze/index.js';
import { formatBytes, formatCount, formatDuration } from '../analyze/units.js';
import { errnoName } from '../overlay/errno.js';
import type { ReplayReport } from '../replay/index.js';
import type { TraceAggregates } from './collect.js';

export interface LatencyPoint {
  count: number;
  meanNs: number;
  p50Ns: number;
  p90Ns: number;
  p99Ns: number;
  maxNs: number;
}

export interface OpPair {
  op: string;
  a: LatencyPoint;
  b: LatencyPoint;
}

export interface TotalPair {
  label: string;
  a: number;
  b: number;
  format: 'count' | 'bytes' | 'duration' | 'rate';
}

export interface ThresholdRow {
  text: string;
  actual: string;
  failed: boolean;
}

export interface Comparison {
  title: string;
  /** Side names: ["recorded", "replayed"] or the two file names. */
  names: [string, string];
  /** Full aggregates of each side when its trace could be read (timelines, heatmaps). */
  a: TraceAggregates | null;
  b: TraceAggregates | null;
  ops: OpPair[];
  totals: TotalPair[];
  /** --fail-if results; null when the command has none. */
  thresholds: ThresholdRow[] | null;
  /** Plain-words lines (largest changes, replay settings). */
  notes: string[];
  /** Extra tables: [title, headers, rows]. */
  tables: { title: string; headers: string[]; rows: string[][] }[];
}

const point = (l: Report['ops'][number]['latency']): LatencyPoint => ({
  count: l.count,
  meanNs: l.meanNs,
  p50Ns: l.p50Ns,
  p90Ns: l.p90Ns,
  p99Ns: l.p99Ns,
  maxNs: l.maxNs,
});

const EMPTY: LatencyPoint = { count: 0, meanNs: 0, p50Ns: 0, p90Ns: 0, p99Ns: 0, maxNs: 0 };

/** `analyze --diff a b --html`. */
export function diffComparison(a: TraceAggregates, b: TraceAggregates, diff: ReportDiff): Comparison {
  const aOps = new Map(a.report.ops.map((o) => [o.op, o]));
  const bOps = new Map(b.report.ops.map((o) => [o.op, o]));
  const ops = diff.ops.map<OpPair>((d) => ({
    op: d.op,
    a: aOps.has(d.op) ? point(aOps.get(d.op)!.latency) : EMPTY,
    b: bOps.has(d.op) ? point(bOps.get(d.op)!.latency) : EMPTY,
  }));
  const t = diff.totals;
  const names: [string, string] = a.name === b.name ? [`A: ${a.path}`, `B: ${b.path}`] : [a.name, b.name];
  return {
    title: `Comparison: ${names[0]} vs ${names[1]}`,
    names,
    a,
    b,
    ops,
    totals: [
      { label: 'calls', a: t.calls.a, b: t.calls.b, format: 'count' },
      { label: 'duration', a: t.spanNs.a, b: t.spanNs.b, format: 'duration' },
      { label: 'time in I/O', a: t.ioTimeNs.a, b: t.ioTimeNs.b, format: 'duration' },
      { label: 'bytes read', a: t.bytesRead.a, b: t.bytesRead.b, format: 'bytes' },
      { label: 'bytes written', a: t.bytesWritten.a, b: t.bytesWritten.b, format: 'bytes' },
      { label: 'errors', a: t.errors.a, b: t.errors.b, format: 'count' },
      { label: 'overlay cost', a: t.faultCostNs.a, b: t.faultCostNs.b, format: 'duration' },
    ],
    thresholds: null,
    notes: diff.summary,
    tables: [
      {
        title: 'Files whose time changed most',
        headers: ['path', 'time A', 'time B', 'ops A', 'ops B', 'bytes A', 'bytes B'],
        rows: diff.files.map((f) => [
          f.path,
          formatDuration(f.timeNs.a),
          formatDuration(f.timeNs.b),
          formatCount(f.ops.a),
          formatCount(f.ops.b),
          formatBytes(f.bytes.a),
          formatBytes(f.bytes.b),
        ]),
      },
      {
        title: 'Errors that differ',
        headers: ['op', 'errno', 'A', 'B'],
        rows: diff.errors.map((e) => [e.op, e.errno, formatCount(e.a), formatCount(e.b)]),
      },
      {
        title: 'Findings only in one run',
        headers: ['run', 'finding'],
        rows: [
          ...diff.findingsOnlyInA.map((f) => [names[0], f]),
          ...diff.findingsOnlyInB.map((f) => [names[1], f]),
        ],
      },
    ],
  };
}

function formatThresholdActual(actual: number | null, unit: 'x' | 'ns' | ''): string {
  if (actual === null) return 'n/a';
  if (unit === 'x') return `${actual.toFixed(2)}x`;
  if (unit === 'ns') return formatDuration(actual);
  return formatCount(actual);
}

/** `replay --html`: recorded vs replayed, with the --fail-if results. */
export function replayComparison(
  r: ReplayReport,
  recorded: TraceAggregates | null,
  replayed: TraceAggregates | null,
): Comparison {
  const ops = r.perOp.map<OpPair>((o) => ({
    op: o.op,
    a: {
      count: o.recorded.count,
      meanNs: o.recorded.mean,
      p50Ns: o.recorded.p50,
      p90Ns: o.recorded.p90,
      p99Ns: o.recorded.p99,
      maxNs: o.recorded.max,
    },
    b: {
      count: o.replayed.count,
      meanNs: o.replayed.mean,
      p50Ns: o.replayed.p50,
      p90Ns: o.replayed.p90,
      p99Ns: o.replayed.p99,
      maxNs: o.replayed.max,
    },
  }));
  const notes = [
    `${r.partial ? 'Partial replay (interrupted)' : 'Replay'} of ${r.input} into ${r.target}: ${r.timing} timing` +
      `${r.timing === 'original' && r.speed !== 1 ? ` at ${r.speed}x speed` : ''}, ${r.workers} workers.`,
    `${formatCount(r.ops.replayed)} of ${formatCount(r.ops.recorded)} ops replayed` +
      (r.ops.skipped > 0 ? `, ${formatCount(r.ops.skipped)} skipped` : '') +
      (r.ops.notRun > 0 ? `, ${formatCount(r.ops.notRun)} not run` : '') +
      '.',
    `Replay scheduling error (issue time minus earliest possible): p50 ${formatDuration(r.issueErrorNs.p50)}, p99 ${formatDuration(r.issueErrorNs.p99)}.`,
  ];
  if (r.lagNs)
    notes.push(
      `Lag behind the recorded schedule: p50 ${formatDuration(r.lagNs.p50)}, p99 ${formatDuration(r.lagNs.p99)}.`,
    );
  if (r.bytesDiffer > 0)
    notes.push(
      `${formatCount(r.bytesDiffer)} reads or writes moved a different number of bytes than recorded.`,
    );
  return {
    title: `Replay: ${recorded?.name ?? r.input} recorded vs replayed`,
    names: ['recorded', 'replayed'],
    a: recorded,
    b: replayed,
    ops,
    totals: [
      { label: 'ops', a: r.ops.recorded, b: r.ops.replayed, format: 'count' },
      { label: 'total time', a: r.totalTimeNs.recorded, b: r.totalTimeNs.replayed, format: 'duration' },
      {
        label: 'throughput (ops/s)',
        a: r.throughput.recordedOpsPerSec,
        b: r.throughput.replayedOpsPerSec,
        format: 'rate',
      },
      { label: 'bytes read', a: r.bytes.recordedRead, b: r.bytes.replayedRead, format: 'bytes' },
      { label: 'bytes written', a: r.bytes.recordedWritten, b: r.bytes.replayedWritten, format: 'bytes' },
    ],
    thresholds: r.thresholds.map((t) => ({
      text: t.text,
      actual: formatThresholdActual(t.actual, t.unit),
      failed: t.failed,
    })),
    notes,
    tables: [
      {
        title: 'Errors that differ from the recording',
        headers: ['op', 'recorded errno', 'replayed errno', 'calls', 'example path'],
        rows: r.errors.differences.map((e) => [
          e.op,
          e.recordedErrno === 0 ? 'ok' : errnoName(e.recordedErrno),
          e.replayedErrno === 0 ? 'ok' : errnoName(e.replayedErrno),
          formatCount(e.count),
          e.examplePath,
        ]),
      },
    ],
  };
}
