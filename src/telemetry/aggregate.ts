/**
 * Per-batch aggregation of trace rows into typed arrays: one pass over the columns, no object
 * per row, no SDK call per row. The metrics layer then makes a few SDK calls per non-empty group.
 */
import type { TraceBatch } from '../trace/batch.js';
import { kernelRoutineCode } from '../trace/kernel-routine.js';
import { FAULT_KINDS, OPS } from '../trace/schema.js';
import { DictionaryCodes, int32Column, int64Column, stringColumn } from './columns.js';
import { int64At, int64View } from './int64.js';

/**
 * interposer.op.duration bucket upper bounds, in seconds: 1 µs .. 10 s in 1-2.5-5 steps. Cached
 * metadata answers (getattr, lookup) take a few µs through FUSE: a first bucket at 10 µs would hold
 * nearly all of them and make their percentiles meaningless.
 */
export const DURATION_BOUNDARIES_SECONDS: readonly number[] = [
  0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
const BOUNDARIES_NS = Float64Array.from(DURATION_BOUNDARIES_SECONDS, (s) => Math.round(s * 1e9));
export const BUCKETS = DURATION_BOUNDARIES_SECONDS.length + 1;

/** errno values are grouped by exact value; anything >= 255 (none on Linux) folds into 255. */
export const ERRNO_SLOTS = 256;
const OP_COUNT = OPS.length;
const FAULT_KIND_COUNT = FAULT_KINDS.length;

const OP_CODE_OF = OPS.indexOf.bind(OPS) as (op: string) => number;
const GETXATTR_OP = OP_CODE_OF('getxattr');
const READ_OP = OP_CODE_OF('read');
const WRITE_OP = OP_CODE_OF('write');
const COPY_OP = OP_CODE_OF('copy_file_range');

/** Cumulative per-op latency histograms (explicit buckets), fed batch after batch. */
export class DurationHistograms {
  readonly bucketCounts = new Float64Array(OP_COUNT * BUCKETS);
  readonly count = new Float64Array(OP_COUNT);
  readonly sumNs = new Float64Array(OP_COUNT);
  readonly minNs = new Float64Array(OP_COUNT).fill(Infinity);
  readonly maxNs = new Float64Array(OP_COUNT).fill(-Infinity);

  add(op: number, durationNs: number): void {
    // Binary search for the first boundary >= duration (buckets are upper-inclusive, as in OTel).
    let lo = 0;
    let hi = BOUNDARIES_NS.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (BOUNDARIES_NS[mid]! < durationNs) lo = mid + 1;
      else hi = mid;
    }
    this.bucketCounts[op * BUCKETS + lo]!++;
    this.count[op]!++;
    this.sumNs[op]! += durationNs;
    if (durationNs < this.minNs[op]!) this.minNs[op] = durationNs;
    if (durationNs > this.maxNs[op]!) this.maxNs[op] = durationNs;
  }
}

/** Who asked for an operation: the application, or the kernel on its own (kernel-routine.ts). */
export const ORIGINS = ['application', 'kernel'] as const;

/** Operation-count group of (origin, op, errno). */
export function opGroup(origin: number, op: number, errno: number): number {
  return (
    (origin * OP_COUNT + op) * ERRNO_SLOTS + (errno >= ERRNO_SLOTS ? ERRNO_SLOTS - 1 : errno < 0 ? 0 : errno)
  );
}

/** The (origin, op, errno) of a group index. */
export function groupParts(group: number): { origin: number; op: number; errno: number } {
  const errno = group % ERRNO_SLOTS;
  const rest = (group - errno) / ERRNO_SLOTS;
  return { origin: Math.floor(rest / OP_COUNT), op: rest % OP_COUNT, errno };
}

/** One batch's totals; reset() before reuse. Group index: opGroup(origin, op, errno). */
export class BatchAggregate {
  rows = 0;
  readonly opCount = new Float64Array(ORIGINS.length * OP_COUNT * ERRNO_SLOTS);
  /** Indices of non-zero opCount entries, so reading and resetting skip the empty ones. */
  readonly touchedGroups = new Int32Array(ORIGINS.length * OP_COUNT * ERRNO_SLOTS);
  touchedCount = 0;
  readonly readBytes = new Float64Array(OP_COUNT);
  readonly writeBytes = new Float64Array(OP_COUNT);
  readonly throttleWaitNs = new Float64Array(OP_COUNT);
  /** Index = fault kind code * ERRNO_SLOTS + injected errno (0 when the fault has none). */
  readonly faultCount = new Float64Array(FAULT_KIND_COUNT * ERRNO_SLOTS);
  durationSumNs = 0;
  windowStartNs = Infinity;
  windowEndNs = -Infinity;

