/**
 * Recorded vs replayed: per-op counts and latency percentiles side by side with ratios, total
 * time, throughput, bytes, errors that differ, and the replay's own timing error. Both sides
 * cover the same ops (those the replay ran), so a partial replay compares like with like.
 */
import { formatBytes, formatCount, formatDuration } from '../analyze/units.js';
import { errnoName } from '../overlay/errno.js';
import { OPS, OP_CODE } from '../trace/schema.js';
import type { OverlayDecisions } from './overlay-decisions.js';
import { distribution, type Distribution } from './percentile.js';
import type { ReplayPlan } from './plan.js';
import type { ReplayResults, TimingMode } from './shared-state.js';
import type { ThresholdInputs, ThresholdResult } from './thresholds.js';

export interface OpComparison {
  op: string;
  recorded: Distribution;
  replayed: Distribution;
  /** replayed / recorded for p50, p99 and mean; null when the recorded value is 0. */
  ratio: { p50: number | null; p99: number | null; mean: number | null };
}

export interface ErrorDifference {
  op: string;
  recordedErrno: number;
  replayedErrno: number;
  count: number;
  examplePath: string;
}

export interface ReplayReport {
  input: string;
  target: string;
  output: string | null;
  partial: boolean;
  timing: TimingMode;
  speed: number;
  workers: number;
  ops: {
    recorded: number;
    replayed: number;
    skipped: number;
    skippedByOp: Record<string, number>;
    notRun: number;
  };
  totalTimeNs: { recorded: number; replayed: number; ratio: number | null };
  throughput: { recordedOpsPerSec: number; replayedOpsPerSec: number; ratio: number | null };
  bytes: { recordedRead: number; replayedRead: number; recordedWritten: number; replayedWritten: number };
  /** Read/write ops whose byte count differs from the recording. */
  bytesDiffer: number;
  perOp: OpComparison[];
  errors: { differing: number; injected: number; differences: ErrorDifference[] };
  /** Replay scheduler delay: issue time minus the earliest time the op could be issued. */
  issueErrorNs: Distribution;
  /** Issue time minus planned (recorded) time; original timing only. */
  lagNs: Distribution | null;
  thresholds: ThresholdResult[];
}

const ratioOf = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export interface BuildReportOptions {
  plan: ReplayPlan;
  results: ReplayResults;
  decisions: OverlayDecisions | null;
  skip: Uint8Array;
  input: string;
  target: string;
  output: string | null;
  partial: boolean;
  timing: TimingMode;
  speed: number;
  workers: number;
}

