/**
 * Maximum number of calls in flight per timeline bucket, from [start_ns, end_ns) intervals.
 *
 * Exact sweep over start/end events, with bounded memory: rows arrive in completion order, so
 * once the latest end seen is E and the longest call so far lasted D, no later row is expected to
 * start before E - D. Events before that watermark are swept and dropped whenever the buffer
 * fills. A row that still starts before the swept edge (a call longer than any before it, on a
 * trace out of completion order) is clamped to the edge and counted in `lateRows`.
 * Traces that fit the buffer (a few million rows) are always swept exactly at the end.
 */
import type { TimelineAccumulator } from './timeline.js';

const INITIAL_BUFFER_EVENTS = 1 << 22;

export class ConcurrencyTracker {
  lateRows = 0;
  /** Events encoded as 2t (end) or 2t+1 (start): a numeric sort puts ends before starts at equal t. */
  private events = new Float64Array(1 << 16);
  private length = 0;
  private flushAt = INITIAL_BUFFER_EVENTS;
  private sweptUpTo = -Infinity;
  private inFlight = 0;
  private lastEventNs = -Infinity;
  private maxEndNs = -Infinity;
  private maxDurationNs = 0;

  constructor(private readonly timeline: TimelineAccumulator) {}

  add(startNs: number, endNs: number): void {
    let start = startNs;
    if (endNs <= start) return; // zero-length calls are never in flight
    if (start < this.sweptUpTo) {
      this.lateRows++;
      if (endNs <= this.sweptUpTo) return;
      start = this.sweptUpTo;
    }
    if (this.length + 2 > this.events.length) this.grow();
    this.events[this.length++] = 2 * start + 1;
    this.events[this.length++] = 2 * endNs;
    if (endNs > this.maxEndNs) this.maxEndNs = endNs;
    if (endNs - startNs > this.maxDurationNs) this.maxDurationNs = endNs - startNs;
  }

  /** Call between batches: sweeps the settled part when the buffer is full. */
  maybeSweep(): void {
    if (this.length < this.flushAt) return;
    this.sweep(this.maxEndNs - this.maxDurationNs);
    // If little could be settled, calls are long: allow a bigger buffer rather than re-sorting.
    if (this.length > this.flushAt / 2) this.flushAt *= 2;
  }

  finish(): void {
    this.sweep(Infinity);
  }

  private grow(): void {
    const g = new Float64Array(this.events.length * 2);
    g.set(this.events.subarray(0, this.length));
    this.events = g;
  }

  private sweep(watermarkNs: number): void {
    const sorted = this.events.subarray(0, this.length).sort();
    const limit = 2 * watermarkNs;
    let i = 0;
    for (; i < sorted.length; i++) {
      const code = sorted[i]!;
      if (code >= limit) break;
      const isStart = code % 2 === 1;
      const t = isStart ? (code - 1) / 2 : code / 2;
      const bucket = this.timeline.bucketOf(t);
      if (this.inFlight > 0 && t > this.lastEventNs) {
        // Every bucket between the previous event and this one starts with inFlight calls running.
        const from = this.timeline.bucketOf(this.lastEventNs) + 1;
        for (let b = from; b <= bucket; b++) this.timeline.noteConcurrency(b, this.inFlight);
      }
      if (isStart) {
        this.inFlight++;
        this.timeline.noteConcurrency(bucket, this.inFlight);
      } else {
        this.inFlight--;
      }
      this.lastEventNs = t;
    }
    this.events.copyWithin(0, i, this.length);
    this.length -= i;
    if (watermarkNs > this.sweptUpTo) this.sweptUpTo = watermarkNs;
  }
}
