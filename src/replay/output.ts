/**
 * The replay trace: one row per replayed op, in replay completion order, in the same schema as
 * a recording (start/end on the replay's clock; fh keeps the RECORDED handle id so rows join
 * with the recording; fault_* columns hold what the overlay did during the replay).
 */
import { hostname } from 'node:os';
import { OP_DICTIONARY, type Column, type TraceBatch } from '../trace/batch.js';
import { FAULT_KINDS, METADATA_KEYS } from '../trace/schema.js';
import { TraceWriter } from '../trace/writer.js';
import type { OverlayDecisions } from './overlay-decisions.js';
import { NULL32, type ReplayPlan } from './plan.js';
import type { ReplayResults } from './shared-state.js';
import { words, writeInt64 } from './int64.js';

/** Replay-specific metadata keys (besides METADATA_KEYS.source = "replay"). */
export const REPLAY_METADATA_KEYS = {
  input: 'interposer.replay.input',
  timing: 'interposer.replay.timing',
  speed: 'interposer.replay.speed',
  partial: 'interposer.replay.partial',
} as const;

const BATCH_ROWS = 65_536;

/** Op indices in replay completion order (only ops that ran). */
export function completionOrder(results: ReplayResults, n: number): Int32Array {
  let count = 0;
  for (let i = 0; i < n; i++) if (results.seq[i]! >= 0) count++;
  const order = new Int32Array(count);
  for (let i = 0; i < n; i++) {
    const s = results.seq[i]!;
    if (s >= 0) order[s] = i;
  }
  return order;
}

function int64(n: number, nullable: boolean): { kind: 'int64'; values: BigInt64Array; valid?: Uint8Array } {
  return nullable
    ? { kind: 'int64', values: new BigInt64Array(n), valid: new Uint8Array(n) }
    : { kind: 'int64', values: new BigInt64Array(n) };
}

function int32(n: number, nullable: boolean): { kind: 'int32'; values: Int32Array; valid?: Uint8Array } {
  return nullable
    ? { kind: 'int32', values: new Int32Array(n), valid: new Uint8Array(n) }
    : { kind: 'int32', values: new Int32Array(n) };
}

