/**
 * Runs a planned replay on worker threads: one worker per unit of concurrency, each running a
 * share of the recorded threads (streams) with synchronous fs calls. Workers start, report
 * ready, and are released together at t0, so worker start-up never counts as issue delay.
 */
import { closeSync, existsSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Schedule } from './dependencies.js';
import type { HandleTable } from './handles.js';
import type { OverlayDecisions } from './overlay-decisions.js';
import type { ReplayPlan } from './plan.js';
import {
  CONTROL,
  HOT_SPIN_NS,
  SPIN_NS,
  allocateResults,
  type ReplayResults,
  type TimingMode,
  type WorkerInit,
} from './shared-state.js';
import { pathHash } from './content.js';
import { targetPath } from './target.js';
import { clockPair } from '../trace/wall-clock.js';

const O_RDWR = 0o2;
const O_DIRECTORY = 0o200000;
/** Control cells used only here: the start gate and the shared t0. */
const GO = 4;

export interface ExecuteOptions {
  plan: ReplayPlan;
  handles: HandleTable;
  schedule: Schedule;
  decisions: OverlayDecisions | null;
  timing: TimingMode;
  speed: number;
  concurrency: number;
  targetRoot: string;
  pool: Uint8Array;
  /** Act as each row's recorded caller (root only), with these supplementary groups per uid. */
  callerGroups?: Map<number, Int32Array> | null;
  /** Called about every progressIntervalMs with the number of completed ops. */
  onProgress?: (completed: number) => void;
  progressIntervalMs?: number;
  /** Aborting stops the replay after the ops in progress (SIGINT). */
  signal?: AbortSignal;
}

export interface Execution {
  results: ReplayResults;
  /** Unix-epoch ns at replay-clock 0. */
  wallClockAnchorNs: bigint;
  /** Replay-clock ns when the last worker finished. */
  elapsedNs: number;
  partial: boolean;
  workers: number;
}

/** The compiled worker script; from TypeScript sources (tests) the built copy under dist/. */
export function workerScript(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  const built = new URL('../../dist/replay/worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(built))) {
    throw new Error('replay workers run compiled JavaScript: build first (npx tsc -p tsconfig.build.json)');
  }
  return built;
}

/** Streams to workers, heaviest first onto the least-loaded worker. */
export function assignStreams(schedule: Schedule, workers: number): number[][] {
  const out: number[][] = Array.from({ length: workers }, () => []);
  const load = new Float64Array(workers);
  const streams = Array.from({ length: schedule.streamCount }, (_, s) => s);
  const size = (s: number) => schedule.streamStart[s + 1]! - schedule.streamStart[s]!;
  streams.sort((a, b) => size(b) - size(a));
  for (const s of streams) {
    let w = 0;
    for (let k = 1; k < workers; k++) if (load[k]! < load[w]!) w = k;
    out[w]!.push(s);
    load[w] = load[w]! + size(s);
  }
  return out.map((list) => list.sort((a, b) => a - b));
}

/** Opens handles the trace used without recording their open (opened before the capture). */
function openOrphans(
  plan: ReplayPlan,
  handles: HandleTable,
  slotFd: Int32Array,
  targetPaths: string[],
): void {
  for (let s = 0; s < handles.count; s++) {
    if (handles.slotOpener[s] !== -1) continue;
    const path = targetPaths[handles.slotPath[s]!]!;
    for (const flags of handles.slotIsDir[s] === 1 ? [O_DIRECTORY] : [O_RDWR, 0]) {
      try {
        slotFd[s] = openSync(path, flags);
        break;
      } catch {
        // try the next mode; a handle that cannot be opened replays as EBADF
      }
    }
  }
  void plan;
}