export function buildReport(o: BuildReportOptions): {
  report: ReplayReport;
  thresholdInputs: ThresholdInputs;
} {
  const { plan, results, decisions } = o;
  const recByOp = new Map<number, number[]>();
  const repByOp = new Map<number, number[]>();
  const recAll: number[] = [];
  const repAll: number[] = [];
  const issueError: number[] = [];
  const lag: number[] = [];
  const skippedByOp: Record<string, number> = {};
  const diffs = new Map<string, ErrorDifference>();
  let skipped = 0;
  let replayed = 0;
  let differing = 0;
  let injected = 0;
  let bytesDiffer = 0;
  let recFirst = Infinity;
  let recLast = -Infinity;
  let repFirst = Infinity;
  let repLast = -Infinity;
  const bytes = { recordedRead: 0, replayedRead: 0, recordedWritten: 0, replayedWritten: 0 };

  for (let i = 0; i < plan.n; i++) {
    const code = plan.op[i]!;
    if (o.skip[i] === 1) {
      skipped++;
      const name = OPS[code]!;
      skippedByOp[name] = (skippedByOp[name] ?? 0) + 1;
      continue;
    }
    if (results.seq[i]! < 0) continue;
    replayed++;
    const recDur = plan.endNs[i]! - plan.startNs[i]!;
    const repDur = Math.max(0, results.endNs[i]! - results.startNs[i]!);
    let rec = recByOp.get(code);
    let rep = repByOp.get(code);
    if (!rec) recByOp.set(code, (rec = []));
    if (!rep) repByOp.set(code, (rep = []));
    rec.push(recDur);
    rep.push(repDur);
    recAll.push(recDur);
    repAll.push(repDur);
    recFirst = Math.min(recFirst, plan.startNs[i]!);
    recLast = Math.max(recLast, plan.endNs[i]!);
    repFirst = Math.min(repFirst, results.startNs[i]!);
    repLast = Math.max(repLast, results.endNs[i]!);
    issueError.push(Math.max(0, results.startNs[i]! - results.readyNs[i]!));
    if (o.timing === 'original') lag.push(results.startNs[i]! - results.plannedNs[i]!);
    if (code === OP_CODE.read) {
      bytes.recordedRead += plan.bytes[i]!;
      bytes.replayedRead += results.bytes[i]!;
    } else if (code === OP_CODE.write) {
      bytes.recordedWritten += plan.bytes[i]!;
      bytes.replayedWritten += results.bytes[i]!;
    }
    if ((code === OP_CODE.read || code === OP_CODE.write) && plan.bytes[i] !== results.bytes[i])
      bytesDiffer++;
    const wantErr = plan.errno[i]!;
    const gotErr = results.errno[i]!;
    if (decisions !== null && decisions.errno[i]! > 0) {
      injected++;
      continue;
    }
    if (wantErr !== gotErr) {
      differing++;
      const key = `${code}:${wantErr}:${gotErr}`;
      const d = diffs.get(key);
      if (d) d.count++;
      else {
        diffs.set(key, {
          op: OPS[code]!,
          recordedErrno: wantErr,
          replayedErrno: gotErr,
          count: 1,
          examplePath: plan.paths[plan.path[i]!]!,
        });
      }
    }
  }

  const perOp: OpComparison[] = [];
  const latency = new Map<string, { recorded: Distribution; replayed: Distribution }>();
  const add = (name: string, rec: number[], rep: number[]) => {
    const recorded = distribution(rec);
    const replayedD = distribution(rep);
    latency.set(name, { recorded, replayed: replayedD });
    perOp.push({
      op: name,
      recorded,
      replayed: replayedD,
      ratio: {
        p50: ratioOf(replayedD.p50, recorded.p50),
        p99: ratioOf(replayedD.p99, recorded.p99),
        mean: ratioOf(replayedD.mean, recorded.mean),
      },
    });
  };
  for (const code of [...recByOp.keys()].sort((a, b) => recByOp.get(b)!.length - recByOp.get(a)!.length)) {
    add(OPS[code]!, recByOp.get(code)!, repByOp.get(code)!);
  }
  add('all', recAll, repAll);

  const recTotal = replayed > 0 ? recLast - recFirst : 0;
  const repTotal = replayed > 0 ? repLast - repFirst : 0;
  const recRate = recTotal > 0 ? replayed / (recTotal / 1e9) : 0;
  const repRate = repTotal > 0 ? replayed / (repTotal / 1e9) : 0;
  const issueErrorNs = distribution(issueError);
  const lagNs = o.timing === 'original' ? distribution(lag) : null;
  const report: ReplayReport = {
    input: o.input,
    target: o.target,
    output: o.output,
    partial: o.partial,
    timing: o.timing,
    speed: o.speed,
    workers: o.workers,
    ops: { recorded: plan.n, replayed, skipped, skippedByOp, notRun: plan.n - replayed - skipped },
    totalTimeNs: { recorded: recTotal, replayed: repTotal, ratio: ratioOf(repTotal, recTotal) },
    throughput: { recordedOpsPerSec: recRate, replayedOpsPerSec: repRate, ratio: ratioOf(repRate, recRate) },
    bytes,
    bytesDiffer,
    perOp,
    errors: {
      differing,
      injected,
      differences: [...diffs.values()].sort((a, b) => b.count - a.count),
    },
    issueErrorNs,
    lagNs,
    thresholds: [],
  };
  const thresholdInputs: ThresholdInputs = {
    latency,
    totalTimeNs: { recorded: recTotal, replayed: repTotal },
    throughput: { recorded: recRate, replayed: repRate },
    errors: differing,
    skipped,
    issueErrorNs,
    lagNs,
  };
  return { report, thresholdInputs };
}

const fmtRatio = (r: number | null) => (r === null ? '-' : `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}x`);
const fmtRate = (r: number) => `${r >= 1000 ? `${(r / 1000).toFixed(1)}k` : r.toFixed(0)} ops/s`;
const fmtErrno = (e: number) => (e === 0 ? 'ok' : `${errnoName(e)} (${e})`);

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
  );
}

