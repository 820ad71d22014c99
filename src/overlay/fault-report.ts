/**
 * What `interposer faults` reports: which injected faults a run's application saw, from the
 * overlay's fault log, optionally joined with the run's trace (which processes got them).
 * Pure functions over records/rows; the command does the I/O and printing.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { InputError } from '../errors.js';
import type { Column, TraceBatch } from '../trace/batch.js';
import { FAULT_KINDS, OPS, type FaultKind } from '../trace/schema.js';
import { errnoName } from './errno.js';
import { signalName } from './signals.js';
import type { FaultRecord } from './fault-log.js';

export interface FaultLogContents {
  records: FaultRecord[];
  /** Lines that are not fault records (e.g. a torn last line after a crash). */
  skipped: { line: number; reason: string }[];
}

const PARQUET_MAGIC = 'PAR1';

/** The first bytes of `path`, or a one-line InputError naming why it cannot be read. */
async function readHead(path: string, bytes: number): Promise<string> {
  try {
    const file = await open(path, 'r');
    try {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await file.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead).toString('latin1');
    } finally {
      await file.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such fault log`);
    if (code === 'EISDIR') throw new InputError(`${path}: is a directory, not a fault log`);
    throw new InputError(`${path}: cannot read fault log (${(err as Error).message})`);
  }
}

/**
 * Reads a fault log. A torn or foreign line among records is skipped and reported (a crash can
 * leave one); a file with no record at all (empty, a Parquet trace, any other text) is refused.
 */
export async function readFaultLog(path: string): Promise<FaultLogContents> {
  if ((await readHead(path, PARQUET_MAGIC.length)) === PARQUET_MAGIC)
    throw new InputError(`${path}: is a Parquet trace, not a fault log (join a trace with --trace)`);
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
    throw new InputError(`${path}: cannot read fault log (${(err as Error).message})`);
  }
  if (records.length === 0) {
    const first = skipped[0];
    throw new InputError(
      first
        ? `${path}: not a fault log (line ${first.line}: ${first.reason})`
        : `${path}: empty, no fault records (an overlay that injected nothing leaves an empty log)`,
    );
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
  /** errno name, "to N bytes", bytes corrupted, signal name, or delay total/max, by kind. */
  detail: string;
  ops: Counted[];
  firstTime: string;
  lastTime: string;
  totalDelayNs: number;
  maxDelayNs: number;
  /** Bytes this rule corrupted (corrupt rules), else 0. */
  corruptedBytes: number;
}

export interface ProcessSummary {
  pid: number;
  comm: string | null;
  kinds: Counted[];
  errnos: Counted[];
  /** Signals the overlay sent to this process. */
  signals: Counted[];
  count: number;
}

export interface TraceJoin {
  tracePath: string;
  traceRows: number;
  /** Trace rows the overlay touched, by kind; compare with the log's counts. */
  rowsByKind: Counted[];
  /** Trace rows with an injected errno (fault_errno), whatever their kind. */
  rowsWithErrno: number;
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
  /** Signals sent to callers, by name. */
  bySignal: Counted[];
  /** Bytes changed by corrupt rules, in all. */
  corruptedBytes: number;
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
  const bySignal = new Counter();
  let corruptedBytes = 0;
  const byOp = new Counter();
  const byPath = new Counter();
  const rules = new Map<
    string,
    RuleSummary & { opCounter: Counter; errnos: Counter; truncs: Counter; signals: Counter; modes: Counter }
  >();
  const procs = new Map<number, { kinds: Counter; errnos: Counter; signals: Counter; count: number }>();
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
    const signal = r.kind === 'signal' ? (r.signalName ?? signalName(r.signal ?? 0)) : null;
    if (signal !== null) bySignal.add(signal);
    const corrupted = r.kind === 'corrupt' ? (r.corrupt?.length ?? 0) : 0;
    corruptedBytes += corrupted;
    const t = BigInt(r.tNs);
    if (firstNs === null || t < firstNs) firstNs = t;
    if (lastNs === null || t > lastNs) lastNs = t;
    if (firstTime === null || r.time < firstTime) firstTime = r.time;
    if (lastTime === null || r.time > lastTime) lastTime = r.time;

    // One entry per rule and kind: a rule with several actions (errno + signal, say) writes a
    // record for each, and counting them together would count its ops twice.
    const ruleKey = `${r.rule}\0${r.kind}`;
    let rule = rules.get(ruleKey);
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
        corruptedBytes: 0,
        opCounter: new Counter(),
        errnos: new Counter(),
        truncs: new Counter(),
        signals: new Counter(),
        modes: new Counter(),
      };
      rules.set(ruleKey, rule);
    }
    rule.count += ops;
    rule.opCounter.add(r.op, ops);
    if (r.time < rule.firstTime) rule.firstTime = r.time;
    if (r.time > rule.lastTime) rule.lastTime = r.time;
    if (r.errnoName) rule.errnos.add(r.errnoName);
    if (r.truncateTo !== undefined) rule.truncs.add(String(r.truncateTo));
    if (signal !== null) rule.signals.add(signal);
    if (r.kind === 'corrupt') {
      rule.corruptedBytes += corrupted;
      if (r.corruptMode) rule.modes.add(r.corruptMode);
    }
    if (r.kind === 'delay') {
      rule.totalDelayNs += r.delayNs ?? 0;
      rule.maxDelayNs = Math.max(rule.maxDelayNs, r.delayNs ?? 0);
    } else if (r.kind === 'throttle') {
      rule.maxDelayNs = Math.max(rule.maxDelayNs, r.maxThrottleWaitNs ?? r.throttleWaitNs ?? 0);
    }

    let proc = procs.get(r.pid);
    if (!proc)
      procs.set(
        r.pid,
        (proc = { kinds: new Counter(), errnos: new Counter(), signals: new Counter(), count: 0 }),
      );
    proc.count += ops;
    proc.kinds.add(r.kind, ops);
    if (r.errnoName) proc.errnos.add(r.errnoName);
    if (signal !== null) proc.signals.add(signal);
  }

  const byRule = [...rules.values()]
    .map(({ opCounter, errnos, truncs, signals, modes, ...rest }): RuleSummary => ({
      ...rest,
      ops: opCounter.sorted(),
      detail: ruleDetail(rest, errnos, truncs, signals, modes),
    }))
    .sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule) || a.kind.localeCompare(b.kind));

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
    bySignal: bySignal.sorted(),
    corruptedBytes,
    byOp: byOp.sorted(),
    topPaths: byPath.sorted(topN),
    byProcess: [...procs]
      .map(([pid, p]) => ({
        pid,
        comm: null,
        kinds: p.kinds.sorted(),
        errnos: p.errnos.sorted(),
        signals: p.signals.sorted(),
        count: p.count,
      }))
      .sort((a, b) => b.count - a.count || a.pid - b.pid),
    trace: null,
  };
}

function ruleDetail(
  rule: Omit<RuleSummary, 'ops' | 'detail'>,
  errnos: Counter,
  truncs: Counter,
  signals: Counter,
  modes: Counter,
): string {
  const keys = (c: Counter, limit = Infinity): string =>
    c
      .sorted(limit)
      .map((e) => e.key)
      .join(',');
  switch (rule.kind) {
    case 'errno':
      return keys(errnos);
    case 'truncate':
      return `to ${keys(truncs, 3).replaceAll(',', '/')} B`;
    case 'corrupt':
      return `${rule.corruptedBytes} B changed (${keys(modes)})`;
    case 'signal':
      return keys(signals);
    case 'throttle':
      return `waits over threshold, max ${formatNs(rule.maxDelayNs)}`;
    default:
      return rule.totalDelayNs > 0
        ? `total ${formatNs(rule.totalDelayNs)}, max ${formatNs(rule.maxDelayNs)}`
        : '';
  }
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
  let rowsWithErrno = 0;
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
      if (e !== null) rowsWithErrno++;
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
      rowsWithErrno,
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
    if (report.bySignal.length) out.push(`By signal: ${inline(report.bySignal)}`);
    if (report.corruptedBytes > 0) out.push(`Corrupted: ${report.corruptedBytes} B`);
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
        ['PID', 'COMM', 'COUNT', 'KINDS', 'ERRNOS', 'SIGNALS'],
        report.byProcess.map((p) => [
          String(p.pid),
          p.comm ?? '-',
          String(p.count),
          inline(p.kinds),
          inline(p.errnos),
          inline(p.signals),
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
    for (const m of kindMismatches(report, t)) {
      out.push(
        `  note: the log has ${m.log} ${m.kind} record(s) but the trace has ` +
          `${m.trace} ${m.kind} row(s) (a run cut short, or a different run?)`,
      );
    }
  }
  return out.join('\n');
}

/**
 * Kinds whose log and trace counts should agree one to one. A row has one fault_kind (signal >
 * errno > corrupt > truncate > delay > throttle), so a kind is comparable only when nothing that
 * can share its op outranks it in this log; errno is compared through the fault_errno column,
 * which a row keeps whatever its kind. Delays and throttling stack freely and are never compared.
 */
export function kindMismatches(
  report: FaultReport,
  trace: TraceJoin,
): { kind: FaultKind; log: number; trace: number }[] {
  const logCount = (k: string): number => report.byKind.find((c) => c.key === k)?.count ?? 0;
  const rowCount = (k: string): number => trace.rowsByKind.find((c) => c.key === k)?.count ?? 0;
  const outrankedBy: [FaultKind, FaultKind[]][] = [
    ['signal', []],
    ['errno', []],
    ['corrupt', ['signal']],
    ['truncate', ['signal', 'corrupt']],
  ];
  const out: { kind: FaultKind; log: number; trace: number }[] = [];
  for (const [kind, above] of outrankedBy) {
    if (above.some((k) => logCount(k) > 0)) continue;
    const log = logCount(kind);
    const rows = kind === 'errno' ? trace.rowsWithErrno : rowCount(kind);
    if (log !== rows) out.push({ kind, log, trace: rows });
  }
  return out;
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
