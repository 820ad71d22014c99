/**
 * The sql engine's fast plan: the same results as the portable queries of sql/*.sql (and the
 * stream analyzer's numbers), from five scans of the Parquet files instead of eleven, without
 * sorting any duration.
 *
 * - `cube`: one GROUP BY over raw low-cardinality keys (op, errno, pid, fault kind and errno,
 *   source, and the flags the kernel-routine rule and fdatasync need). Totals, per-op counts,
 *   errors, kernel routine, sync calls, faults, sources and processes are sums, minima or maxima
 *   of its rows, folded here in JavaScript.
 * - `per_path`: one GROUP BY path and op, kept as a temporary table; hot files, hot directories
 *   and faults by path are ranked from it in SQL.
 * - `histograms`: latency percentiles from the stream analyzer's own log-linear histograms
 *   (latency-sketch.ts), whose bucket (floor(log2 d) and mantissa) is computed in SQL: per op (7
 *   sub-bits, error <= 0.39%) and per timeline bucket (4 sub-bits, <= 3.1%), so the percentiles
 *   are the stream engine's, bucket for bucket. Then the timeline's counters. Ops with at most
 *   EXACT_SAMPLE_LIMIT calls get exact nearest-rank percentiles from a filtered query, as the
 *   stream engine keeps their values too.
 * - `slowest` (top-N by duration) and, when there are any, `markers` (op 'event').
 *
 * What needs row order (concurrency per bucket, per-handle sequentiality, write patterns,
 * dominant-I/O classes) is not computed here: see sql-engine.ts.
 */
import { OPS, type FaultKind, type Op } from '../trace/schema.js';
import { LATENCY_SUB_BITS } from './analyzer.js';
import { errnoName } from './errno.js';
import { CAPABILITY_XATTR, KERNEL_ROUTINE_KINDS, kernelRoutineCode } from './kernel-routine.js';
import { EXACT_SAMPLE_LIMIT, LogHistogram } from './latency-sketch.js';
import { TIMELINE_SUB_BITS } from './timeline.js';
import type { CountEntry, HotEntry, HotLists, LatencyHistogram, Marker, SlowCall } from './types.js';

type Row = Record<string, unknown>;

export interface QueryRunner {
  run(sql: string): Promise<unknown>;
  rows(sql: string): Promise<Row[]>;
}

/** Per-op latency precision: the stream analyzer's. */
export const OP_SUB_BITS = LATENCY_SUB_BITS;
const MAX_MARKERS = 1000;
const DIRECTORY_OPS = ['mkdir', 'rmdir', 'opendir', 'readdir', 'releasedir', 'fsyncdir'];

/** A result cell as a number (SQL NULL: 0), as a string (NULL: null); a string as an SQL literal. */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/**
 * floor(log2(d)) in SQL for a BIGINT d (durations clamp to >= 0, as LogHistogram.indexOf does):
 * the double logarithm can round up to the next integer just below a power of two (above 2^48
 * ns), never down; histogramIndex corrects that case.
 */
const LOG2_SQL = 'CAST(FLOOR(LOG2(GREATEST(d, 1))) AS INTEGER)';

/**
 * LogHistogram.indexOf from (e, m) = (floor(log2 d), d >> max(e - subBits, 0)) as computed in
 * SQL. When the logarithm rounded up, m lost its top bit: d was just below 2^e, so the true
 * mantissa is all ones.
 */
export function histogramIndex(subBits: number, e: number, m: number): number {
  const sub = 2 ** subBits;
  if (e < subBits) return m;
  if (m < sub) {
    e -= 1;
    m = 2 * m + 1;
    if (e < subBits) return m;
  }
  return (e - subBits + 1) * sub + m - sub;
}

