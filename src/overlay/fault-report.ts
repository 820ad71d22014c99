/**
 * What `interposer faults` reports: which injected faults a run's application saw, from the
 * overlay's fault log, optionally joined with the run's trace (which processes got them).
 * Pure functions over records/rows; the command does the I/O and printing.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { UserError } from '../cli/errors.js';
import type { Column, TraceBatch } from '../trace/batch.js';
import { FAULT_KINDS, OPS, type FaultKind } from '../trace/schema.js';
import { errnoName } from './errno.js';
import type { FaultRecord } from './fault-log.js';

export interface FaultLogContents {
  records: FaultRecord[];
  /** Lines that are not fault records (e.g. a torn last line after a crash). */
  skipped: { line: number; reason: string }[];
}

/** Reads a fault log; unparsable lines are skipped and reported, not fatal. */
export async function readFaultLog(path: string): Promise<FaultLogContents> {
  const records: FaultRecord[] = [];
  const skipped: FaultLogContents['skipped'] = [];
  let lineNo = 0;
  try {
    const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      const problem = checkRecordLine(line);
      if (typeof problem === 'string') skipped.push({ line: lineNo, reason: problem });
      else records.push(problem);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${path}: no such fault log`);
    if (code === 'EISDIR') throw new UserError(`${path}: is a directory, not a fault log`);
    throw new UserError(`${path}: cannot read fault log (${(err as Error).message})`);
  }
  return { records, skipped };
}

function checkRecordLine(line: string): FaultRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const r = value as Partial<FaultRecord>;
  if (typeof r.rule !== 'string' || typeof r.op !== 'string' || typeof r.path !== 'string') {
    return 'missing rule, op or path';
  }
  if (!(FAULT_KINDS as readonly string[]).includes(r.kind as string))
    return `unknown kind ${JSON.stringify(r.kind)}`;
  if (typeof r.tNs !== 'string' || typeof r.timeNs !== 'string') return 'missing tNs or timeNs';
  return r as FaultRecord;
}

export interface Counted {
  key: string;
  count: number;
}

export interface RuleSummary {
  rule: string;
  kind: FaultKind;
  count: number;
  /** errno name, "to N bytes", or delay total/max, depending on the kind. */
  detail: string;
  ops: Counted[];
  firstTime: string;
  lastTime: string;
  totalDelayNs: number;
  maxDelayNs: number;
}

export interface ProcessSummary {
  pid: number;
  comm: string | null;
  kinds: Counted[];
  errnos: Counted[];
  count: number;
}

export interface TraceJoin {
  tracePath: string;
  traceRows: number;
  /** Trace rows the overlay touched, by kind; compare with the log's counts. */
  rowsByKind: Counted[];
  /** Per process, from the trace's fault columns (pid, comm, fault_kind, fault_errno, op). */
  processes: {
    pid: number;
    comm: string | null;
    kind: FaultKind;
    errno: string | null;
    op: string;
    count: number;
  }[];
}

export interface FaultReport {
  logPath: string;
  /** Ops the overlay affected (a sampled throttle record counts for the ops it stands for). */
  total: number;
  /** Lines in the log. */
  records: number;
  skippedLines: number;
  firstTime: string | null;
  lastTime: string | null;
  /** Capture-relative span between first and last record, ns. */
  spanNs: number;
  byRule: RuleSummary[];
  byKind: Counted[];
  byErrno: Counted[];
  byOp: Counted[];
  topPaths: Counted[];
  /** From the log; comm filled in from the trace when one is given. */
  byProcess: ProcessSummary[];
  trace: TraceJoin | null;
}

class Counter {
  private readonly counts = new Map<string, number>();

  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  sorted(limit = Infinity): Counted[] {
    return [...this.counts]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
      .slice(0, limit);
  }
}

export function summarizeFaultLog(logPath: string, contents: FaultLogContents, topN = 10): FaultReport {
  const { records } = contents;
  const byKind = new Counter();
  const byErrno = new Counter();
  const byOp = new Counter();
  const byPath = new Counter();
  const rules = new Map<string, RuleSummary & { opCounter: Counter; errnos: Counter; truncs: Counter }>();
  const procs = new Map<number, { kinds: Counter; errnos: Counter; count: number }>();
  let firstNs: bigint | null = null;
  let lastNs: bigint | null = null;
  let firstTime: string | null = null;
  let lastTime: string | null = null;

  let total = 0;
  for (const r of records) {
    // A throttle record stands for every slow op since the previous one: count ops, not lines.
    const ops = r.kind === 'throttle' ? (r.throttledOps ?? 1) : 1;
    total += ops;
    byKind.add(r.kind, ops);
    byOp.add(r.op, ops);
    byPath.add(r.path, ops);
    if (r.kind === 'errno') byErrno.add(r.errnoName ?? errnoName(r.errno ?? 0));
    const t = BigInt(r.tNs);
    if (firstNs === null || t < firstNs) firstNs = t;
    if (lastNs === null || t > lastNs) lastNs = t;
    if (firstTime === null || r.time < firstTime) firstTime = r.time;
    if (lastTime === null || r.time > lastTime) lastTime = r.time;

    let rule = rules.get(r.rule);
    if (!rule) {
      rule = {
        rule: r.rule,
        kind: r.kind,
        count: 0,
        detail: '',
        ops: [],
        firstTime: r.time,
        lastTime: r.time,
        totalDelayNs: 0,
        maxDelayNs: 0,
        opCounter: new Counter(),
        errnos: new Counter(),
        truncs: new Counter(),
      };
      rules.set(r.rule, rule);
    }
    rule.count += ops;
    rule.opCounter.add(r.op, ops);
    if (r.time < rule.firstTime) rule.firstTime = r.time;
    if (r.time > rule.lastTime) rule.lastTime = r.time;
    if (r.errnoName) rule.errnos.add(r.errnoName);
    if (r.truncateTo !== undefined) rule.truncs.add(String(r.truncateTo));
    if (r.kind === 'delay') {
      rule.totalDelayNs += r.delayNs ?? 0;
      rule.maxDelayNs = Math.max(rule.maxDelayNs, r.delayNs ?? 0);
    } else if (r.kind === 'throttle') {
      rule.maxDelayNs = Math.max(rule.maxDelayNs, r.maxThrottleWaitNs ?? r.throttleWaitNs ?? 0);
    }

    let proc = procs.get(r.pid);
    if (!proc) procs.set(r.pid, (proc = { kinds: new Counter(), errnos: new Counter(), count: 0 }));
    proc.count += ops;
    proc.kinds.add(r.kind, ops);
    if (r.errnoName) proc.errnos.add(r.errnoName);
  }

  const byRule = [...rules.values()]
    .map(({ opCounter, errnos, truncs, ...rest }): RuleSummary => ({
      ...rest,
      ops: opCounter.sorted(),
      detail:
        rest.kind === 'errno'
          ? errnos
              .sorted()
              .map((e) => e.key)
              .join(',')
          : rest.kind === 'truncate'
            ? `to ${truncs
                .sorted(3)
                .map((e) => e.key)
                .join('/')} B`
            : rest.kind === 'throttle'
              ? `waits over threshold, max ${formatNs(rest.maxDelayNs)}`
              : rest.totalDelayNs > 0
                ? `total ${formatNs(rest.totalDelayNs)}, max ${formatNs(rest.maxDelayNs)}`
                : '',
    }))
    .sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));

  return {
    logPath,
    total,
    records: records.length,
    skippedLines: contents.skipped.length,
    firstTime,
    lastTime,
    spanNs: firstNs === null || lastNs === null ? 0 : Number(lastNs - firstNs),
    byRule,
    byKind: byKind.sorted(),
    byErrno: byErrno.sorted(),
    byOp: byOp.sorted(),
    topPaths: byPath.sorted(topN),
    byProcess: [...procs]
      .map(([pid, p]) => ({
        pid,
        comm: null,
        kinds: p.kinds.sorted(),
        errnos: p.errnos.sorted(),
        count: p.count,
      }))
      .sort((a, b) => b.count - a.count || a.pid - b.pid),
    trace: null,
  };
}

/** Columns joinTrace reads; pass them to TraceFile.batches({ columns }). */
export const TRACE_JOIN_COLUMNS = ['op', 'pid', 'comm', 'fault_kind', 'fault_errno'] as const;

/** Adds what the trace says about injected faults: per-process rows and comm names. */
export async function joinTrace(
  report: FaultReport,
  tracePath: string,
  batches: AsyncIterable<TraceBatch>,
): Promise<FaultReport> {
  const comms = new Map<number, string>();
  const rowsByKind = new Counter();
  const groups = new Map<string, TraceJoin['processes'][number]>();
  let traceRows = 0;
  for await (const batch of batches) {
    traceRows += batch.length;
    const op = stringColumn(batch, 'op');
    const comm = stringColumn(batch, 'comm');
    const kind = stringColumn(batch, 'fault_kind');
    const pid = intColumn(batch, 'pid');
    const ferrno = intColumn(batch, 'fault_errno');
    for (let i = 0; i < batch.length; i++) {
      const p = Number(pid.values[i]!);
      const c = stringAt(comm, i);
      if (c !== null && !comms.has(p)) comms.set(p, c);
      const k = stringAt(kind, i) as FaultKind | null;
      if (k === null) continue;
      rowsByKind.add(k);
      const e = ferrno.valid && ferrno.valid[i] === 0 ? null : errnoName(Number(ferrno.values[i]!));
      const o = stringAt(op, i) ?? OPS[0];
      const key = `${p}\0${c}\0${k}\0${e}\0${o}`;
      const group = groups.get(key);
      if (group) group.count++;
      else groups.set(key, { pid: p, comm: c, kind: k, errno: e, op: o, count: 1 });
    }
  }
  return {
    ...report,
    byProcess: report.byProcess.map((p) => ({ ...p, comm: comms.get(p.pid) ?? null })),
    trace: {
      tracePath,
      traceRows,
      rowsByKind: rowsByKind.sorted(),
      processes: [...groups.values()].sort((a, b) => b.count - a.count || a.pid - b.pid),
    },
  };
}

function stringColumn(batch: TraceBatch, name: string): Extract<Column, { kind: 'string' }> {
  const col = batch.columns[name];
  if (!col || col.kind !== 'string') throw new Error(`trace batch has no string column ${name}`);
  return col;
}

function intColumn(batch: TraceBatch, name: string): Extract<Column, { kind: 'int32' | 'int64' }> {
  const col = batch.columns[name];
  if (!col || col.kind === 'string') throw new Error(`trace batch has no integer column ${name}`);
  return col;
}

function stringAt(col: Extract<Column, { kind: 'string' }>, i: number): string | null {
  const idx = col.indices[i]!;
  return idx < 0 ? null : (col.dictionary[idx] ?? null);
}

function formatNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)}s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(1)}ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)}us`;
  return `${ns}ns`;
}

/** Plain-text rendering for the terminal. */
export function renderFaultReport(report: FaultReport): string {
  const out: string[] = [];
  if (report.total === 0) {
    out.push(`${report.logPath}: no injected faults recorded`);
  } else {
    out.push(
      `${report.logPath}: ${report.total} op${report.total === 1 ? '' : 's'} affected (${report.records} records), ` +
        `${report.firstTime} .. ${report.lastTime} (${formatNs(report.spanNs)} of capture time)`,
    );
  }
  if (report.skippedLines > 0) out.push(`  (${report.skippedLines} unreadable line(s) skipped)`);
  if (report.total > 0) {
    out.push('', 'By rule:');
    out.push(
      table(
        ['RULE', 'KIND', 'COUNT', 'DETAIL', 'OPS', 'FIRST', 'LAST'],
        report.byRule.map((r) => [
          r.rule,
          r.kind,
          String(r.count),
          r.detail,
          r.ops.map((o) => `${o.key} ${o.count}`).join(', '),
          r.firstTime,
          r.lastTime,
        ]),
        [2],
      ),
    );
    const inline = (list: Counted[]): string => list.map((c) => `${c.key} ${c.count}`).join(', ');
    out.push('', `By kind:  ${inline(report.byKind)}`);
    if (report.byErrno.length) out.push(`By errno: ${inline(report.byErrno)}`);
    out.push(`By op:    ${inline(report.byOp)}`);
    out.push('', `Top paths:`);
    out.push(
      table(
        ['PATH', 'COUNT'],
        report.topPaths.map((p) => [p.key, String(p.count)]),
        [1],
      ),
    );
    out.push('', 'By process (fault log):');
    out.push(
      table(
        ['PID', 'COMM', 'COUNT', 'KINDS', 'ERRNOS'],
        report.byProcess.map((p) => [
          String(p.pid),
          p.comm ?? '-',
          String(p.count),
          inline(p.kinds),
          inline(p.errnos),
        ]),
        [0, 2],
      ),
    );
  }
  if (report.trace) {
    const t = report.trace;
    out.push(
      '',
      `Trace ${t.tracePath}: ${t.traceRows} rows, ${t.rowsByKind.reduce((s, c) => s + c.count, 0)} with an overlay effect`,
    );
    if (t.processes.length === 0) {
      out.push('  no trace row carries an overlay effect');
    } else {
      out.push(
        table(
          ['PID', 'COMM', 'KIND', 'ERRNO', 'OP', 'ROWS'],
          t.processes.map((p) => [
            String(p.pid),
            p.comm ?? '-',
            p.kind,
            p.errno ?? '-',
            p.op,
            String(p.count),
          ]),
          [0, 5],
        ),
      );
    }
    const logKinds = new Map(report.byKind.map((c) => [c.key, c.count]));
    const mismatches = t.rowsByKind
      .map((c) => c.key)
      .concat(report.byKind.map((c) => c.key))
      .filter((k, i, all) => all.indexOf(k) === i && k !== 'throttle' && k !== 'delay')
      .filter((k) => (logKinds.get(k) ?? 0) !== (t.rowsByKind.find((c) => c.key === k)?.count ?? 0));
    // Delays and throttling can stack on a row reported under a stronger kind, so only errno and
    // truncate counts are expected to agree one to one.
    for (const k of mismatches) {
      out.push(
        `  note: the log has ${logKinds.get(k) ?? 0} ${k} record(s) but the trace has ` +
          `${t.rowsByKind.find((c) => c.key === k)?.count ?? 0} ${k} row(s) (a run cut short, or a different run?)`,
      );
    }
  }
  return out.join('\n');
}

function table(header: string[], rows: string[][], rightAligned: number[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]): string =>
    '  ' +
    cells
      .map((c, i) => (rightAligned.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n');
}
