/**
 * The aggregate part of the analysis run by embedded DuckDB over the trace files themselves:
 * DuckDB reads Parquet on all cores. Two plans give the same numbers: the fast plan
 * (sql-fast.ts: five scans, the default) and the portable queries of sql/*.sql (one scan each,
 * kept for other engines and tested here). What needs row order (max concurrency per bucket,
 * per-handle sequential detection, write patterns, dominant-I/O classes) is left to the
 * streaming analyzer: a report from here says so in `meta.engine` and has those sections empty.
 *
 * DuckDB (duckdb.ts) is loaded on first use only, so the rest of the CLI starts without it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { openTrace, type TraceFile } from '../trace/reader.js';
import type { Op } from '../trace/schema.js';
import { alignmentOf, describeSource, sourceKeysOf, type MultiTraceOptions } from './analyze.js';
import { DEFAULT_TOP } from './analyzer.js';
import { errnoName } from './errno.js';
import { buildFindings } from './findings.js';
import { resolveTraceInputs, sourceMatches } from './inputs.js';
import { KERNEL_ROUTINE_DESCRIPTIONS, KERNEL_ROUTINE_KINDS, KERNEL_ROUTINE_SQL } from './kernel-routine.js';
import picomatch from 'picomatch';
import { relativeErrorBound } from './latency-sketch.js';
import {
  createPerPath,
  cubeOf,
  exactPercentiles,
  faultBreakdown,
  faultsByPath,
  histograms,
  hotDirectories,
  hotListsOf,
  latencyHistogramsOf,
  markersOf,
  num,
  OP_SUB_BITS,
  portableRowsFromCube,
  quote,
  rankedFiles,
  slowestCalls,
  slowestFloorNs,
  str,
  type QueryRunner,
} from './sql-fast.js';
import { TIMELINE_RELATIVE_ERROR } from './timeline.js';
import type {
  CountEntry,
  HotLists,
  KernelRoutineStats,
  LatencyHistogram,
  Marker,
  SlowCall,
  OpStats,
  ProcessStats,
  Report,
  SourceStats,
  TimelineBucket,
} from './types.js';

/** The shipped queries, in the order they run. */
export const SQL_QUERIES = [
  'totals',
  'ops',
  'errors',
  'kernel_routine',
  'sync',
  'files',
  'processes',
  'timeline',
  'faults',
  'sources',
] as const;
export type SqlQueryName = (typeof SQL_QUERIES)[number];

/** sql/ at the repository (or package) root: the same path from src/analyze and dist/analyze. */
export const SQL_DIR = fileURLToPath(new URL('../../sql/', import.meta.url));

export function loadQuery(name: SqlQueryName | 'trace_view'): string {
  return readFileSync(`${SQL_DIR}${name}.sql`, 'utf8');
}

type Row = Record<string, unknown>;
export type SqlResults = Record<SqlQueryName, Row[]>;

const AUTO_INITIAL_WIDTH_NS = 1e6;
const AUTO_MAX_BUCKETS = 100;

/** The analyzer's automatic timeline width: 1 ms doubled until the last start fits 100 buckets. */
function autoBucketNs(originNs: number, lastStartNs: number): number {
  let width = AUTO_INITIAL_WIDTH_NS;
  while (Math.floor((lastStartNs - originNs) / width) >= AUTO_MAX_BUCKETS) width *= 2;
  return width;
}

interface Connection {
  run(sql: string): Promise<unknown>;
  runAndReadAll(sql: string): Promise<{ getRowObjectsJS(): Row[] }>;
  interrupt?(): void;
  closeSync?(): void;
}

interface Instance {
  connect(): Promise<unknown>;
  closeSync?(): void;
}

async function createInstance(): Promise<Instance> {
  let duck: typeof import('./duckdb.js');
  try {
    duck = await import('./duckdb.js');
  } catch {
    throw new UserError('the sql engine needs @duckdb/node-api (npm install @duckdb/node-api)');
  }
  const instance = (await duck.DuckDBInstance.create(':memory:')) as unknown as Instance;
  // Every query reads the same files: parse their Parquet footers once.
  const conn = (await instance.connect()) as Connection;
  await conn.run('SET GLOBAL parquet_metadata_cache = true');
  conn.closeSync?.();
  return instance;
}

