/**
 * Time-bucketed counters over a stream whose span is not known in advance: buckets start at a
 * fine width and double (merging neighbours) whenever the span outgrows `maxBuckets`, so memory
 * stays bounded and the final timeline has between maxBuckets/2 and maxBuckets buckets (unless
 * the trace is shorter than that many initial buckets).
 */
import { LogHistogram, relativeErrorBound } from './latency-sketch.js';
import type { Timeline, TimelineBucket } from './types.js';

/** Timeline latency precision: 16 sub-buckets per power of two. */
export const TIMELINE_SUB_BITS = 4;
export const TIMELINE_RELATIVE_ERROR = relativeErrorBound(TIMELINE_SUB_BITS);

/** Auto mode starts at 1 ms buckets and targets at most this many. */
const AUTO_INITIAL_WIDTH_NS = 1e6;
const AUTO_MAX_BUCKETS = 100;
/** A user-chosen width is kept unless it would need more buckets than this. */
const FIXED_MAX_BUCKETS = 100_000;

export class TimelineAccumulator {
  widthNs: number;
  private readonly maxBuckets: number;
  private length = 0;
  private ops = new Float64Array(16);
  private readBytes = new Float64Array(16);
  private writeBytes = new Float64Array(16);
  private errors = new Float64Array(16);
  private faults = new Float64Array(16);
  private concurrency = new Float64Array(16);
  private latency: (LogHistogram | undefined)[] = [];

  constructor(
    readonly originNs: number,
    fixedWidthNs?: number,
  ) {
    if (fixedWidthNs !== undefined && !(fixedWidthNs >= 1))
      throw new Error('timeline bucket must be >= 1 ns');
    this.widthNs = fixedWidthNs ?? AUTO_INITIAL_WIDTH_NS;
    this.maxBuckets = fixedWidthNs === undefined ? AUTO_MAX_BUCKETS : FIXED_MAX_BUCKETS;
  }

  /** Bucket of time t, growing (and coarsening) the timeline so that it exists. */
  bucketOf(t: number): number {
    let index = Math.floor((t - this.originNs) / this.widthNs);
    if (index < 0) index = 0;
    if (index >= this.length) {
      while (index >= this.maxBuckets) {
        this.coarsen();
        index = Math.floor((t - this.originNs) / this.widthNs);
      }
      this.ensureLength(index + 1);
    }
    return index;
  }

  addCall(
    start: number,
    duration: number,
    readBytes: number,
    writeBytes: number,
    error: boolean,
    fault: boolean,
  ) {
    const b = this.bucketOf(start);
    this.ops[b]! += 1;
    if (readBytes) this.readBytes[b]! += readBytes;
    if (writeBytes) this.writeBytes[b]! += writeBytes;
    if (error) this.errors[b]! += 1;
    if (fault) this.faults[b]! += 1;
    let hist = this.latency[b];
    if (hist === undefined) {
      hist = new LogHistogram(TIMELINE_SUB_BITS, 0);
      this.latency[b] = hist;
    }
    hist.record(duration);
  }

  /** An independent copy (a snapshot's concurrency sweep writes into it, not into this one). */
  clone(): TimelineAccumulator {
    const copy = Object.create(TimelineAccumulator.prototype) as TimelineAccumulator;
    Object.assign(copy, this);
    copy.ops = this.ops.slice();
    copy.readBytes = this.readBytes.slice();
    copy.writeBytes = this.writeBytes.slice();
    copy.errors = this.errors.slice();
    copy.faults = this.faults.slice();
    copy.concurrency = this.concurrency.slice();
    // Coarsening merges histograms in place: the copy gets its own.
    copy.latency = this.latency.map((h) => {
      if (!h) return undefined;
      const own = new LogHistogram(TIMELINE_SUB_BITS, 0);
      own.merge(h);
      return own;
    });
    return copy;
  }

  noteConcurrency(bucket: number, inFlight: number): void {
    if (inFlight > this.concurrency[bucket]!) this.concurrency[bucket] = inFlight;
  }

  private ensureLength(n: number): void {
    if (n > this.ops.length) {
      const capacity = Math.max(n, this.ops.length * 2);
      const grow = (a: Float64Array) => {
        const g = new Float64Array(capacity);
        g.set(a);
        return g;
      };
      this.ops = grow(this.ops);
      this.readBytes = grow(this.readBytes);
      this.writeBytes = grow(this.writeBytes);
      this.errors = grow(this.errors);
      this.faults = grow(this.faults);
      this.concurrency = grow(this.concurrency);
    }
    if (n > this.length) this.length = n;
  }

  /** Doubles the width: bucket i becomes i >> 1. Sums add, maxima take the max. */
  private coarsen(): void {
    const n = Math.ceil(this.length / 2);
    for (let i = 0; i < n; i++) {
      const a = 2 * i;
      const b = a + 1;
      const hasB = b < this.length;
      this.ops[i] = this.ops[a]! + (hasB ? this.ops[b]! : 0);
      this.readBytes[i] = this.readBytes[a]! + (hasB ? this.readBytes[b]! : 0);
      this.writeBytes[i] = this.writeBytes[a]! + (hasB ? this.writeBytes[b]! : 0);
      this.errors[i] = this.errors[a]! + (hasB ? this.errors[b]! : 0);
      this.faults[i] = this.faults[a]! + (hasB ? this.faults[b]! : 0);
      this.concurrency[i] = Math.max(this.concurrency[a]!, hasB ? this.concurrency[b]! : 0);
      let hist = this.latency[a];
      const other = hasB ? this.latency[b] : undefined;
      if (hist && other) hist.merge(other);
      else if (!hist) hist = other;
      this.latency[i] = hist;
    }
    for (const arr of [
      this.ops,
      this.readBytes,
      this.writeBytes,
      this.errors,
      this.faults,
      this.concurrency,
    ]) {
      arr.fill(0, n, this.length);
    }
    this.latency.length = n;
    this.length = n;
    this.widthNs *= 2;
  }

  result(lateConcurrencyRows: number): Timeline {
    const buckets: TimelineBucket[] = [];
    const perSec = 1e9 / this.widthNs;
    for (let i = 0; i < this.length; i++) {
      const hist = this.latency[i];
      const [p50, p99] = hist ? hist.quantiles([0.5, 0.99]) : [0, 0];
      buckets.push({
        startNs: this.originNs + i * this.widthNs,
        ops: this.ops[i]!,
        opsPerSec: this.ops[i]! * perSec,
        readBytes: this.readBytes[i]!,
        writeBytes: this.writeBytes[i]!,
        readBytesPerSec: this.readBytes[i]! * perSec,
        writeBytesPerSec: this.writeBytes[i]! * perSec,
        errors: this.errors[i]!,
        faults: this.faults[i]!,
        p50Ns: p50!,
        p99Ns: p99!,
        maxConcurrency: this.concurrency[i]!,
      });
    }
    return { bucketNs: this.widthNs, originNs: this.originNs, buckets, lateConcurrencyRows };
  }
}