export interface CubeRow {
  op: string;
  errno: number;
  kernelRoutine: string | null;
  syncCall: string | null;
  faultKind: string | null;
  faultErrno: number;
  source: number;
  pid: number;
  calls: number;
  bytes: number;
  readBytes: number;
  writeBytes: number;
  timeNs: number;
  minNs: number;
  maxNs: number;
  firstStartNs: number;
  lastEndNs: number;
  lastStartNs: number;
  comm: string | null;
  uid: number;
  injectedDelayNs: number;
  throttleWaitNs: number;
}

/**
 * The low-cardinality aggregate every per-op, per-process and per-source table is folded from.
 * Grouped by raw columns and flags only (no CASE per row): the kernel-routine kind, the sync
 * call and the read/write split are derived here from the group's keys.
 */
export async function cubeOf(db: QueryRunner, bySource: boolean): Promise<CubeRow[]> {
  // One trace has one source: grouping by the constant still costs a key per row.
  const rows = await db.rows(`
    SELECT op, errno, pid, fault_kind, fault_errno,${bySource ? ' source,' : ''}
      path2 = '${CAPABILITY_XATTR}' AS capability, fh IS NOT NULL AS has_fh, COALESCE(flags, 0) <> 0 AS has_flags,
      COUNT(*) AS calls,
      SUM(bytes) AS bytes,
      SUM(duration_ns) AS time_ns,
      MIN(duration_ns) AS min_ns,
      MAX(duration_ns) AS max_ns,
      MIN(start_ns) AS first_start_ns,
      MAX(start_ns + duration_ns) AS last_end_ns,
      MAX(start_ns) AS last_start_ns,
      MIN(comm) AS comm,
      MIN(uid) AS uid,
      SUM(fault_delay_ns) AS injected_delay_ns,
      SUM(throttle_wait_ns) AS throttle_wait_ns
    FROM trace
    GROUP BY ALL`);
  return rows.map((r) => {
    const op = String(r.op);
    const errno = num(r.errno);
    const pid = num(r.pid);
    const bytes = num(r.bytes);
    const faultKind = str(r.fault_kind);
    const routine = kernelRoutineCode(
      op as Op,
      r.capability === true ? CAPABILITY_XATTR : null,
      r.has_fh === true,
      pid,
    );
    return {
      op,
      errno,
      kernelRoutine: routine < 0 ? null : KERNEL_ROUTINE_KINDS[routine]!,
      syncCall:
        op === 'fsyncdir'
          ? 'fsyncdir'
          : op === 'fsync'
            ? r.has_flags === true
              ? 'fdatasync'
              : 'fsync'
            : null,
      faultKind,
      faultErrno: faultKind === null ? 0 : r.fault_errno === null ? errno : num(r.fault_errno),
      source: bySource ? num(r.source) : 0,
      pid,
      calls: num(r.calls),
      bytes,
      readBytes: op === 'read' ? bytes : 0,
      writeBytes: op === 'write' || op === 'copy_file_range' ? bytes : 0,
      timeNs: num(r.time_ns),
      minNs: num(r.min_ns),
      maxNs: num(r.max_ns),
      firstStartNs: num(r.first_start_ns),
      lastEndNs: num(r.last_end_ns),
      lastStartNs: num(r.last_start_ns),
      comm: str(r.comm),
      uid: num(r.uid),
      injectedDelayNs: num(r.injected_delay_ns),
      throttleWaitNs: num(r.throttle_wait_ns),
    };
  });
}

/** Sums rows by a key; `fold` adds one row into the group's accumulator. */
function groupBy<K, A>(
  rows: readonly CubeRow[],
  key: (r: CubeRow) => K,
  init: () => A,
  fold: (a: A, r: CubeRow) => void,
) {
  const out = new Map<K, A>();
  for (const r of rows) {
    const k = key(r);
    let a = out.get(k);
    if (a === undefined) {
      a = init();
      out.set(k, a);
    }
    fold(a, r);
  }
  return out;
}

interface Sums {
  calls: number;
  bytes: number;
  readBytes: number;
  writeBytes: number;
  timeNs: number;
  errors: number;
  injected: number;
  kernelRoutine: number;
  minNs: number;
  maxNs: number;
  first: number;
  last: number;
  lastStart: number;
  comm: string | null;
  uid: number;
  delay: number;
  throttle: number;
}