/** Rows order[from..to) as a batch. */
export function replayBatch(
  plan: ReplayPlan,
  results: ReplayResults,
  decisions: OverlayDecisions | null,
  order: Int32Array,
  from: number,
  to: number,
): TraceBatch {
  const n = to - from;
  const seq = int64(n, false);
  const op = new Int32Array(n);
  const path = new Int32Array(n);
  const path2 = new Int32Array(n);
  const comm = new Int32Array(n);
  const faultKind = new Int32Array(n).fill(-1);
  const fh = int64(n, true);
  const offset = int64(n, true);
  const size = int64(n, true);
  const bytes = int64(n, false);
  const errno = int32(n, false);
  const flags = int32(n, true);
  const mode = int32(n, true);
  const start = int64(n, false);
  const end = int64(n, false);
  const duration = int64(n, false);
  const pid = int32(n, false);
  const tid = int32(n, false);
  const uid = int32(n, false);
  const gid = int32(n, false);
  const faultErrno = int32(n, true);
  const faultDelay = int64(n, true);
  const faultTruncated = int64(n, true);
  const throttleWait = int64(n, true);

  const views = new Map<BigInt64Array, Int32Array>();
  const w = (col: ReturnType<typeof int64>) => {
    let v = views.get(col.values);
    if (!v) views.set(col.values, (v = words(col.values)));
    return v;
  };
  const set64 = (col: ReturnType<typeof int64>, r: number, v: number) => writeInt64(w(col), r, v);
  const setOpt64 = (col: ReturnType<typeof int64>, r: number, v: number, present: boolean) => {
    if (present) {
      writeInt64(w(col), r, Math.round(v));
      col.valid![r] = 1;
    }
  };
  for (let r = 0; r < n; r++) {
    const i = order[from + r]!;
    set64(seq, r, from + r);
    op[r] = plan.op[i]!;
    path[r] = plan.path[i]!;
    path2[r] = plan.path2[i]!;
    comm[r] = plan.comm[i]!;
    setOpt64(fh, r, plan.fh[i]!, !Number.isNaN(plan.fh[i]!));
    setOpt64(offset, r, plan.offset[i]!, !Number.isNaN(plan.offset[i]!));
    setOpt64(size, r, plan.size[i]!, !Number.isNaN(plan.size[i]!));
    set64(bytes, r, results.bytes[i]!);
    errno.values[r] = results.errno[i]!;
    if (plan.flags[i] !== NULL32) {
      flags.values[r] = plan.flags[i]!;
      flags.valid![r] = 1;
    }
    if (plan.mode[i] !== NULL32) {
      mode.values[r] = plan.mode[i]!;
      mode.valid![r] = 1;
    }
    const s = Math.round(results.startNs[i]!);
    const e = Math.max(s, Math.round(results.endNs[i]!));
    set64(start, r, s);
    set64(end, r, e);
    set64(duration, r, e - s);
    pid.values[r] = plan.pid[i]!;
    tid.values[r] = plan.tid[i]!;
    uid.values[r] = plan.uid[i]!;
    gid.values[r] = plan.gid[i]!;
    if (decisions !== null && decisions.faultKind[i]! >= 0) {
      faultKind[r] = decisions.faultKind[i]!;
      if (decisions.errno[i]! > 0) {
        faultErrno.values[r] = decisions.errno[i]!;
        faultErrno.valid![r] = 1;
      }
      setOpt64(faultTruncated, r, decisions.truncateTo[i]!, decisions.truncateTo[i]! >= 0);
    }
    setOpt64(faultDelay, r, results.faultDelayNs[i]!, results.faultDelayNs[i]! > 0);
    setOpt64(throttleWait, r, results.throttleWaitNs[i]!, results.throttleWaitNs[i]! > 0);
  }
  const columns: Record<string, Column> = {
    seq,
    op: { kind: 'string', indices: op, dictionary: OP_DICTIONARY },
    path: { kind: 'string', indices: path, dictionary: plan.paths },
    path2: { kind: 'string', indices: path2, dictionary: plan.paths },
    fh,
    offset,
    size,
    bytes,
    errno,
    flags,
    mode,
    start_ns: start,
    end_ns: end,
    duration_ns: duration,
    pid,
    tid,
    uid,
    gid,
    comm: { kind: 'string', indices: comm, dictionary: plan.comms },
    fault_kind: { kind: 'string', indices: faultKind, dictionary: FAULT_KINDS },
    fault_errno: faultErrno,
    fault_delay_ns: faultDelay,
    fault_truncated_to: faultTruncated,
    throttle_wait_ns: throttleWait,
  };
  return { length: n, columns };
}

export interface WriteReplayTraceOptions {
  path: string;
  plan: ReplayPlan;
  results: ReplayResults;
  decisions: OverlayDecisions | null;
  wallClockAnchorNs: bigint;
  metadata: Record<string, string>;
  /** Also handed every batch written (telemetry), after the writer accepted it. */
  onBatch?: (batch: TraceBatch) => void;
}

/** Writes the replay trace; returns the number of rows. */
export async function writeReplayTrace(options: WriteReplayTraceOptions): Promise<number> {
  const { plan, results, decisions } = options;
  const order = completionOrder(results, plan.n);
  const writer = await TraceWriter.open({
    path: options.path,
    wallClockAnchorNs: options.wallClockAnchorNs,
    metadata: {
      [METADATA_KEYS.source]: 'replay',
      [METADATA_KEYS.hostname]: hostname(),
      ...options.metadata,
    },
    flushIntervalMs: 0,
  });
  try {
    for (let from = 0; from < order.length; from += BATCH_ROWS) {
      const to = Math.min(order.length, from + BATCH_ROWS);
      const batch = replayBatch(plan, results, decisions, order, from, to);
      await writer.write(batch);
      options.onBatch?.(batch);
    }
  } finally {
    await writer.close();
  }
  return order.length;
}
