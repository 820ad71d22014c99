/** Compares two reports (e.g. the same workload on two storage backends, or before/after). */
import type { Op } from '../trace/schema.js';
import type { Delta, ErrorDiff, HotEntry, OpDiff, OpStats, PathDiff, Report, ReportDiff } from './types.js';
import { formatBytes, formatDuration } from './units.js';

/** Changes smaller than this ratio (either way) are left out of the plain-words summary. */
export const SUMMARY_MIN_RATIO = 1.25;
const SUMMARY_MAX_LINES = 8;

export function delta(a: number, b: number): Delta {
  return { a, b, delta: b - a, ratio: a === 0 ? null : b / a };
}

function opDiff(op: Op, a: OpStats | undefined, b: OpStats | undefined): OpDiff {
  return {
    op,
    count: delta(a?.count ?? 0, b?.count ?? 0),
    bytes: delta(a?.bytes ?? 0, b?.bytes ?? 0),
    errors: delta(a?.errors ?? 0, b?.errors ?? 0),
    totalTimeNs: delta(a?.totalTimeNs ?? 0, b?.totalTimeNs ?? 0),
    p50Ns: delta(a?.latency.p50Ns ?? 0, b?.latency.p50Ns ?? 0),
    p99Ns: delta(a?.latency.p99Ns ?? 0, b?.latency.p99Ns ?? 0),
  };
}

function fileIndex(report: Report): Map<string, HotEntry> {
  const files = new Map<string, HotEntry>();
  const lists = report.hotFiles;
  for (const entry of [...lists.byTime, ...lists.byOps, ...lists.byBytes]) files.set(entry.path, entry);
  return files;
}

function ratioWords(d: Delta): string | null {
  if (d.a === 0 || d.b === 0 || d.ratio === null) return null;
  if (d.ratio >= SUMMARY_MIN_RATIO) return `${d.ratio.toFixed(1)}x higher`;
  if (d.ratio <= 1 / SUMMARY_MIN_RATIO) return `${(1 / d.ratio).toFixed(1)}x lower`;
  return null;
}

export function diffReports(a: Report, b: Report): ReportDiff {
  const opsA = new Map(a.ops.map((o) => [o.op, o]));
  const opsB = new Map(b.ops.map((o) => [o.op, o]));
  const allOps = [...new Set<Op>([...opsA.keys(), ...opsB.keys()])];
  const ops = allOps
    .map((op) => opDiff(op, opsA.get(op), opsB.get(op)))
    .sort(
      (x, y) => Math.abs(y.totalTimeNs.delta) - Math.abs(x.totalTimeNs.delta) || x.op.localeCompare(y.op),
    );

  const filesA = fileIndex(a);
  const filesB = fileIndex(b);
  const files: PathDiff[] = [...new Set([...filesA.keys(), ...filesB.keys()])]
    .map((path) => {
      const fa = filesA.get(path);
      const fb = filesB.get(path);
      return {
        path,
        ops: delta(fa?.ops ?? 0, fb?.ops ?? 0),
        bytes: delta(fa?.bytes ?? 0, fb?.bytes ?? 0),
        timeNs: delta(fa?.timeNs ?? 0, fb?.timeNs ?? 0),
      };
    })
    .sort((x, y) => Math.abs(y.timeNs.delta) - Math.abs(x.timeNs.delta) || x.path.localeCompare(y.path));

  const errors: ErrorDiff[] = [];
  for (const op of allOps) {
    const ea = opsA.get(op)?.errorsByErrno ?? {};
    const eb = opsB.get(op)?.errorsByErrno ?? {};
    for (const errno of new Set([...Object.keys(ea), ...Object.keys(eb)])) {
      const ca = ea[errno] ?? 0;
      const cb = eb[errno] ?? 0;
      if (ca !== cb) errors.push({ op, errno, a: ca, b: cb });
    }
  }
  errors.sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a) || x.op.localeCompare(y.op));

  const textsA = new Set(a.findings.map((f) => f.text));
  const textsB = new Set(b.findings.map((f) => f.text));
  const totals = {
    calls: delta(a.totals.calls, b.totals.calls),
    spanNs: delta(a.totals.spanNs, b.totals.spanNs),
    bytesRead: delta(a.totals.bytesRead, b.totals.bytesRead),
    bytesWritten: delta(a.totals.bytesWritten, b.totals.bytesWritten),
    errors: delta(a.totals.errors, b.totals.errors),
    ioTimeNs: delta(a.totals.ioTimeNs, b.totals.ioTimeNs),
    faultCostNs: delta(a.faults.costNs, b.faults.costNs),
  };
  return {
    a: { source: a.meta.source },
    b: { source: b.meta.source },
    totals,
    ops,
    files,
    errors,
    findingsOnlyInA: a.findings.filter((f) => !textsB.has(f.text)).map((f) => f.text),
    findingsOnlyInB: b.findings.filter((f) => !textsA.has(f.text)).map((f) => f.text),
    summary: summarize(totals, ops, errors),
  };
}

function summarize(totals: ReportDiff['totals'], ops: OpDiff[], errors: ErrorDiff[]): string[] {
  const lines: string[] = [];
  const span = ratioWords(totals.spanNs);
  if (span)
    lines.push(`run time ${span}: ${formatDuration(totals.spanNs.a)} -> ${formatDuration(totals.spanNs.b)}`);
  const io = ratioWords(totals.ioTimeNs);
  if (io)
    lines.push(
      `I/O time ${io}: ${formatDuration(totals.ioTimeNs.a)} -> ${formatDuration(totals.ioTimeNs.b)}`,
    );
  for (const [label, d] of [
    ['bytes read', totals.bytesRead],
    ['bytes written', totals.bytesWritten],
  ] as const) {
    const words = ratioWords(d);
    if (words) lines.push(`${label} ${words}: ${formatBytes(d.a)} -> ${formatBytes(d.b)}`);
  }
  for (const o of ops) {
    const words = ratioWords(o.p99Ns);
    if (words)
      lines.push(`p99 ${o.op} ${words}: ${formatDuration(o.p99Ns.a)} -> ${formatDuration(o.p99Ns.b)}`);
    if (o.count.a === 0 && o.count.b > 0) lines.push(`${o.op} appears (${o.count.b} calls)`);
    if (o.count.b === 0 && o.count.a > 0) lines.push(`${o.op} disappears (${o.count.a} calls before)`);
  }
  for (const e of errors) lines.push(`${e.op} ${e.errno}: ${e.a} -> ${e.b}`);
  return lines.slice(0, SUMMARY_MAX_LINES);
}
