/**
 * Maximum number of calls in flight per timeline bucket, from [start_ns, end_ns) intervals.
 *
 * An exact sweep over start and end events, made cheap by the trace order: rows arrive in
 * completion order, so end times come sorted and start times nearly sorted (a start can only be
 * overtaken by calls in flight at that moment). Both are kept sorted by insertion as they arrive
 * (cost ~ rows x concurrency); if a stream turns out far from sorted, the buffers fall back to a
 * full sort at sweep time.
 *
 * Memory is bounded: once the latest end seen is E and the longest call so far lasted D, no later
 * row is expected to start before E - D, so events before that watermark are swept and dropped
 * whenever the buffers fill. A row that still starts before the swept edge (a call longer than
 * any before it, on a trace out of completion order) is clamped to the edge and counted in
 * `lateRows`. Traces that fit the buffers (millions of rows) are always swept exactly at the end.
 */
import type { TimelineAccumulator } from './timeline.js';

const INITIAL_BUFFER_ROWS = 1 << 21;
/** Average element moves per insertion above which a buffer gives up insertion and sorts later. */
const MAX_AVERAGE_SHIFT = 64;

/** Float64 buffer that keeps itself sorted by insertion while that stays cheap. */
class SortedBuffer {
  values = new Float64Array(1 << 16);
  length = 0;
  private shifts = 0;
  private sorted = true;

  push(v: number): void {
    if (this.length === this.values.length) {
      const g = new Float64Array(this.values.length * 2);
      g.set(this.values);
      this.values = g;
    }
    const a = this.values;
    let j = this.length++;
    if (this.sorted) {
      while (j > 0 && a[j - 1]! > v) {
        a[j] = a[j - 1]!;
        j--;
        this.shifts++;
      }
      if (this.shifts > MAX_AVERAGE_SHIFT * this.length + 1024) this.sorted = false;
    }
    a[j] = v;
  }

  copy(): SortedBuffer {
    const c = new SortedBuffer();
    c.values = this.values.slice(0, Math.max(this.length, 1));
    c.length = this.length;
    c.shifts = this.shifts;
    c.sorted = this.sorted;
    return c;
  }

  ensureSorted(): void {
    if (!this.sorted) this.values.subarray(0, this.length).sort();
    this.sorted = true;
    this.shifts = 0;
  }

  /** Drops the first `n` values. */
  shift(n: number): void {
    this.values.copyWithin(0, n, this.length);
    this.length -= n;
  }
}

export class ConcurrencyTracker {
  lateRows = 0;
  private starts = new SortedBuffer();
  private ends = new SortedBuffer();
  private flushAt = INITIAL_BUFFER_ROWS;
  private sweptUpTo = -Infinity;
  private inFlight = 0;
  /** Bucket of the last swept event, and the largest in-flight count seen in it. */
  private bucket = -1;
  private bucketMax = 0;
  private maxEndNs = -Infinity;
  private maxDurationNs = 0;
  /** Timeline width when `bucket` was computed (the timeline coarsens by doubling). */
  private lastWidth = 1;

  constructor(private readonly timeline: TimelineAccumulator) {}

  add(startNs: number, endNs: number): void {
    let start = startNs;
    if (endNs <= start) return; // zero-length calls are never in flight
    if (start < this.sweptUpTo) {
      this.lateRows++;
      if (endNs <= this.sweptUpTo) return;
      start = this.sweptUpTo;
    }
    this.starts.push(start);
    this.ends.push(endNs);
    if (endNs > this.maxEndNs) this.maxEndNs = endNs;
    if (endNs - startNs > this.maxDurationNs) this.maxDurationNs = endNs - startNs;
  }

  /** A copy that sweeps into `timeline` (a clone of this one's), for a report mid-stream. */
  cloneFor(timeline: TimelineAccumulator): ConcurrencyTracker {
    const copy = new ConcurrencyTracker(timeline);
    Object.assign(copy, { ...this, timeline });
    copy.starts = this.starts.copy();
    copy.ends = this.ends.copy();
    return copy;
  }

  /** Call between batches: sweeps the settled part when the buffers are full. */
  maybeSweep(): void {
    if (this.starts.length < this.flushAt) return;
    this.sweep(this.maxEndNs - this.maxDurationNs);
    // If little could be settled, calls are long: allow bigger buffers rather than re-sweeping.
    if (this.starts.length > this.flushAt / 2) this.flushAt *= 2;
  }

  finish(): void {
    this.sweep(Infinity);
    this.flushBucket();
  }

  private flushBucket(): void {
    if (this.bucket >= 0) this.timeline.noteConcurrency(this.bucket, this.bucketMax);
  }

  private sweep(watermarkNs: number): void {
    const starts = this.starts;
    const ends = this.ends;
    starts.ensureSorted();
    ends.ensureSorted();
    const s = starts.values;
    const e = ends.values;
    // Count what is settled, and make the timeline span it first so its width is fixed below.
    let ns = 0;
    while (ns < starts.length && s[ns]! < watermarkNs) ns++;
    let ne = 0;
    while (ne < ends.length && e[ne]! < watermarkNs) ne++;
    if (ns === 0 && ne === 0) return;
    // An end at t lowers the count from t on, so it belongs to the bucket of the instant before t.
    const latest = Math.max(ns > 0 ? s[ns - 1]! : -Infinity, ne > 0 ? e[ne - 1]! - 0.5 : -Infinity);
    this.timeline.bucketOf(latest);
    if (this.bucket >= 0) {
      // The timeline may have coarsened since the last sweep: re-express the open bucket.
      this.bucket = Math.floor(this.bucket / Math.round(this.timeline.widthNs / this.lastWidth));
    }
    this.lastWidth = this.timeline.widthNs;
    const width = this.timeline.widthNs;
    const origin = this.timeline.originNs;
    let bucket = this.bucket;
    let bucketMax = this.bucketMax;
    let boundary = bucket < 0 ? -Infinity : origin + (bucket + 1) * width;
    let inFlight = this.inFlight;
    let i = 0;
    let j = 0;
    while (i < ns || j < ne) {
      // Ends first at equal times: intervals are half-open.
      const isStart = j >= ne || (i < ns && s[i]! < e[j]!);
      const t = isStart ? s[i++]! : e[j++]!;
      const at = isStart ? t : t - 0.5;
      if (at >= boundary) {
        const next = Math.max(0, Math.floor((at - origin) / width));
        if (next !== bucket) {
          if (bucket >= 0) this.timeline.noteConcurrency(bucket, bucketMax);
          // Buckets crossed entirely while calls were running hold inFlight calls throughout.
          for (let b = bucket + 1; b < next && inFlight > 0; b++) this.timeline.noteConcurrency(b, inFlight);
          bucket = next;
          // The count before this event holds from the bucket's start until t.
          bucketMax = origin + next * width < t ? inFlight : 0;
          boundary = origin + (bucket + 1) * width;
        }
      }
      if (isStart) {
        inFlight++;
        if (inFlight > bucketMax) bucketMax = inFlight;
      } else {
        inFlight--;
      }
    }
    this.inFlight = inFlight;
    this.bucket = bucket;
    this.bucketMax = bucketMax;
    starts.shift(ns);
    ends.shift(ne);
    if (watermarkNs > this.sweptUpTo) this.sweptUpTo = watermarkNs;
  }
}
