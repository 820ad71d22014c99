/**
 * The analysis report: what `interposer analyze` prints and what the TUI renders.
 *
 * Units and encoding (the report is plain JSON, no bigints):
 * - Every time is a JS number of nanoseconds; fields end in `Ns`. Times are on the capture's
 *   monotonic clock (ns since capture start, like start_ns in the trace). Numbers are exact up to
 *   2^53 ns (104 days), far beyond any capture.
 * - Every byte count is a JS number of bytes (exact up to 8 PiB).
 * - The one bigint that can exceed 2^53, the wall-clock anchor, is a decimal string.
 * - Rates are per second (`...PerSec`), fractions are in [0, 1] (`share`, `fraction`).
 * - Percentiles use the nearest-rank definition: pN is the smallest recorded value v such that at
 *   least N% of values are <= v. They are exact while an op has at most `EXACT_SAMPLE_LIMIT` calls
 *   (see latency-sketch.ts) and otherwise within `relativeErrorBound` (report.meta) of the exact
 *   value. Timeline percentiles use a coarser sketch (`timelineRelativeErrorBound`).
 */
import type { FaultKind, Op } from '../trace/schema.js';
import type { KernelRoutineKind } from './kernel-routine.js';

export interface TraceFilter {
  /** Keep only these ops. */
  ops?: Op[];
  /** picomatch glob, matched against the path with and without its leading "/". */
  pathGlob?: string;
  pids?: number[];
  /** Keep rows with fromNs <= start_ns < toNs. */
  fromNs?: bigint;
  toNs?: bigint;
}

export interface AnalyzeOptions {
  filter?: TraceFilter;
  /** Timeline bucket width; default: auto, about 100 buckets over the trace's span. */
  bucketNs?: bigint;
  /** Length of top-N lists (hot files, slowest calls, processes...). Default 20. */
  top?: number;
  /** Called after each batch; rowsTotal is 0 when unknown (plain batch streams). */
  onProgress?: (rowsDone: number, rowsTotal: number) => void;
}

export interface LatencySummary {
  count: number;
  minNs: number;
  maxNs: number;
  meanNs: number;
  p50Ns: number;
  p90Ns: number;
  p99Ns: number;
  p999Ns: number;
  /** True when the percentiles were computed from all values (no sketch error). */
  exact: boolean;
}

export interface OpStats {
  op: Op;
  count: number;
  /** Rows with errno != 0. */
  errors: number;
  /** Data bytes moved (bytes column). */
  bytes: number;
  /** Sum of durations. */
  totalTimeNs: number;
  /** totalTimeNs / total I/O time of the report. */
  shareOfTime: number;
  latency: LatencySummary;
  /** errno name (e.g. "ENOSPC", or "E123" when unknown) -> rows. */
  errorsByErrno: Record<string, number>;
  /** Same, counting only rows whose failure was injected by an overlay (fault_kind "errno"). */
  injectedErrorsByErrno: Record<string, number>;
  /** Same, counting only the kernel's routine requests (kernel-routine.ts); part of errorsByErrno. */
  kernelRoutineErrorsByErrno: Record<string, number>;
}

/** The kernel's routine requests of one kind (src/analyze/kernel-routine.ts). */
export interface KernelRoutineStats {
  kind: KernelRoutineKind;
  description: string;
  calls: number;
  errors: number;
  errorsByErrno: Record<string, number>;
  timeNs: number;
  shareOfTime: number;
}

/**
 * Durability calls told apart: fsync (data and metadata), fdatasync (data only; fsync rows whose
 * flags column is nonzero), fsyncdir. close (flush) is not a sync and is not here.
 */
export interface SyncCallStats {
  call: 'fsync' | 'fdatasync' | 'fsyncdir';
  count: number;
  errors: number;
  timeNs: number;
  meanNs: number;
  maxNs: number;
  shareOfTime: number;
}

export interface Totals {
  /** Rows read from the trace (before the filter). */
  rowsScanned: number;
  /** Rows that passed the filter, including marker rows. */
  rows: number;
  /** Rows with op "event" (overlay changes, checkpoints); excluded from I/O statistics. */
  markers: number;
  /** File-system calls analyzed (rows - markers). */
  calls: number;
  firstStartNs: number;
  lastEndNs: number;
  spanNs: number;
  bytesRead: number;
  bytesWritten: number;
  errors: number;
  /** Sum of all call durations (I/O time; concurrent calls each count). */
  ioTimeNs: number;
  /**
   * Of `errors`, the failures of the kernel's own routine requests (see kernelRoutine): not
   * application errors. Application errors = errors - kernelRoutineErrors.
   */
  kernelRoutineErrors: number;
}

export interface TimelineBucket {
  startNs: number;
  ops: number;
  opsPerSec: number;
  readBytes: number;
  writeBytes: number;
  readBytesPerSec: number;
  writeBytesPerSec: number;
  errors: number;
  faults: number;
  /** Latency of the calls that started in this bucket (0 when none). */
  p50Ns: number;
  p99Ns: number;
  /** Most calls in flight at any instant in the bucket (intervals are [start_ns, end_ns)). */
  maxConcurrency: number;
}

