/**
 * One replay worker: runs its recorded threads (streams) with synchronous fs calls. Each loop
 * turn it issues, among the heads of its streams whose dependencies have completed and whose
 * planned time has come, the one that started first in the trace. When none is runnable it
 * parks: in Atomics.wait on the shared completion counter (woken by any completion) until at
 * most `spinNs` before the next planned issue, then spins, because timed waits overshoot by
 * 50-130 µs (timer slack plus wake-up; measured) and the issue-time error target is below 100 µs.
 *
 * Parking has a second cost: while a worker sleeps, other threads run on its CPU and take its
 * caches and TLB, so the op issued after a park runs cold. Measured with the same 4 KiB writes
 * 1 ms apart (load ~20 on 2 CPUs): p50 4.5 µs as fast as possible, 9-14 µs after a park even with
 * a 150-400 µs spin before the issue, 5.1-5.5 µs when the worker spins through the whole gap. So
 * when the workers fit on the machine's CPUs, each spins through gaps up to HOT_SPIN_NS instead
 * of parking (executor.ts chooses); oversubscribed, spinning workers would only steal each
 * other's CPUs, so they park as before.
 */
import { OP_CODE } from '../trace/schema.js';
import { loadCreds } from './caller-identity.js';
import { FsOps, errnoOf, type OpArgs } from './fs-ops.js';
import { CONTROL, type WorkerInit } from './shared-state.js';

/** Longest park while waiting on other workers (re-checks the stop flag). */
const MAX_PARK_MS = 50;

export interface MonotonicClock {
  /** Replay-clock ns: since the replay's t0, on the monotonic clock shared by all threads. */
  nowNs(): number;
}