export function formatReportText(r: ReplayReport): string {
  const lines: string[] = [];
  lines.push(
    `replay of ${r.input} into ${r.target} (${r.timing}${r.timing === 'original' && r.speed !== 1 ? `, speed ${r.speed}x` : ''}, ${r.workers} worker${r.workers === 1 ? '' : 's'})${r.partial ? '  [PARTIAL: interrupted]' : ''}`,
  );
  if (r.output) lines.push(`replay trace: ${r.output}`);
  const skipped = Object.entries(r.ops.skippedByOp)
    .map(([op, n]) => `${op} ${formatCount(n)}`)
    .join(', ');
  lines.push(
    `ops: ${formatCount(r.ops.recorded)} recorded, ${formatCount(r.ops.replayed)} replayed` +
      (r.ops.skipped ? `, ${formatCount(r.ops.skipped)} skipped (${skipped})` : '') +
      (r.ops.notRun ? `, ${formatCount(r.ops.notRun)} not run` : ''),
  );
  lines.push(
    `total time: recorded ${formatDuration(r.totalTimeNs.recorded)}, replayed ${formatDuration(r.totalTimeNs.replayed)} (${fmtRatio(r.totalTimeNs.ratio)})`,
  );
  lines.push(
    `throughput: recorded ${fmtRate(r.throughput.recordedOpsPerSec)}, replayed ${fmtRate(r.throughput.replayedOpsPerSec)} (${fmtRatio(r.throughput.ratio)})`,
  );
  lines.push(
    `bytes: read ${formatBytes(r.bytes.recordedRead)} -> ${formatBytes(r.bytes.replayedRead)}, written ${formatBytes(r.bytes.recordedWritten)} -> ${formatBytes(r.bytes.replayedWritten)}` +
      (r.bytesDiffer ? ` (${formatCount(r.bytesDiffer)} read/write ops moved a different byte count)` : ''),
  );
  lines.push('');
  const rows: string[][] = [
    ['op', 'count', 'p50 rec', 'p50 rep', 'ratio', 'p99 rec', 'p99 rep', 'ratio', 'mean ratio'],
  ];
  for (const c of r.perOp) {
    rows.push([
      c.op,
      formatCount(c.replayed.count),
      formatDuration(c.recorded.p50),
      formatDuration(c.replayed.p50),
      fmtRatio(c.ratio.p50),
      formatDuration(c.recorded.p99),
      formatDuration(c.replayed.p99),
      fmtRatio(c.ratio.p99),
      fmtRatio(c.ratio.mean),
    ]);
  }
  lines.push(...table(rows));
  lines.push('');
  const d = r.issueErrorNs;
  lines.push(
    `issue error (replay scheduler delay): median ${formatDuration(d.p50)}, p99 ${formatDuration(d.p99)}, max ${formatDuration(d.max)}`,
  );
  if (r.lagNs) {
    lines.push(
      `lag behind recorded times: median ${formatDuration(r.lagNs.p50)}, p99 ${formatDuration(r.lagNs.p99)}, max ${formatDuration(r.lagNs.max)}`,
    );
  }
  lines.push(
    `errors that differ: ${formatCount(r.errors.differing)}; injected faults: ${formatCount(r.errors.injected)}`,
  );
  for (const e of r.errors.differences.slice(0, 10)) {
    lines.push(
      `  ${e.op}: recorded ${fmtErrno(e.recordedErrno)}, replayed ${fmtErrno(e.replayedErrno)} x${formatCount(e.count)} (e.g. ${e.examplePath})`,
    );
  }
  if (r.errors.differences.length > 10) lines.push(`  ... ${r.errors.differences.length - 10} more kinds`);
  if (r.thresholds.length > 0) {
    lines.push('');
    for (const t of r.thresholds) {
      const actual =
        t.actual === null
          ? 'n/a'
          : t.unit === 'x'
            ? fmtRatio(t.actual)
            : t.unit === 'ns'
              ? formatDuration(t.actual)
              : String(Math.round(t.actual * 100) / 100);
      lines.push(`${t.failed ? 'FAIL' : 'ok  '} ${t.text} (actual ${actual})`);
    }
  }
  return lines.join('\n');
}

/** JSON with µs for durations a CI script reads directly. */
export function reportJson(r: ReplayReport): unknown {
  const us = (d: Distribution) => ({
    count: d.count,
    meanUs: d.mean / 1e3,
    p50Us: d.p50 / 1e3,
    p90Us: d.p90 / 1e3,
    p99Us: d.p99 / 1e3,
    maxUs: d.max / 1e3,
  });
  return {
    ...r,
    perOp: r.perOp.map((c) => ({
      op: c.op,
      recorded: us(c.recorded),
      replayed: us(c.replayed),
      ratio: c.ratio,
    })),
    issueErrorUs: {
      median: r.issueErrorNs.p50 / 1e3,
      p99: r.issueErrorNs.p99 / 1e3,
      max: r.issueErrorNs.max / 1e3,
    },
    lagUs: r.lagNs ? { median: r.lagNs.p50 / 1e3, p99: r.lagNs.p99 / 1e3, max: r.lagNs.max / 1e3 } : null,
    issueErrorNs: undefined,
    lagNs: undefined,
  };
}