/** Rows of the run as the `trace_rows` relation: aligned times, source number, filters applied. */
async function defineTrace(
  conn: Connection,
  traces: TraceFile[],
  offsets: bigint[],
  options: MultiTraceOptions,
  rowLimit?: number,
): Promise<void> {
  const files = `[${traces.map((t) => quote(t.path)).join(', ')}]`;
  // A prefix of each file (a preview): DuckDB skips the row groups past it.
  const perFile = rowLimit === undefined ? undefined : Math.max(1, Math.ceil(rowLimit / traces.length));
  const prefix = perFile === undefined ? '' : `, file_row_number = true`;
  const prefixWhere = perFile === undefined ? '' : ` WHERE file_row_number < ${perFile}`;
  const exclude = perFile === undefined ? '' : ' EXCLUDE (file_row_number)';
  const multi = traces.length > 1;
  if (multi) {
    await conn.run('CREATE TEMP TABLE run_sources (filename VARCHAR, source INTEGER, offset_ns BIGINT)');
    await conn.run(
      `INSERT INTO run_sources VALUES ${traces.map((t, i) => `(${quote(t.path)}, ${i}, ${offsets[i]})`).join(', ')}`,
    );
  }
  const raw = multi
    ? `SELECT r.* EXCLUDE (filename${perFile === undefined ? '' : ', file_row_number'}) REPLACE (r.start_ns + s.offset_ns AS start_ns, r.end_ns + s.offset_ns AS end_ns), s.source
       FROM read_parquet(${files}, filename = true${prefix}) r JOIN run_sources s ON r.filename = s.filename${prefixWhere}`
    : `SELECT *${exclude}, 0 AS source FROM read_parquet(${files}${prefix})${prefixWhere}`;
  const f = options.filter ?? {};
  const where: string[] = [];
  if (f.ops?.length) where.push(`op IN (${f.ops.map(quote).join(', ')})`);
  if (f.pids?.length) where.push(`pid IN (${f.pids.join(', ')})`);
  if (f.fromNs !== undefined) where.push(`start_ns >= ${f.fromNs}`);
  if (f.toNs !== undefined) where.push(`start_ns < ${f.toNs}`);
  if (f.pathGlob) {
    // The analyzer's picomatch semantics exactly: match the distinct paths here, join on them.
    const paths = (await conn.runAndReadAll(`SELECT DISTINCT path FROM (${raw})`)).getRowObjectsJS();
    const glob = f.pathGlob;
    const isMatch = picomatch(glob.startsWith('/') ? glob.slice(1) : glob, { dot: true });
    const keep = paths.map((r) => String(r.path)).filter((p) => isMatch(p.replace(/^\//, '')) || isMatch(p));
    await conn.run('CREATE TEMP TABLE kept_paths (path VARCHAR)');
    if (keep.length)
      await conn.run(`INSERT INTO kept_paths VALUES ${keep.map((p) => `(${quote(p)})`).join(', ')}`);
    where.push('path IN (SELECT path FROM kept_paths)');
  }
  await conn.run(
    `CREATE TEMP VIEW trace_rows AS SELECT * FROM (${raw}) ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
  );
  await conn.run(
    `CREATE TEMP VIEW trace AS SELECT t.*, ${KERNEL_ROUTINE_SQL} AS kernel_routine FROM trace_rows t`,
  );
}

/** Runs every shipped query (sql/*.sql) on a connection whose `trace` relation is defined. */
async function runSqlQueries(
  conn: Connection,
  options: MultiTraceOptions,
): Promise<{ results: SqlResults; bucketNs: number; originNs: number; top: number }> {
  const top = options.top ?? DEFAULT_TOP;
  const f = options.filter ?? {};
  const originNs = f.fromNs !== undefined ? Number(f.fromNs) : 0;
  const results = {} as SqlResults;
  results.totals = (await conn.runAndReadAll(loadQuery('totals'))).getRowObjectsJS();
  const last = await conn.runAndReadAll(`SELECT MAX(start_ns) AS s FROM trace WHERE op <> 'event'`);
  const bucketNs =
    options.bucketNs !== undefined
      ? Number(options.bucketNs)
      : autoBucketNs(originNs, num(last.getRowObjectsJS()[0]?.s));
  await conn.run(
    `CREATE TEMP TABLE params AS SELECT CAST(${bucketNs} AS BIGINT) AS bucket_ns, CAST(${originNs} AS BIGINT) AS origin_ns, ${top} AS top`,
  );
  for (const name of SQL_QUERIES) {
    if (name === 'totals') continue;
    results[name] = (await conn.runAndReadAll(loadQuery(name))).getRowObjectsJS();
  }
  return { results, bucketNs, originNs, top };
}

/**
 * One run's trace files (inputs resolved, source filter applied, aligned) and an embedded DuckDB
 * kept open across reports: the TUI asks it for a report per filter without re-opening anything.
 * Each report runs on its own connection, so a report still running for a stale filter never sees
 * another's temporary tables.
 */
export class SqlSession {
  private constructor(
    readonly traces: TraceFile[],
    readonly offsets: bigint[],
    readonly origin: bigint,
    private instance: Promise<Instance> | undefined,
  ) {}

  static async open(
    inputs: readonly string[],
    sourceFilter?: MultiTraceOptions['sourceFilter'],
  ): Promise<SqlSession> {
    // DuckDB starts on its own threads while the footers are read here (about 60 ms at start);
    // a failure to start it is reported by the first report().
    const instance = createInstance();
    instance.catch(() => undefined);
    try {
      const paths = await resolveTraceInputs(inputs);
      const opened = await Promise.all(paths.map((p) => openTrace(p)));
      const traces = opened.filter((t) => !sourceFilter || sourceMatches(sourceKeysOf(t), sourceFilter));
      if (traces.length === 0)
        throw new UserError(`no trace matches the source filter (of ${opened.length})`);
      const { origin, offsets } = alignmentOf(traces);
      return new SqlSession(traces, offsets, origin, instance);
    } catch (err) {
      closeInstance(instance);
      throw err;
    }
  }

  get rowsTotal(): number {
    return this.traces.reduce((s, t) => s + t.numRows, 0);
  }

  /**
   * The report for `options` (filters, top, bucket). With `rowLimit`, of the first rows only (a
   * preview: about rowLimit rows, split evenly over the files), marked by totals.rowsScanned.
   * `onReading` is called once DuckDB has been sent the first scan (reading continues on its
   * threads).
   */
  async report(
    options: SqlEngineOptions = {},
    rowLimit?: number,
    signal?: AbortSignal,
    onReading?: () => void,
  ): Promise<Report> {
    // A source filter given here (the TUI's source= terms) narrows the session's traces.
    const traces = options.sourceFilter
      ? this.traces.filter((t) => sourceMatches(sourceKeysOf(t), options.sourceFilter!))
      : this.traces;
    if (traces.length === 0)
      throw new UserError(`no trace matches the source filter (of ${this.traces.length})`);
    const { origin, offsets } = traces === this.traces ? this : alignmentOf(traces);
    this.instance ??= createInstance();
    const conn = (await (await this.instance).connect()) as Connection;
    // A report nobody wants any more (the TUI's filter changed) stops its running query and
    // runs no further ones, leaving both cores to the new one.
    const stop = (): void => conn.interrupt?.();
    signal?.addEventListener('abort', stop);
    try {
      signal?.throwIfAborted();
      await defineTrace(conn, traces, offsets, options, rowLimit);
      const perFile = rowLimit === undefined ? Infinity : Math.ceil(rowLimit / traces.length);
      const rowsScanned = traces.reduce((s, t) => s + Math.min(t.numRows, perFile), 0);
      const context = { traces, offsets, origin, rowsScanned, options };
      if (options.portable) {
        onReading?.();
        const { results, bucketNs, originNs, top } = await runSqlQueries(conn, options);
        return reportFromSql(results, { ...context, bucketNs, originNs, top });
      }
      const db: QueryRunner = {
        run: (sql) => {
          signal?.throwIfAborted();
          return conn.run(sql);
        },
        rows: async (sql) => {
          signal?.throwIfAborted();
          const reading = conn.runAndReadAll(sql);
          onReading?.();
          return (await reading).getRowObjectsJS();
        },
      };
      const { results, extras, bucketNs, originNs, top } = await fastPlanOn(db, options, traces.length > 1);
      signal?.throwIfAborted();
      return reportFromSql(results, { ...context, bucketNs, originNs, top }, extras);
    } catch (err) {
      // An interrupted query fails with DuckDB's own error: report the abort instead.
      signal?.throwIfAborted();
      throw err;
    } finally {
      signal?.removeEventListener('abort', stop);
      conn.closeSync?.();
    }
  }

  close(): void {
    if (this.instance) closeInstance(this.instance);
    this.instance = undefined;
  }
}

function closeInstance(instance: Promise<Instance>): void {
  void instance.then((i) => i.closeSync?.()).catch(() => undefined);
}

/**
 * A Report from DuckDB alone (the fast plan, or with `portable` the queries of sql/*.sql). The
 * sections that need row order are empty: timeline maxConcurrency 0, accessPatterns [], no
 * dominant-io or write-pattern findings. The portable queries also leave hot directories,
 * slowest calls, markers, histograms and the fault breakdowns empty; their percentiles are
 * exact (PERCENTILE_DISC), the fast plan's are the stream engine's (see sql-fast.ts).
 */
export async function analyzeTracesSql(
  inputs: readonly string[],
  options: SqlEngineOptions = {},
): Promise<Report> {
  const session = await SqlSession.open(inputs, options.sourceFilter);
  // Not closed here: closing DuckDB frees its caches and buffers, about 50 ms at 10M rows, which
  // `interposer analyze` (about to exit) need not wait for. A dropped instance is closed by the
  // bindings' finalizer once collected, so a long-lived caller does not keep it either.
  return session.report(options);
}

export interface SqlEngineOptions extends MultiTraceOptions {
  /** Run the portable queries of sql/*.sql one by one instead of the fast plan (tests, comparisons). */
  portable?: boolean;
}

/** What the fast plan adds to the portable queries' results. */
export interface FastExtras {
  exactOps: Set<string>;
  hotDirectories: HotLists;
  slowest: SlowCall[];
  markers: Marker[];
  latencyHistograms: LatencyHistogram[];
  faultsByErrno: Record<string, number>;
  faultsByOp: Record<string, number>;
  faultsByPath: CountEntry[];
}

/**
 * The fast plan over a connection whose `trace` relation is defined (filters applied);
 * `multiSource`: it holds several traces (its `source` column is not the constant 0).
 */
export async function fastPlanOn(
  db: QueryRunner,
  options: MultiTraceOptions,
  multiSource: boolean,
): Promise<{ results: SqlResults; extras: FastExtras; bucketNs: number; originNs: number; top: number }> {
  const top = options.top ?? DEFAULT_TOP;
  const f = options.filter ?? {};
  const originNs = f.fromNs !== undefined ? Number(f.fromNs) : 0;
  const cube = await cubeOf(db, multiSource);
  const folded = portableRowsFromCube(cube);
  const bucketNs =
    options.bucketNs !== undefined ? Number(options.bucketNs) : autoBucketNs(originNs, folded.lastStartNs);
  const io = num(folded.totals[0]!.io_time_ns);
  const share = (t: number) => (io > 0 ? t / io : 0);
  await db.run('DROP TABLE IF EXISTS per_path');
  await createPerPath(db);
  const files = await rankedFiles(db, top);
  const dirs = await hotDirectories(db, top, share);
  const faultPaths = await faultsByPath(db, top);
  const hist = await histograms(db, folded.ops, bucketNs, originNs);
  const exact = await exactPercentiles(db, folded.ops);
  const slowest = await slowestCalls(db, top, slowestFloorNs(hist.ops.values(), top));
  const markers = await markersOf(db, num(folded.totals[0]!.markers));
  const ops = folded.ops.map((r) => {
    const q = exact.get(r.op) ?? hist.ops.get(r.op)!.quantiles([0.5, 0.9, 0.99, 0.999]);
    return { ...r, p50_ns: q[0], p90_ns: q[1], p99_ns: q[2], p999_ns: q[3] };
  });
  const timeline = [...hist.buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([bucket, { row, latency }]) => {
      const [p50, p99] = latency.quantiles([0.5, 0.99]);
      return { ...row, bucket, calls: row.n, p50_ns: p50, p99_ns: p99 };
    });
  const breakdown = faultBreakdown(cube);
  return {
    results: {
      totals: folded.totals,
      ops,
      errors: folded.errors,
      kernel_routine: folded.kernel_routine,
      sync: folded.sync,
      files,
      processes: folded.processes,
      timeline,
      faults: folded.faults,
      sources: folded.sources,
    },
    extras: {
      exactOps: new Set(exact.keys()),
      hotDirectories: dirs,
      slowest,
      markers,
      latencyHistograms: latencyHistogramsOf(hist.ops),
      faultsByErrno: breakdown.byErrno,
      faultsByOp: breakdown.byOp,
      faultsByPath: faultPaths,
    },
    bucketNs,
    originNs,
    top,
  };
}

interface SqlContext {
  traces: TraceFile[];
  offsets: bigint[];
  origin: bigint;
  bucketNs: number;
  originNs: number;
  top: number;
  rowsScanned: number;
  options: MultiTraceOptions;
}

/** Rows (kind, errno) merged per kind, in KERNEL_ROUTINE_KINDS order like the analyzer's. */
function kernelRoutineFromSql(rows: Row[], share: (t: number) => number): KernelRoutineStats[] {
  return KERNEL_ROUTINE_KINDS.flatMap((kind) => {
    const mine = rows.filter((r) => r.kind === kind);
    if (mine.length === 0) return [];
    const failed = mine.filter((r) => num(r.errno) !== 0);
    const timeNs = mine.reduce((s, r) => s + num(r.time_ns), 0);
    return [
      {
        kind,
        description: KERNEL_ROUTINE_DESCRIPTIONS[kind],
        calls: mine.reduce((s, r) => s + num(r.calls), 0),
        errors: failed.reduce((s, r) => s + num(r.calls), 0),
        errorsByErrno: Object.fromEntries(
          failed
            .map((r): [string, number] => [errnoName(num(r.errno)), num(r.calls)])
            .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
        ),
        timeNs,
        shareOfTime: share(timeNs),
      },
    ];
  });
}

export function reportFromSql(q: SqlResults, c: SqlContext, extras?: FastExtras): Report {
  const t = q.totals[0] ?? {};
  const io = num(t.io_time_ns);
  const share = (x: number) => (io > 0 ? x / io : 0);
  const calls = num(t.calls);
  const errorsOf = (op: string, pick: (r: Row) => number) => {
    const out: [string, number][] = q.errors
      .filter((r) => r.op === op && pick(r) > 0)
      .map((r) => [errnoName(num(r.errno)), pick(r)]);
    return Object.fromEntries(out.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  };
  const ops: OpStats[] = q.ops.map((r) => ({
    op: String(r.op) as Op,
    count: num(r.calls),
    errors: num(r.errors),
    bytes: num(r.bytes),
    totalTimeNs: num(r.time_ns),
    shareOfTime: share(num(r.time_ns)),
    latency: {
      count: num(r.calls),
      minNs: num(r.min_ns),
      maxNs: num(r.max_ns),
      meanNs: num(r.time_ns) / num(r.calls),
      p50Ns: num(r.p50_ns),
      p90Ns: num(r.p90_ns),
      p99Ns: num(r.p99_ns),
      p999Ns: num(r.p999_ns),
      exact: extras ? extras.exactOps.has(String(r.op)) : true,
    },
    errorsByErrno: errorsOf(String(r.op), (e) => num(e.calls)),
    injectedErrorsByErrno: errorsOf(String(r.op), (e) => num(e.injected)),
    kernelRoutineErrorsByErrno: errorsOf(String(r.op), (e) => num(e.kernel_routine)),
  }));
  const processes: ProcessStats[] = q.processes.map((r) => ({
    pid: num(r.pid),
    comm: str(r.comm),
    uid: num(r.uid),
    ops: num(r.calls),
    bytes: num(r.bytes),
    readBytes: num(r.read_bytes),
    writeBytes: num(r.write_bytes),
    timeNs: num(r.time_ns),
    errors: num(r.errors),
    shareOfTime: share(num(r.time_ns)),
    firstStartNs: num(r.first_start_ns),
    lastEndNs: num(r.last_end_ns),
  }));
  const perSec = 1e9 / c.bucketNs;
  const byBucket = new Map(q.timeline.map((r) => [num(r.bucket), r]));
  const lastBucket = q.timeline.reduce((m, r) => Math.max(m, num(r.bucket)), -1);
  const buckets: TimelineBucket[] = Array.from({ length: lastBucket + 1 }, (_, i) => {
    const r = byBucket.get(i) ?? {};
    return {
      startNs: c.originNs + i * c.bucketNs,
      ops: num(r.calls),
      opsPerSec: num(r.calls) * perSec,
      readBytes: num(r.read_bytes),
      writeBytes: num(r.write_bytes),
      readBytesPerSec: num(r.read_bytes) * perSec,
      writeBytesPerSec: num(r.write_bytes) * perSec,
      errors: num(r.errors),
      faults: num(r.faults),
      p50Ns: num(r.p50_ns),
      p99Ns: num(r.p99_ns),
      maxConcurrency: 0,
    };
  });
  const faultRows = q.faults.filter((r) => r.fault_kind !== null);
  const injectedDelayNs = q.faults.reduce((s, r) => s + num(r.injected_delay_ns), 0);
  const throttleWaitNs = q.faults.reduce((s, r) => s + num(r.throttle_wait_ns), 0);
  const sourceRows = new Map(q.sources.map((r) => [num(r.source), r]));
  const sources: SourceStats[] = c.traces.map((trace, i) => {
    const r = sourceRows.get(i) ?? {};
    const n = {
      calls: num(r.calls),
      bytes: num(r.bytes),
      errors: num(r.errors),
      timeNs: num(r.time_ns),
      first: num(r.first_start_ns),
      last: num(r.last_end_ns),
    };
    return describeSource(trace, c.offsets[i]!, n, io);
  });
  const f = c.options.filter;
  const first = c.traces[0]!;
  const report: Report = {
    meta: {
      source: c.traces.length === 1 ? first.path : `${c.traces.length} traces (${first.path}, ...)`,
      schemaVersion: first.metadata.schemaVersion,
      wallClockAnchorNs: (c.traces.length === 1 ? first.metadata.wallClockAnchorNs : c.origin).toString(),
      keyValue: first.metadata.keyValue,
      filter: {
        ...(c.options.sourceFilter ? { sources: { ...c.options.sourceFilter } } : {}),
        ops: f?.ops?.length ? [...f.ops] : null,
        pathGlob: f?.pathGlob ?? null,
        pids: f?.pids?.length ? [...f.pids] : null,
        fromNs: f?.fromNs !== undefined ? Number(f.fromNs) : null,
        toNs: f?.toNs !== undefined ? Number(f.toNs) : null,
      },
      top: c.top,
      relativeErrorBound: extras ? relativeErrorBound(OP_SUB_BITS) : 0,
      timelineRelativeErrorBound: extras ? TIMELINE_RELATIVE_ERROR : 0,
      engine: 'sql',
    },
    totals: {
      rowsScanned: c.rowsScanned,
      rows: num(t.row_count),
      markers: num(t.markers),
      calls,
      firstStartNs: calls ? num(t.first_start_ns) : 0,
      lastEndNs: calls ? num(t.last_end_ns) : 0,
      spanNs: calls ? num(t.last_end_ns) - num(t.first_start_ns) : 0,
      bytesRead: num(t.bytes_read),
      bytesWritten: num(t.bytes_written),
      errors: num(t.errors),
      ioTimeNs: io,
      kernelRoutineErrors: num(t.kernel_routine_errors),
    },
    ops,
    timeline: { bucketNs: c.bucketNs, originNs: c.originNs, buckets, lateConcurrencyRows: 0 },
    hotFiles: hotListsOf(q.files, c.top, share),
    hotDirectories: extras?.hotDirectories ?? { byOps: [], byBytes: [], byTime: [] },
    accessPatterns: [],
    slowest: extras?.slowest ?? [],
    processes: processes.slice(0, c.top),
    faults: {
      rows: faultRows.reduce((s, r) => s + num(r.row_count), 0),
      byKind: Object.fromEntries(faultRows.map((r) => [String(r.fault_kind), num(r.row_count)])),
      byErrno: extras?.faultsByErrno ?? {},
      byOp: extras?.faultsByOp ?? {},
      byPath: extras?.faultsByPath ?? [],
      injectedDelayNs,
      throttleWaitNs,
      costNs: injectedDelayNs + throttleWaitNs,
      shareOfTime: share(injectedDelayNs + throttleWaitNs),
    },
    latencyHistograms: extras?.latencyHistograms ?? [],
    markers: extras?.markers ?? [],
    findings: [],
    bottlenecks: [],
    kernelRoutine: kernelRoutineFromSql(q.kernel_routine, share),
    syncCalls: q.sync.map((r) => ({
      call: String(r.call) as 'fsync' | 'fdatasync' | 'fsyncdir',
      count: num(r.calls),
      errors: num(r.errors),
      timeNs: num(r.time_ns),
      meanNs: num(r.time_ns) / num(r.calls),
      maxNs: num(r.max_ns),
      shareOfTime: share(num(r.time_ns)),
    })),
    sources,
  };
  const errorTimes = new Map(q.errors.map((r) => [`${r.op} ${errnoName(num(r.errno))}`, num(r.time_ns)]));
  report.findings = buildFindings(report, [], errorTimes, processes);
  report.bottlenecks = report.findings.map((x) => x.text);
  return report;
}