export async function execute(options: ExecuteOptions): Promise<Execution> {
  const { plan, handles, schedule } = options;
  const results = allocateResults(plan.n, handles.count);
  const targetPaths = plan.paths.map((p) => targetPath(options.targetRoot, p));
  const pathHashes = new Uint32Array(new SharedArrayBuffer(Math.max(1, plan.paths.length) * 4));
  plan.paths.forEach((p, i) => (pathHashes[i] = pathHash(p)));
  openOrphans(plan, handles, results.slotFd, targetPaths);

  const workerCount = Math.max(1, Math.min(options.concurrency, schedule.streamCount));
  const assignment = assignStreams(schedule, workerCount);
  const t0Cell = new BigInt64Array(new SharedArrayBuffer(8));
  const script = workerScript();
  const common = {
    timing: options.timing,
    speed: options.speed,
    // Workers that each have a CPU spin through short gaps: parking hands their caches to others.
    spinNs: workerCount < availableParallelism() ? HOT_SPIN_NS : SPIN_NS,
    plan: {
      op: plan.op,
      path: plan.path,
      path2: plan.path2,
      offset: plan.offset,
      size: plan.size,
      flags: plan.flags,
      mode: plan.mode,
      startNs: plan.startNs,
      uid: plan.uid,
      gid: plan.gid,
    },
    callerGroups: options.callerGroups ?? null,
    targetPaths,
    rawPaths: plan.paths,
    pathHashes,
    handles: { slotOf: handles.slotOf, slotPath: handles.slotPath },
    schedule: {
      streamStart: schedule.streamStart,
      streamOps: schedule.streamOps,
      depStart: schedule.depStart,
      deps: schedule.deps,
      skip: schedule.skip,
    },
    decisions: options.decisions,
    results,
    pool: options.pool,
  };

  const workers: Worker[] = [];
  const finished: Promise<number>[] = [];
  const ready: Promise<void>[] = [];
  for (let w = 0; w < workerCount; w++) {
    const init: WorkerInit = {
      ...common,
      workerIndex: w,
      streams: assignment[w]!,
      t0Cell,
      gate: GO,
    };
    // Handles are shared: one worker opens an fd, another may close it. Node's per-worker fd
    // tracking would close a worker's fds when it exits (possibly numbers reused by then), so it
    // is off; the main thread closes whatever is still open at the end.
    const worker = new Worker(script, { workerData: init, trackUnmanagedFds: false });
    workers.push(worker);
    let markReady!: () => void;
    ready.push(new Promise<void>((r) => (markReady = r)));
    finished.push(
      new Promise<number>((resolve, reject) => {
        worker.on('message', (m: { ready?: boolean; executed?: number }) => {
          if (m.ready) markReady();
          else if (m.executed !== undefined) resolve(m.executed);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          markReady();
          if (code !== 0) reject(new Error(`replay worker ${w} exited with code ${code}`));
        });
      }),
    );
  }

  const stop = () => {
    Atomics.store(results.control, CONTROL.stop, 1);
    Atomics.notify(results.control, CONTROL.completed);
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.all(ready);
    const { monotonicNs: t0, wallNs: wallClockAnchorNs } = clockPair();
    t0Cell[0] = t0;
    Atomics.store(results.control, GO, 1);
    Atomics.notify(results.control, GO);
    if (options.onProgress) {
      timer = setInterval(
        () => options.onProgress!(Atomics.load(results.control, CONTROL.completed)),
        options.progressIntervalMs ?? 500,
      );
    }
    const executed = (await Promise.all(finished)).reduce((a, b) => a + b, 0);
    const elapsedNs = Number(process.hrtime.bigint() - t0);
    let skipped = 0;
    for (let i = 0; i < plan.n; i++) skipped += schedule.skip[i]!;
    return {
      results,
      wallClockAnchorNs,
      elapsedNs,
      partial: executed + skipped < plan.n,
      workers: workerCount,
    };
  } catch (err) {
    stop();
    throw err;
  } finally {
    if (timer) clearInterval(timer);
    options.signal?.removeEventListener('abort', stop);
    await Promise.all(workers.map((w) => w.terminate()));
    for (let s = 0; s < results.slotFd.length; s++) {
      const fd = results.slotFd[s]!;
      if (fd >= 0) {
        try {
          closeSync(fd);
        } catch {
          // already closed
        }
        results.slotFd[s] = -1;
      }
    }
  }
}