  reset(): void {
    for (let t = 0; t < this.touchedCount; t++) this.opCount[this.touchedGroups[t]!] = 0;
    this.touchedCount = 0;
    this.rows = 0;
    this.readBytes.fill(0);
    this.writeBytes.fill(0);
    this.throttleWaitNs.fill(0);
    this.faultCount.fill(0);
    this.durationSumNs = 0;
    this.windowStartNs = Infinity;
    this.windowEndNs = -Infinity;
  }

  /**
   * Mean number of operations in flight over the batch's time window (Little's law: total busy
   * time / window length). An estimate: operations still running at the batch's end are not in it.
   */
  meanInflight(): number {
    const window = this.windowEndNs - this.windowStartNs;
    return window > 0 ? this.durationSumNs / window : 0;
  }
}

const opCodes = new DictionaryCodes(OPS);
const faultKindCodes = new DictionaryCodes(FAULT_KINDS);

/** Adds every row of `batch` to `into` (and its durations to `histograms`). */
export function aggregateBatch(
  batch: TraceBatch,
  into: BatchAggregate,
  histograms: DurationHistograms,
): void {
  const n = batch.length;
  const opCol = stringColumn(batch, 'op');
  const opOf = opCodes.of(opCol.dictionary);
  const opIdx = opCol.indices;
  const errno = int32Column(batch, 'errno').values;
  const bytes = int64View(int64Column(batch, 'bytes').values);
  const start = int64View(int64Column(batch, 'start_ns').values);
  const end = int64View(int64Column(batch, 'end_ns').values);
  const duration = int64View(int64Column(batch, 'duration_ns').values);
  const kindCol = stringColumn(batch, 'fault_kind');
  const kindOf = faultKindCodes.of(kindCol.dictionary);
  const faultErrnoCol = int32Column(batch, 'fault_errno');
  const throttleCol = int64Column(batch, 'throttle_wait_ns');
  const throttle = int64View(throttleCol.values);
  const throttleValid = throttleCol.valid;
  const path2 = stringColumn(batch, 'path2');
  const fhValid = int64Column(batch, 'fh').valid;
  const pid = int32Column(batch, 'pid').values;

  let windowStart = into.windowStartNs;
  let windowEnd = into.windowEndNs;
  let durationSum = into.durationSumNs;
  for (let i = 0; i < n; i++) {
    const idx = opIdx[i]!;
    const op = idx < 0 ? -1 : opOf[idx]!;
    if (op < 0) continue;
    const p2 = op === GETXATTR_OP ? path2.indices[i]! : -1; // the rule reads path2 of getxattr only
    const routine = kernelRoutineCode(
      OPS[op]!,
      p2 >= 0 ? path2.dictionary[p2]! : null,
      fhValid === undefined || fhValid[i] === 1,
      pid[i]!,
    );
    const group = opGroup(routine >= 0 ? 1 : 0, op, errno[i]!);
    if (into.opCount[group]!++ === 0) into.touchedGroups[into.touchedCount++] = group;

    if (op === READ_OP) into.readBytes[op]! += int64At(bytes, i);
    else if (op === WRITE_OP) into.writeBytes[op]! += int64At(bytes, i);
    else if (op === COPY_OP) {
      // copy_file_range moves data out of one file and into another: both directions.
      const b = int64At(bytes, i);
      into.readBytes[op]! += b;
      into.writeBytes[op]! += b;
    }

    const d = int64At(duration, i);
    histograms.add(op, d);
    durationSum += d;
    const s = int64At(start, i);
    const t = int64At(end, i);
    if (s < windowStart) windowStart = s;
    if (t > windowEnd) windowEnd = t;

    const k = kindCol.indices[i]!;
    if (k >= 0) {
      const kind = kindOf[k]!;
      if (kind >= 0) {
        const fe = faultErrnoCol.valid?.[i] === 0 ? 0 : faultErrnoCol.values[i]!;
        into.faultCount[kind * ERRNO_SLOTS + (fe >= ERRNO_SLOTS || fe < 0 ? ERRNO_SLOTS - 1 : fe)]!++;
      }
    }
    if (throttleValid === undefined || throttleValid[i] === 1)
      into.throttleWaitNs[op]! += int64At(throttle, i);
  }
  into.rows += n;
  into.windowStartNs = windowStart;
  into.windowEndNs = windowEnd;
  into.durationSumNs = durationSum;
}