const emptySums = (): Sums => ({
  calls: 0,
  bytes: 0,
  readBytes: 0,
  writeBytes: 0,
  timeNs: 0,
  errors: 0,
  injected: 0,
  kernelRoutine: 0,
  minNs: Infinity,
  maxNs: -Infinity,
  first: Infinity,
  last: -Infinity,
  lastStart: -Infinity,
  comm: null,
  uid: Infinity,
  delay: 0,
  throttle: 0,
});

function addSums(a: Sums, r: CubeRow): void {
  a.calls += r.calls;
  a.bytes += r.bytes;
  a.readBytes += r.readBytes;
  a.writeBytes += r.writeBytes;
  a.timeNs += r.timeNs;
  if (r.errno !== 0) a.errors += r.calls;
  if (r.faultKind === 'errno') a.injected += r.calls;
  if (r.kernelRoutine !== null) a.kernelRoutine += r.calls;
  a.minNs = Math.min(a.minNs, r.minNs);
  a.maxNs = Math.max(a.maxNs, r.maxNs);
  a.first = Math.min(a.first, r.firstStartNs);
  a.last = Math.max(a.last, r.lastEndNs);
  a.lastStart = Math.max(a.lastStart, r.lastStartNs);
  if (r.comm !== null && (a.comm === null || r.comm < a.comm)) a.comm = r.comm;
  a.uid = Math.min(a.uid, r.uid);
  a.delay += r.injectedDelayNs;
  a.throttle += r.throttleWaitNs;
}

const sumsBy = <K>(rows: readonly CubeRow[], key: (r: CubeRow) => K) =>
  groupBy(rows, key, emptySums, addSums);

/**
 * The portable queries' result rows (totals, errors, kernel_routine, sync, processes, faults,
 * sources, and ops without percentiles) folded from the cube, in their ORDER BY.
 */
export function portableRowsFromCube(cube: readonly CubeRow[]) {
  const calls = cube.filter((r) => r.op !== 'event');
  const all = [...sumsBy(cube, () => 0).values()][0] ?? emptySums();
  const io = [...sumsBy(calls, () => 0).values()][0] ?? emptySums();
  const totals: Row = {
    row_count: all.calls,
    markers: all.calls - io.calls,
    calls: io.calls,
    first_start_ns: io.calls ? io.first : null,
    last_end_ns: io.calls ? io.last : null,
    bytes_read: io.readBytes,
    bytes_written: io.writeBytes,
    errors: io.errors,
    kernel_routine_errors: calls
      .filter((r) => r.errno !== 0 && r.kernelRoutine !== null)
      .reduce((s, r) => s + r.calls, 0),
    io_time_ns: io.timeNs,
  };
  const ops = [...sumsBy(calls, (r) => r.op).entries()]
    .map(([op, s]) => ({
      op,
      calls: s.calls,
      errors: s.errors,
      bytes: s.bytes,
      time_ns: s.timeNs,
      min_ns: s.minNs,
      max_ns: s.maxNs,
    }))
    .sort((a, b) => b.time_ns - a.time_ns || a.op.localeCompare(b.op));
  const errors = [
    ...sumsBy(
      calls.filter((r) => r.errno !== 0),
      (r) => `${r.op}\0${r.errno}`,
    ).entries(),
  ]
    .map(([k, s]) => {
      const [op, errno] = k.split('\0');
      return {
        op,
        errno: Number(errno),
        calls: s.calls,
        injected: s.injected,
        kernel_routine: s.kernelRoutine,
        time_ns: s.timeNs,
      };
    })
    .sort((a, b) => b.calls - a.calls || a.op!.localeCompare(b.op!) || a.errno - b.errno);
  const kernelRoutine = [
    ...sumsBy(
      cube.filter((r) => r.kernelRoutine !== null),
      (r) => `${r.kernelRoutine}\0${r.errno}`,
    ).entries(),
  ].map(([k, s]) => {
    const [kind, errno] = k.split('\0');
    return { kind, errno: Number(errno), calls: s.calls, time_ns: s.timeNs };
  });
  const sync = [
    ...sumsBy(
      cube.filter((r) => r.syncCall !== null),
      (r) => r.syncCall!,
    ).entries(),
  ]
    .map(([call, s]) => ({ call, calls: s.calls, errors: s.errors, time_ns: s.timeNs, max_ns: s.maxNs }))
    .sort((a, b) => b.time_ns - a.time_ns);
  const processes = [...sumsBy(calls, (r) => r.pid).entries()]
    .map(([pid, s]) => ({
      pid,
      comm: s.comm,
      uid: s.uid,
      calls: s.calls,
      bytes: s.bytes,
      read_bytes: s.readBytes,
      write_bytes: s.writeBytes,
      time_ns: s.timeNs,
      errors: s.errors,
      first_start_ns: s.first,
      last_end_ns: s.last,
    }))
    .sort((a, b) => b.time_ns - a.time_ns || a.pid - b.pid);
  const faults = [...sumsBy(calls, (r) => r.faultKind).entries()]
    .map(([kind, s]) => ({
      fault_kind: kind,
      row_count: s.calls,
      injected_delay_ns: s.delay,
      throttle_wait_ns: s.throttle,
    }))
    .sort((a, b) => b.row_count - a.row_count);
  const sources = [...sumsBy(calls, (r) => r.source).entries()]
    .map(([source, s]) => ({
      source,
      calls: s.calls,
      bytes: s.bytes,
      errors: s.errors,
      time_ns: s.timeNs,
      first_start_ns: s.first,
      last_end_ns: s.last,
    }))
    .sort((a, b) => a.source - b.source);
  const lastStartNs = io.calls ? io.lastStart : 0;
  return {
    totals: [totals],
    ops,
    errors,
    kernel_routine: kernelRoutine,
    sync,
    processes,
    faults,
    sources,
    lastStartNs,
  };
}

