/**
 * Overlay verdicts for a replay, decided up front on the main thread in recorded start order.
 *
 * Why not decide as ops run: workers run in separate isolates, and an overlay's state (token
 * buckets, first/every/max counters, its PRNG) must be one for the whole replay. Deciding in
 * trace order also makes injection reproducible: the same overlay and seed hit the same ops in
 * every replay, whatever the scheduling.
 *
 * Each op is decided at its planned issue time on the replay clock (original timing: recorded
 * start / speed; afap: 0). Throttle waits therefore give an absolute earliest issue time
 * (planned + wait), which the executor honours: in afap the buckets pace the whole replay at
 * the configured rate. Time windows (after/before) refer to that same clock, so in afap every
 * op is at time 0 (use first/every/max to pick ops there).
 */
import {
  MemoryFaultLog,
  Overlay,
  type CorruptByte,
  type FaultRecord,
  type OverlayConfig,
} from '../overlay/index.js';
import { FAULT_KINDS, OPS } from '../trace/schema.js';
import { UNSUPPORTED } from './op-classes.js';
import type { ReplayPlan } from './plan.js';
import type { TimingMode } from './shared-state.js';

export interface OverlayDecisions {
  /** 0 = perform the op; else fail it with this errno without performing it. */
  errno: Int32Array;
  /** -1 = none; else read/write at most this many bytes. */
  truncateTo: Float64Array;
  /** Injected delays (ns), before and after the real op (throttle excluded). */
  delayBeforeNs: Float64Array;
  delayAfterNs: Float64Array;
  /** Replay-clock ns before which the throttle lets the op run (0 = not throttled). */
  throttleUntilNs: Float64Array;
  /** Index into FAULT_KINDS, -1 when the overlay left the op alone. */
  faultKind: Int8Array;
  /**
   * Bytes to corrupt in a read's or write's data, by op index (few ops: a Map, cloned to the
   * workers). Signal verdicts are recorded but not sent: during a replay the caller is the
   * replayer itself.
   */
  corrupt: Map<number, readonly CorruptByte[]>;
}

export interface DecidedOverlay {
  decisions: OverlayDecisions;
  /** Fault-log records in decision order, each with the op it belongs to. */
  records: { op: number; record: FaultRecord }[];
  /** Ops the overlay touched. */
  touched: number;
}

export function plannedIssueNs(plan: ReplayPlan, i: number, timing: TimingMode, speed: number): number {
  return timing === 'afap' ? 0 : plan.startNs[i]! / speed;
}

function shared<T>(ctor: new (b: SharedArrayBuffer) => T, bytes: number, n: number): T {
  return new ctor(new SharedArrayBuffer(Math.max(1, n) * bytes));
}

export function decideOverlay(
  plan: ReplayPlan,
  config: OverlayConfig,
  timing: TimingMode,
  speed: number,
): DecidedOverlay {
  const n = plan.n;
  const log = new MemoryFaultLog();
  const overlay = Overlay.fromConfig(config, { faultLog: log });
  const decisions: OverlayDecisions = {
    errno: shared(Int32Array, 4, n),
    truncateTo: shared(Float64Array, 8, n).fill(-1),
    delayBeforeNs: shared(Float64Array, 8, n),
    delayAfterNs: shared(Float64Array, 8, n),
    throttleUntilNs: shared(Float64Array, 8, n),
    faultKind: shared(Int8Array, 1, n).fill(-1),
    corrupt: new Map(),
  };
  const records: { op: number; record: FaultRecord }[] = [];
  let touched = 0;
  for (let i = 0; i < n; i++) {
    const code = plan.op[i]!;
    if (UNSUPPORTED[code] === 1) continue;
    const op = OPS[code]!;
    if (!overlay.interestedOps.has(op)) continue;
    const planned = plannedIssueNs(plan, i, timing, speed);
    const p2 = plan.path2[i]!;
    const size = plan.size[i]!;
    const offset = plan.offset[i]!;
    const before = log.records.length;
    const v = overlay.decide({
      op,
      path: plan.paths[plan.path[i]!]!,
      path2: p2 >= 0 ? plan.paths[p2]! : null,
      size: Number.isNaN(size) ? 0 : size,
      offset: Number.isNaN(offset) ? -1n : BigInt(offset),
      pid: plan.pid[i]!,
      uid: plan.uid[i]!,
      gid: plan.gid[i]!,
      nowNs: BigInt(Math.round(planned)),
    });
    for (let r = before; r < log.records.length; r++) records.push({ op: i, record: log.records[r]! });
    if (v.faultKind === null) continue;
    touched++;
    decisions.errno[i] = v.errno;
    decisions.truncateTo[i] = v.truncateTo;
    decisions.delayBeforeNs[i] = v.delayBeforeNs - v.throttleWaitNs;
    decisions.delayAfterNs[i] = v.delayAfterNs;
    if (v.throttleWaitNs > 0) decisions.throttleUntilNs[i] = planned + v.throttleWaitNs;
    decisions.faultKind[i] = FAULT_KINDS.indexOf(v.faultKind);
    if (v.corrupt && v.corrupt.length > 0) decisions.corrupt.set(i, v.corrupt);
  }
  return { decisions, records, touched };
}