export interface Timeline {
  bucketNs: number;
  /** Start of the first bucket: the filter's fromNs, else 0 (capture start). */
  originNs: number;
  /** Calls are counted in the bucket where they started. */
  buckets: TimelineBucket[];
  /**
   * Calls whose start arrived after concurrency for that instant had been finalised (only
   * possible on traces far out of completion order); they count from the finalised edge on.
   */
  lateConcurrencyRows: number;
}

export interface HotEntry {
  /** File path, or directory path (for hot directories; calls on the directory itself count). */
  path: string;
  ops: number;
  bytes: number;
  readBytes: number;
  writeBytes: number;
  timeNs: number;
  errors: number;
  shareOfTime: number;
}

export interface HotLists {
  byOps: HotEntry[];
  byBytes: HotEntry[];
  byTime: HotEntry[];
}

/** Power-of-two request-size bucket: fromBytes <= size < toBytes (size 0 is [0, 1)). */
export interface SizeBucket {
  fromBytes: number;
  toBytes: number;
  count: number;
}

export type PatternClass = 'sequential' | 'random' | 'mixed';

/**
 * How a file's writes move, by path (all handles), in completion order:
 * - append: each write starts at the largest end written so far (logs, sqlite's -wal, fio seq);
 * - log-rewrite: rewrite in place, then advance: a write starts inside the previous write (the
 *   same page written again, e.g. a PostgreSQL WAL page rewritten at each commit) or right at its
 *   end, never going back: a write-ahead log;
 * - sequential / random / mixed as for `pattern`, when neither applies.
 */
export type WritePatternClass = 'append' | 'log-rewrite' | PatternClass;

export interface AccessPattern {
  path: string;
  reads: number;
  writes: number;
  readBytes: number;
  writeBytes: number;
  /** Share of data calls (reads + writes) that are reads. */
  readFraction: number;
  /**
   * A read (write) is sequential when its offset equals the end of the previous read (write) on
   * the same file handle (or on the same path when the row has no fh), or it is the first one and
   * starts at offset 0. Everything else is random.
   */
  sequentialFraction: number;
  randomFraction: number;
  /** sequential when sequentialFraction >= 0.8, random when <= 0.2, else mixed. */
  pattern: PatternClass;
  /** Histogram of request sizes (size column, else bytes), nonzero buckets only. */
  sizeHistogram: SizeBucket[];
  timeNs: number;
  /** Write pattern (null when the file had no writes with offsets). */
  writePattern: WritePatternClass | null;
  /** Writes that started at the largest end written so far. */
  appendWrites: number;
  /** Writes that started inside the previous write's range (a rewrite of the same bytes). */
  rewriteWrites: number;
  /** Mean writes per distinct start offset (about 10 for a WAL page rewritten 10 times). */
  writesPerOffset: number;
}

export interface SlowCall {
  seq: number;
  op: Op;
  path: string;
  path2: string | null;
  pid: number;
  tid: number;
  comm: string | null;
  offset: number | null;
  size: number | null;
  bytes: number;
  errno: number;
  /** "" when errno is 0. */
  errnoName: string;
  startNs: number;
  durationNs: number;
  faultKind: FaultKind | null;
}

export interface ProcessStats {
  pid: number;
  comm: string | null;
  uid: number;
  ops: number;
  bytes: number;
  readBytes: number;
  writeBytes: number;
  timeNs: number;
  errors: number;
  shareOfTime: number;
  firstStartNs: number;
  lastEndNs: number;
}

export interface CountEntry {
  key: string;
  count: number;
}

export interface FaultsSection {
  /** Rows with a fault_kind. */
  rows: number;
  byKind: Record<string, number>;
  /** Injected errno (fault_errno, else errno) by name. */
  byErrno: Record<string, number>;
  byOp: Record<string, number>;
  byPath: CountEntry[];
  /** Sum of fault_delay_ns. */
  injectedDelayNs: number;
  /** Sum of throttle_wait_ns (on any row). */
  throttleWaitNs: number;
  /** Time the overlays added: injectedDelayNs + throttleWaitNs. */
  costNs: number;
  /** costNs / I/O time. */
  shareOfTime: number;
}

export interface HistogramBucket {
  /** fromNs <= latency < toNs */
  fromNs: number;
  toNs: number;
  count: number;
}

/** Latency histogram of one op in power-of-two buckets (nonzero buckets only), for charts. */
export interface LatencyHistogram {
  op: Op;
  buckets: HistogramBucket[];
}

export interface Marker {
  seq: number;
  startNs: number;
  path: string;
  path2: string | null;
  faultKind: FaultKind | null;
}

export type FindingKind =
  | 'dominant-io'
  | 'tail-latency'
  | 'contention'
  | 'errors'
  | 'fault-cost'
  | 'metadata'
  | 'sync'
  | 'hot-file'
  | 'kernel-routine'
  | 'write-pattern';