/** Faults by injected errno and by op (the stream analyzer's faults.byErrno and byOp). */
export function faultBreakdown(cube: readonly CubeRow[]) {
  const faulted = cube.filter((r) => r.op !== 'event' && r.faultKind !== null);
  const record = (entries: [string, number][]) => {
    const merged = new Map<string, number>();
    for (const [k, v] of entries) merged.set(k, (merged.get(k) ?? 0) + v);
    return Object.fromEntries([...merged.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  };
  return {
    byErrno: record(faulted.filter((r) => r.faultErrno !== 0).map((r) => [errnoName(r.faultErrno), r.calls])),
    byOp: record(faulted.map((r) => [r.op, r.calls])),
  };
}

/** Per-path and op sums into the temp table `per_path` (ranked by the next queries). */
export async function createPerPath(db: QueryRunner): Promise<void> {
  await db.run(`
    CREATE TEMP TABLE per_path AS
    SELECT path, op,
      COUNT(*) AS calls,
      SUM(bytes) AS bytes,
      SUM(duration_ns) AS time_ns,
      COUNT(*) FILTER (WHERE errno <> 0) AS errors,
      COUNT(fault_kind) AS faults
    FROM trace
    WHERE op <> 'event'
    GROUP BY ALL`);
}

/** Ranked entries of `relation` (path, calls, bytes, ...): rows in any top list, with their ranks. */
function rankedSql(relation: string, top: number): string {
  return `
    WITH r AS (${relation}), ranked AS (
      SELECT r.*,
        ROW_NUMBER() OVER (ORDER BY time_ns DESC, path) AS rank_time,
        ROW_NUMBER() OVER (ORDER BY calls DESC, path) AS rank_calls,
        ROW_NUMBER() OVER (ORDER BY bytes DESC, path) AS rank_bytes
      FROM r)
    SELECT * FROM ranked
    WHERE rank_time <= ${top} OR rank_calls <= ${top} OR (rank_bytes <= ${top} AND bytes > 0)
    ORDER BY rank_time`;
}

const SUMS_SQL = `SUM(calls) AS calls, SUM(bytes) AS bytes,
  SUM(CASE WHEN op = 'read' THEN bytes ELSE 0 END) AS read_bytes,
  SUM(CASE WHEN op IN ('write', 'copy_file_range') THEN bytes ELSE 0 END) AS write_bytes,
  SUM(time_ns) AS time_ns, SUM(errors) AS errors`;

/** Rows in the shape of sql/files.sql's result. */
export async function rankedFiles(db: QueryRunner, top: number): Promise<Row[]> {
  return db.rows(rankedSql(`SELECT path, ${SUMS_SQL} FROM per_path GROUP BY path`, top));
}

/** Hot directories: a call counts toward its file's directory, or the directory it names. */
export async function hotDirectories(
  db: QueryRunner,
  top: number,
  share: (t: number) => number,
): Promise<HotLists> {
  const dir = `CASE WHEN op IN (${DIRECTORY_OPS.map(quote).join(', ')}) THEN path ELSE COALESCE(NULLIF(regexp_extract(path, '(?s)^(.*)/[^/]*$', 1), ''), '/') END`;
  const rows = await db.rows(rankedSql(`SELECT ${dir} AS path, ${SUMS_SQL} FROM per_path GROUP BY 1`, top));
  return hotListsOf(rows, top, share);
}

export function hotListsOf(rows: Row[], top: number, share: (t: number) => number): HotLists {
  const list = (rank: string, keep: (r: Row) => boolean = () => true): HotEntry[] =>
    rows
      .filter((r) => num(r[rank]) <= top && keep(r))
      .sort((a, b) => num(a[rank]) - num(b[rank]))
      .map((r) => ({
        path: String(r.path),
        ops: num(r.calls),
        bytes: num(r.bytes),
        readBytes: num(r.read_bytes),
        writeBytes: num(r.write_bytes),
        timeNs: num(r.time_ns),
        errors: num(r.errors),
        shareOfTime: share(num(r.time_ns)),
      }));
  return {
    byOps: list('rank_calls'),
    byBytes: list('rank_bytes', (r) => num(r.bytes) > 0),
    byTime: list('rank_time'),
  };
}

/** Paths with the most faulted rows (faults.byPath). */
export async function faultsByPath(db: QueryRunner, top: number): Promise<CountEntry[]> {
  const rows = await db.rows(
    `SELECT path, SUM(faults) AS n FROM per_path GROUP BY path HAVING SUM(faults) > 0 ORDER BY n DESC, path LIMIT ${top}`,
  );
  return rows.map((r) => ({ key: String(r.path), count: num(r.n) }));
}

export interface HistogramResults {
  /** Per op: the stream analyzer's latency histogram (counts, count, sum, min, max). */
  ops: Map<string, LogHistogram>;
  /** Per timeline bucket: calls, bytes, errors, faults and the timeline histogram. */
  buckets: Map<number, { row: Row; latency: LogHistogram }>;
}

/** Calls `cell` for each "e m n" triple of a space-separated string of non-negative integers. */
function forEachCell(cells: string, cell: (e: number, m: number, n: number) => void): void {
  const values = [0, 0, 0];
  let k = 0;
  let value = 0;
  for (let i = 0; i <= cells.length; i++) {
    const c = i < cells.length ? cells.charCodeAt(i) : 32;
    if (c !== 32) {
      value = value * 10 + (c - 48);
      continue;
    }
    values[k++] = value;
    value = 0;
    if (k === 3) {
      cell(values[0]!, values[1]!, values[2]!);
      k = 0;
    }
  }
}

/**
 * Latency histograms in one scan: durations grouped by (op, e, 7-bit mantissa) and by (timeline
 * bucket, e, 4-bit mantissa); then the timeline's per-bucket counters (by bucket, op, failed,
 * faulted: a few thousand rows) in a second.
 */
export async function histograms(
  db: QueryRunner,
  ops: readonly Row[],
  bucketNs: number,
  originNs: number,
): Promise<HistogramResults> {
  // Integer division (bucketNs and originNs are whole nanoseconds): rounding toward zero differs
  // from FLOOR only below the origin, which clamps to bucket 0 either way; a FLOOR of a double
  // division cost about 60 ms per scan at 10M rows.
  const bucket = `GREATEST((start_ns - ${originNs}) // ${bucketNs}, 0)`;
  // DuckDB's JavaScript API converts result values one at a time (1-2 us each, and a BigInt for
  // every BIGINT); the histograms have tens of thousands of cells, so each histogram crosses as one
  // string of "e m n" triples (e, mantissa, count) instead: about 100 ms less at 10M rows.
  const histogramRows = await db.rows(`
    WITH l AS (
      SELECT op, bucket, d, ${LOG2_SQL} AS e
      FROM (SELECT op, ${bucket} AS bucket, GREATEST(duration_ns, 0) AS d FROM trace WHERE op <> 'event')
    ), cells AS (
      SELECT op, bucket, e, d >> GREATEST(e - ${OP_SUB_BITS}, 0) AS m7, d >> GREATEST(e - ${TIMELINE_SUB_BITS}, 0) AS m4,
        COUNT(*) AS n
      FROM l
      GROUP BY GROUPING SETS ((op, e, m7), (bucket, e, m4))
    )
    SELECT op, bucket, string_agg(concat_ws(' ', e, COALESCE(m7, m4), n), ' ') AS cells
    FROM cells GROUP BY op, bucket`);
  const counters = await db.rows(`
    SELECT ${bucket} AS bucket, op, errno <> 0 AS failed, fault_kind IS NOT NULL AS faulted,
      COUNT(*) AS n, SUM(bytes) AS bytes, MIN(duration_ns) AS min_ns, MAX(duration_ns) AS max_ns
    FROM trace WHERE op <> 'event'
    GROUP BY ALL`);
  const opHist = new Map<string, LogHistogram>();
  for (const r of ops) {
    const h = new LogHistogram(OP_SUB_BITS, 0);
    h.count = num(r.calls);
    h.sum = num(r.time_ns);
    h.min = num(r.min_ns);
    h.max = num(r.max_ns);
    opHist.set(String(r.op), h);
  }
  const buckets = new Map<number, { row: Row; latency: LogHistogram }>();
  const bucketOf = (b: number) => {
    let e = buckets.get(b);
    if (!e) {
      e = {
        row: { n: 0, read_bytes: 0, write_bytes: 0, errors: 0, faults: 0 },
        latency: new LogHistogram(TIMELINE_SUB_BITS, 0),
      };
      buckets.set(b, e);
    }
    return e;
  };
  // Rows of the first grouping set have an op (never null in a trace), the second's a bucket.
  for (const r of histogramRows) {
    const perOp = r.op !== null;
    const h = perOp ? opHist.get(String(r.op))! : bucketOf(num(r.bucket)).latency;
    const subBits = perOp ? OP_SUB_BITS : TIMELINE_SUB_BITS;
    forEachCell(String(r.cells), (e, m, n) => {
      h.counts[histogramIndex(subBits, e, m)]! += n;
      if (!perOp) h.count += n;
    });
  }
  for (const r of counters) {
    const { row, latency } = bucketOf(num(r.bucket));
    const n = num(r.n);
    const op = String(r.op);
    row.n = num(row.n) + n;
    if (op === 'read') row.read_bytes = num(row.read_bytes) + num(r.bytes);
    if (op === 'write' || op === 'copy_file_range') row.write_bytes = num(row.write_bytes) + num(r.bytes);
    if (r.failed === true) row.errors = num(row.errors) + n;
    if (r.faulted === true) row.faults = num(row.faults) + n;
    latency.min = Math.min(latency.min, num(r.min_ns));
    latency.max = Math.max(latency.max, num(r.max_ns));
  }
  return { ops: opHist, buckets };
}

/** Exact nearest-rank percentiles (quantile_disc) for the ops small enough for the stream to keep every value. */
export async function exactPercentiles(db: QueryRunner, ops: readonly Row[]): Promise<Map<string, number[]>> {
  const small = ops.filter((r) => num(r.calls) <= EXACT_SAMPLE_LIMIT).map((r) => String(r.op));
  if (small.length === 0) return new Map();
  const rows = await db.rows(`
    SELECT op, quantile_disc(duration_ns, [0.5, 0.9, 0.99, 0.999]) AS q
    FROM trace WHERE op IN (${small.map(quote).join(', ')}) GROUP BY op`);
  return new Map(rows.map((r) => [String(r.op), (r.q as unknown[]).map(num)]));
}

/**
 * A duration no longer than the `top`-th longest call's: the low end of the latency bucket that
 * holds it, counted down from the longest in the per-op histograms (all of one precision, so
 * their buckets line up). Undefined when there are fewer calls than `top`.
 */
export function slowestFloorNs(ops: Iterable<LogHistogram>, top: number): number | undefined {
  const histograms = [...ops];
  if (histograms.length === 0) return undefined;
  // Same precision, so bucket i covers the same durations in each: walk down from the top bucket.
  for (let i = histograms[0]!.counts.length - 1, calls = 0; i >= 0; i--) {
    for (const h of histograms) calls += h.counts[i]!;
    if (calls >= top) return histograms[0]!.boundsOf(i)[0];
  }
  return undefined;
}

/**
 * The `top` longest calls, longest first (equal durations: earliest first). With `floorNs`
 * (slowestFloorNs) DuckDB skips the shorter rows before reading their other columns: the sort
 * then sees a few hundred rows instead of every row with its paths and names.
 */
export async function slowestCalls(db: QueryRunner, top: number, floorNs?: number): Promise<SlowCall[]> {
  if (top <= 0) return [];
  const floor = floorNs === undefined ? '' : ` AND duration_ns >= ${floorNs}`;
  const rows = await db.rows(`
    SELECT seq, op, path, path2, pid, tid, comm, "offset", size, bytes, errno, start_ns, duration_ns, fault_kind
    FROM trace WHERE op <> 'event'${floor} ORDER BY duration_ns DESC, start_ns, seq LIMIT ${top}`);
  return rows.map((r) => ({
    seq: num(r.seq),
    op: String(r.op) as Op,
    path: str(r.path) ?? '',
    path2: str(r.path2),
    pid: num(r.pid),
    tid: num(r.tid),
    comm: str(r.comm),
    offset: r.offset === null || r.offset === undefined ? null : num(r.offset),
    size: r.size === null || r.size === undefined ? null : num(r.size),
    bytes: num(r.bytes),
    errno: num(r.errno),
    errnoName: errnoName(num(r.errno)),
    startNs: num(r.start_ns),
    durationNs: num(r.duration_ns),
    faultKind: str(r.fault_kind) as FaultKind | null,
  }));
}

/** The first markers (op 'event') of the run. */
export async function markersOf(db: QueryRunner, count: number): Promise<Marker[]> {
  if (count === 0) return [];
  const rows = await db.rows(`
    SELECT seq, start_ns, path, path2, fault_kind FROM trace WHERE op = 'event'
    ORDER BY start_ns, source, seq LIMIT ${MAX_MARKERS}`);
  return rows.map((r) => ({
    seq: num(r.seq),
    startNs: num(r.start_ns),
    path: str(r.path) ?? '',
    path2: str(r.path2),
    faultKind: str(r.fault_kind) as FaultKind | null,
  }));
}

/** report.latencyHistograms in op-code order, like the stream analyzer's. */
export function latencyHistogramsOf(ops: Map<string, LogHistogram>): LatencyHistogram[] {
  return OPS.flatMap((op) => {
    const h = ops.get(op);
    return h && h.count > 0 ? [{ op, buckets: h.powerOfTwoBuckets() }] : [];
  });
}
