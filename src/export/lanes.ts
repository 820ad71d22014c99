/**
 * Places operations on timeline tracks so that no track ever holds two partially overlapping
 * slices and every track's slices appear in non-decreasing start order, whatever order the rows
 * arrive in.
 *
 * A FUSE caller thread normally has one operation in flight, so its ops never overlap and stay
 * on the thread's own track ("lane 0"). Some ops do overlap on one (pid, tid): the kernel issues
 * asynchronous read-ahead and write-back on behalf of a thread, and rows with no caller
 * (pid/tid 0, e.g. release) share one "kernel" track. Such an op goes to the first lane of its
 * track that is free (last slice ended before this op's start), or to a new lane: an extra
 * thread track with a synthetic tid, named after the thread it belongs to.
 *
 * "Before", strictly: Perfetto turns µs into ns by truncating a double (12.345 µs may become
 * 12344 ns), so a slice starting exactly where the previous one ended could appear to overlap
 * it by 1 ns and be dropped as badly nested. A gap of at least 1 ns survives that rounding
 * (more for epoch timestamps, see minGapNs). Real FUSE ops of one thread never touch (each
 * needs a round trip through the kernel).
 *
 * Why this is correct in any arrival order: a lane only accepts an op starting after the end
 * of its last slice, so the slices of a lane are disjoint and, being disjoint, in start order. Feeding ops in start order (the exporter sorts each batch window) only makes the lane
 * count minimal within the window; across windows, rows arrive in completion order, so an op
 * that starts before an already placed op of the same thread also ends after it, i.e. really
 * overlaps it and would need another lane anyway.
 */

/** Synthetic tids of extra lanes: above Linux's PID_MAX_LIMIT (2^22), inside int32. */
export const LANE_TID_BASE = 0x4000_0000;

export interface Lane {
  pid: number;
  tid: number;
  /** 0 for the thread's own track, 1.. for overlap lanes. */
  index: number;
  lastEndNs: number;
}

export interface Track {
  pid: number;
  tid: number;
  lanes: Lane[];
}

export interface Placement {
  lane: Lane;
  /** True when this op opened the lane: its metadata event must be written first. */
  created: boolean;
}

export class LaneAllocator {
  /**
   * @param minGapNs how far apart two slices of one lane must be: 1 ns for capture-relative
   *   times; more for epoch times, which a double holds only to a fraction of a µs.
   */
  constructor(private readonly minGapNs = 1) {}

  private readonly tracks = new Map<number, Map<number, Track>>();
  private nextLaneTid = LANE_TID_BASE;
  private extraLanes = 0;

  get extraLaneCount(): number {
    return this.extraLanes;
  }

  /** The (pid, tid) track, creating it with one free lane on first use. */
  track(pid: number, tid: number): { track: Track; created: boolean } {
    let byTid = this.tracks.get(pid);
    if (!byTid) {
      byTid = new Map();
      this.tracks.set(pid, byTid);
    }
    let track = byTid.get(tid);
    if (track) return { track, created: false };
    track = { pid, tid, lanes: [{ pid, tid, index: 0, lastEndNs: -Infinity }] };
    byTid.set(tid, track);
    return { track, created: true };
  }

  /** Puts the op [startNs, endNs] on the first lane of `track` whose last slice ended before. */
  place(track: Track, startNs: number, endNs: number): Placement {
    for (const lane of track.lanes) {
      if (startNs - lane.lastEndNs >= this.minGapNs) {
        lane.lastEndNs = endNs;
        return { lane, created: false };
      }
    }
    const lane: Lane = {
      pid: track.pid,
      tid: this.nextLaneTid++,
      index: track.lanes.length,
      lastEndNs: endNs,
    };
    track.lanes.push(lane);
    this.extraLanes++;
    return { lane, created: true };
  }
}
