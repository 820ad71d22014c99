/**
 * Memory the replay's main thread and worker threads share: the plan (read-only), handle fds,
 * per-op results and a small control block. Everything is a typed array over a
 * SharedArrayBuffer, so workers read and write it without messages.
 */
import type { HandleTable } from './handles.js';
import type { OverlayDecisions } from './overlay-decisions.js';
import type { Schedule } from './dependencies.js';

/** Indices into the control block (Int32Array). */
export const CONTROL = {
  /** Ops completed so far (workers wait on it for dependencies). */
  completed: 0,
  /** Set to 1 to stop (SIGINT): workers finish their current op and exit. */
  stop: 1,
  /** Workers currently parked in Atomics.wait on `completed`. */
  waiters: 2,
  /** Next replay seq (completion order). */
  seq: 3,
} as const;

export interface ReplayResults {
  /** 1 once the op completed (Atomics). */
  state: Int32Array;
  /** Replay-clock ns (since the replay's t0) when the op was issued, and completed. */
  startNs: Float64Array;
  endNs: Float64Array;
  /** When the op could have been issued at the earliest: max(planned time, end of every dependency). */
  readyNs: Float64Array;
  /** Planned issue time (original timing; 0 in afap). */
  plannedNs: Float64Array;
  errno: Int32Array;
  bytes: Float64Array;
  /** Completion order. */
  seq: Int32Array;
  /** Time actually spent waiting for the throttle, and in injected delays (ns). */
  throttleWaitNs: Float64Array;
  faultDelayNs: Float64Array;
  control: Int32Array;
  /** Real fd of each handle slot, -1 when closed/never opened. */
  slotFd: Int32Array;
}

function f64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8));
}

function i32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
}

export function allocateResults(n: number, slots: number): ReplayResults {
  return {
    state: i32(n),
    startNs: f64(n),
    endNs: f64(n),
    readyNs: f64(n),
    plannedNs: f64(n),
    errno: i32(n),
    bytes: f64(n),
    seq: i32(n).fill(-1),
    throttleWaitNs: f64(n),
    faultDelayNs: f64(n),
    control: i32(8),
    slotFd: i32(slots).fill(-1),
  };
}

export type TimingMode = 'original' | 'afap';

/** Everything one worker needs (structured-cloned; typed arrays keep sharing their memory). */
/** Spin this long before a planned issue (parking first) when workers outnumber CPUs. */
export const SPIN_NS = 150_000;
/** Spin through gaps up to this long (no park) when every worker has a CPU (worker-loop.ts). */
export const HOT_SPIN_NS = 2_000_000;

export interface WorkerInit {
  workerIndex: number;
  /** The streams (recorded threads) this worker runs. */
  streams: number[];
  timing: TimingMode;
  speed: number;
  /** Spin (not park) when the next planned issue is at most this far off (worker-loop.ts). */
  spinNs: number;
  /** process.hrtime.bigint() of the replay's t0, written by the main thread before opening the gate. */
  t0Cell: BigInt64Array;
  /** Index of the start-gate cell in results.control (0 until the main thread releases the workers). */
  gate: number;
  plan: {
    op: Uint8Array;
    path: Int32Array;
    path2: Int32Array;
    offset: Float64Array;
    size: Float64Array;
    flags: Int32Array;
    mode: Int32Array;
    startNs: Float64Array;
    uid: Int32Array;
    gid: Int32Array;
  };
  /** Root: act as each row's caller, with these supplementary groups per uid (caller-identity.ts). */
  callerGroups: Map<number, Int32Array> | null;
  /** Absolute target path of each path id; raw trace path strings (symlink targets). */
  targetPaths: string[];
  rawPaths: string[];
  /** Content hash of each path id. */
  pathHashes: Uint32Array;
  handles: Pick<HandleTable, 'slotOf' | 'slotPath'>;
  schedule: Pick<Schedule, 'streamStart' | 'streamOps' | 'depStart' | 'deps' | 'skip'>;
  decisions: OverlayDecisions | null;
  results: ReplayResults;
  pool: Uint8Array;
}