export function replayClock(t0: bigint): MonotonicClock {
  // hrtime is the one clock all threads share (performance.now() in a worker drifted from the
  // main thread's by milliseconds in tests, so it cannot order ops across workers).
  return { nowNs: () => Number(process.hrtime.bigint() - t0) };
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function sleepUntil(clock: MonotonicClock, untilNs: number, spinNs: number): void {
  for (;;) {
    const left = untilNs - clock.nowNs();
    if (left <= 0) return;
    if (left > spinNs) Atomics.wait(sleepCell, 0, 0, (left - spinNs) / 1e6);
  }
}

/** Runs until every op of the worker's streams is done or the stop flag is set; returns ops executed. */
export function runWorker(init: WorkerInit): number {
  const { plan, schedule, results, decisions } = init;
  const { op, path, path2, offset, size, flags, mode, startNs, uid, gid } = plan;
  const { streamStart, streamOps, depStart, deps, skip } = schedule;
  const { slotOf, slotPath } = init.handles;
  const { control, state } = results;
  const clock = replayClock(Atomics.load(init.t0Cell, 0));
  const fsOps = new FsOps(results.slotFd, init.pool);
  const original = init.timing === 'original';
  const speed = init.speed;
  // Acting as the recorded callers: switch this thread's credentials when the caller changes.
  const callerGroups = init.callerGroups;
  const creds = callerGroups ? loadCreds() : null;
  const noGroups = new Int32Array(0);
  let actingUid = 0;
  let actingGid = 0;
  const actAs = (i: number): number => {
    const u = uid[i]!;
    const g = gid[i]!;
    if (creds === null || (u === actingUid && g === actingGid)) return 0;
    const err = creds.actAs(u, g, callerGroups!.get(u) ?? noGroups);
    if (err === 0) {
      actingUid = u;
      actingGid = g;
    }
    return err;
  };
  const spinNs = init.spinNs;

  const streams = init.streams;
  const cursor = Int32Array.from(streams.map((s) => streamStart[s]!));
  const limit = Int32Array.from(streams.map((s) => streamStart[s + 1]!));
  /** End time of each stream's previous op (its thread-order dependency). */
  const prevEnd = new Float64Array(streams.length);
  const args: OpArgs = {
    code: 0,
    path: '',
    path2: null,
    offset: 0,
    size: 0,
    flags: 0,
    mode: 0,
    slot: -1,
    contentHash: 0,
    corrupt: null,
  };
  let executed = 0;

  const depsDone = (i: number): boolean => {
    for (let k = depStart[i]!, end = depStart[i + 1]!; k < end; k++) {
      if (Atomics.load(state, deps[k]!) === 0) return false;
    }
    return true;
  };

  const finish = (i: number, started: number, errno: number, bytes: number) => {
    results.startNs[i] = started;
    results.endNs[i] = clock.nowNs();
    results.errno[i] = errno;
    results.bytes[i] = bytes;
    results.seq[i] = Atomics.add(control, CONTROL.seq, 1);
    Atomics.store(state, i, 1);
    Atomics.add(control, CONTROL.completed, 1);
    if (Atomics.load(control, CONTROL.waiters) > 0) Atomics.notify(control, CONTROL.completed);
  };

  const execute = (i: number, k: number) => {
    const code = op[i]!;
    const planned = original ? startNs[i]! / speed : 0;
    let ready = Math.max(planned, prevEnd[k]!);
    for (let d = depStart[i]!, end = depStart[i + 1]!; d < end; d++) {
      const e = results.endNs[deps[d]!]!;
      if (e > ready) ready = e;
    }
    const started = clock.nowNs();
    results.plannedNs[i] = planned;
    results.readyNs[i] = ready;
    const slot = slotOf[i]!;
    let errno = 0;
    let bytes = 0;
    let cut = -1;
    let delayAfter = 0;
    if (decisions !== null) {
      const until = decisions.throttleUntilNs[i]!;
      if (until > started) {
        sleepUntil(clock, until, spinNs);
        results.throttleWaitNs[i] = clock.nowNs() - started;
      }
      const before = decisions.delayBeforeNs[i]!;
      if (before > 0) sleepUntil(clock, clock.nowNs() + before, spinNs);
      delayAfter = decisions.delayAfterNs[i]!;
      results.faultDelayNs[i] = before + delayAfter;
      errno = decisions.errno[i]!;
      cut = decisions.truncateTo[i]!;
    }
    if (errno === 0) errno = actAs(i); // could not act as the caller: the op fails with that errno
    if (errno === 0) {
      const viaHandle =
        slot >= 0 && code !== OP_CODE.open && code !== OP_CODE.create && code !== OP_CODE.opendir;
      const pathId = viaHandle ? slotPath[slot]! : path[i]!;
      const p2 = path2[i]!;
      args.code = code;
      args.path = init.targetPaths[pathId]!;
      args.path2 = p2 < 0 ? null : code === OP_CODE.symlink ? init.rawPaths[p2]! : init.targetPaths[p2]!;
      args.offset = offset[i]!;
      args.size = cut >= 0 && cut < size[i]! ? cut : size[i]!;
      args.flags = flags[i]!;
      args.mode = mode[i]!;
      args.slot = slot;
      args.contentHash = init.pathHashes[pathId]!;
      args.corrupt = decisions !== null ? (decisions.corrupt.get(i) ?? null) : null;
      try {
        bytes = fsOps.run(args);
      } catch (err) {
        errno = errnoOf(err);
      }
    }
    if (delayAfter > 0) sleepUntil(clock, clock.nowNs() + delayAfter, spinNs);
    finish(i, started, errno, bytes);
    prevEnd[k] = results.endNs[i]!;
    executed++;
  };

  for (;;) {
    if (Atomics.load(control, CONTROL.stop) !== 0) break;
    const seen = Atomics.load(control, CONTROL.completed);
    const now = clock.nowNs();
    let best = -1;
    let bestK = -1;
    let nextPlanned = Infinity;
    let pending = false;
    for (let k = 0; k < cursor.length; k++) {
      // Skipped ops complete immediately, in stream order, without touching the target.
      while (cursor[k]! < limit[k]! && skip[streamOps[cursor[k]!]!] === 1) {
        const i = streamOps[cursor[k]!]!;
        Atomics.store(state, i, 1);
        cursor[k]!++;
      }
      if (cursor[k]! >= limit[k]!) continue;
      pending = true;
      const i = streamOps[cursor[k]!]!;
      if (!depsDone(i)) continue;
      if (original) {
        const planned = startNs[i]! / speed;
        if (planned > now) {
          if (planned < nextPlanned) nextPlanned = planned;
          continue;
        }
      }
      if (best < 0 || startNs[i]! < startNs[best]!) {
        best = i;
        bestK = k;
      }
    }
    if (best >= 0) {
      execute(best, bestK);
      cursor[bestK]!++;
      continue;
    }
    if (!pending) break;
    const parkNs = nextPlanned === Infinity ? MAX_PARK_MS * 1e6 : nextPlanned - clock.nowNs() - spinNs;
    if (parkNs > 0) {
      Atomics.add(control, CONTROL.waiters, 1);
      Atomics.wait(control, CONTROL.completed, seen, Math.min(parkNs / 1e6, MAX_PARK_MS));
      Atomics.sub(control, CONTROL.waiters, 1);
    }
  }
  return executed;
}