/**
 * One plain-words finding; `bottlenecks` is these texts: actionable findings ranked by
 * shareOfTime, then observations (actionable false) ranked the same way.
 */
export interface Finding {
  kind: FindingKind;
  text: string;
  /** Share of I/O time the finding is about (ranking key). */
  shareOfTime: number;
  /** The numbers behind the statement. */
  evidence: string[];
  /** What to look at or change next. */
  nextStep: string;
  /** False for observations that name no cost one can cut (listed after the bottlenecks). */
  actionable: boolean;
}

export interface ReportMeta {
  /** Trace file, when analyzeTrace was used (the first file of a multi-trace run). */
  source: string | null;
  schemaVersion: number | null;
  /** Decimal string (ns since Unix epoch at start_ns 0), when known. */
  wallClockAnchorNs: string | null;
  keyValue: Record<string, string>;
  filter: {
    /** Source filter of a multi-trace run (key -> glob), null when none. */
    sources?: Record<string, string> | null;
    ops: Op[] | null;
    pathGlob: string | null;
    pids: number[] | null;
    fromNs: number | null;
    toNs: number | null;
  };
  top: number;
  /**
   * Which engine computed the report: "stream" (absent in older reports; the full report) or
   * "sql" (sql/*.sql through DuckDB: exact percentiles, but no section that needs row order:
   * maxConcurrency 0, no access patterns, directories, slowest calls, histograms or markers).
   */
  engine?: 'stream' | 'sql';
  /** Bound on |approx - exact| / exact of per-op percentiles once past the exact limit. */
  relativeErrorBound: number;
  timelineRelativeErrorBound: number;
}

/**
 * One trace file of a multi-trace run, with what names it (hive keys of its path such as
 * node/namespace/pod/volume, and the file's interposer.* metadata) and its share of the run.
 */
export interface SourceStats {
  /** Trace file path. */
  file: string;
  /** Short name: "node/namespace/pod/volume" from the hive keys, else the file name. */
  label: string;
  hostname: string | null;
  pod: string | null;
  namespace: string | null;
  volume: string | null;
  /** Hive keys of the path (`key=value` directories). */
  keys: Record<string, string>;
  /** Decimal string; the file's interposer.wall_clock_anchor_ns. */
  wallClockAnchorNs: string | null;
  /** Added to this file's times to align it with the run (anchor - earliest anchor), ns. */
  offsetNs: number;
  calls: number;
  bytes: number;
  errors: number;
  timeNs: number;
  shareOfTime: number;
  /** Aligned on the run's clock (0 = the earliest file's start_ns 0). */
  firstStartNs: number;
  lastEndNs: number;
}

export interface Report {
  meta: ReportMeta;
  totals: Totals;
  /** Ops that occurred, by totalTimeNs descending. */
  ops: OpStats[];
  timeline: Timeline;
  hotFiles: HotLists;
  hotDirectories: HotLists;
  /** Files with data calls, by data-call time descending (top N). */
  accessPatterns: AccessPattern[];
  slowest: SlowCall[];
  /** By timeNs descending (top N). */
  processes: ProcessStats[];
  faults: FaultsSection;
  latencyHistograms: LatencyHistogram[];
  /** First markers (at most 1000), in trace order. */
  markers: Marker[];
  findings: Finding[];
  /** findings[].text, most important first. */
  bottlenecks: string[];
  /** The kernel's routine requests by kind (only kinds that occurred), reported apart. */
  kernelRoutine: KernelRoutineStats[];
  /** fsync / fdatasync / fsyncdir told apart (only calls that occurred). */
  syncCalls: SyncCallStats[];
  /** Per trace file of the run (one entry per file; empty for plain batch streams). */
  sources: SourceStats[];
}

export interface Delta {
  a: number;
  b: number;
  /** b - a */
  delta: number;
  /** b / a; null when a is 0. */
  ratio: number | null;
}

export interface OpDiff {
  op: Op;
  count: Delta;
  bytes: Delta;
  errors: Delta;
  totalTimeNs: Delta;
  p50Ns: Delta;
  p99Ns: Delta;
}

export interface PathDiff {
  path: string;
  ops: Delta;
  bytes: Delta;
  timeNs: Delta;
}

export interface ErrorDiff {
  op: Op;
  errno: string;
  a: number;
  b: number;
}

export interface ReportDiff {
  a: { source: string | null };
  b: { source: string | null };
  totals: {
    calls: Delta;
    spanNs: Delta;
    bytesRead: Delta;
    bytesWritten: Delta;
    errors: Delta;
    ioTimeNs: Delta;
    faultCostNs: Delta;
  };
  /** Ops present in either report, by |totalTimeNs.delta| descending. */
  ops: OpDiff[];
  /** Files in either report's hot lists, by |timeNs.delta| descending. */
  files: PathDiff[];
  /** (op, errno) pairs whose counts differ. */
  errors: ErrorDiff[];
  /** Findings only in a / only in b (by kind and text). */
  findingsOnlyInA: string[];
  findingsOnlyInB: string[];
  /** Plain-words summary of the largest changes. */
  summary: string[];
}
