/**
 * A live interposer mount: the native passthrough serving FUSE on its own threads, this
 * process draining its trace batches into the Parquet writer (and any other batch sinks), and
 * the overlay answering the native side for the ops it shapes.
 */
import type { OutputAccess } from '../io/output-file.js';
import { hostname } from 'node:os';
import { rm } from 'node:fs/promises';
import { UserError } from '../errors.js';
import type { TraceBatch } from '../trace/batch.js';
import { FAULT_KINDS, METADATA_KEYS, OPS, type Op } from '../trace/schema.js';
import { TraceWriter } from '../trace/writer.js';
import type { Overlay, OpContext } from '../overlay/index.js';
import {
  loadNative,
  MAX_CORRUPT_BYTES,
  NATIVE_EVENT,
  VERDICT_SLOT,
  VERDICT_SLOTS,
  type CallerNameSource,
  type NativeBinding,
} from './native.js';
import { traceBatchFromNative } from './native-batch.js';
import { fuseConnectionId, mountAt } from './mountinfo.js';
import { abortConnectionId } from './unmount.js';
import { POWER_LOSS_OPS, type PowerLossLayer } from './power-loss.js';
import { clockPair } from '../trace/wall-clock.js';
import {
  chooseTransport,
  describeTransport,
  probeTransport,
  type IoUringMode,
  type NativeTransportState,
  type Transport,
} from './transport.js';

/**
 * Default entry/attribute/negative timeout of the kernel's caches (seconds), chosen by
 * measurement (README "Kernel caching"): the metadata gain is already whole at 1 s.
 */
export const DEFAULT_CACHE_TIMEOUT_SEC = 1;

export interface MountOptions {
  /** Real, checked paths (see preflight.ts). */
  backing: string;
  mountpoint: string;
  /** Parquet trace to write; null records nothing (the passthrough still runs). */
  tracePath: string | null;
  /** Mode and group of the trace and its journal (default 0600). */
  traceAccess?: OutputAccess;
  overlay?: Overlay | null;
  /** Keeps undo logs of unsynced writes so a crash can be simulated (power-loss.ts). */
  powerLoss?: PowerLossLayer | null;
  /** Let other users use the mount (needs root or user_allow_other). */
  allowOther?: boolean;
  /** Extra FUSE -o options. */
  fuseOptions?: string[];
  /**
   * Seconds the kernel may cache names, attributes and missing names (default
   * DEFAULT_CACHE_TIMEOUT_SEC; 0 with power loss). Safe while only the mount changes the backing
   * dir (hard links share one kernel inode); use 0 when others change it underneath (shared
   * volumes). Cached answers never reach the server, so they are not rows.
   */
  cacheTimeoutSec?: number;
  /** Keep a file's cached pages across opens (default: when cacheTimeoutSec > 0 and there is no overlay). */
  keepCache?: boolean;
  /** Let the kernel buffer writes and send them later in large batches (default off: write rows
   * then come from the kernel, not the writing process, and arrive late). */
  writebackCache?: boolean;
  /** Called with every batch after it was handed to the writer (telemetry, live views). */
  onBatch?: (batch: TraceBatch) => void;
  /** The instant trace times count from (default: now); telemetry needs it before the mount starts. */
  clock?: CaptureClock;
  /** Extra trace file metadata. */
  metadata?: Record<string, string>;
  /** How often partially filled trace buffers are collected (ms). */
  drainIntervalMs?: number;
  /** Max FUSE worker threads. */
  maxThreads?: number;
  /** Rows per trace row group (default RECORD_ROW_GROUP_ROWS). */
  rowGroupRows?: number;
  /** FUSE over io_uring: auto (when the kernel offers it), on (or fail), off (default). */
  ioUring?: IoUringMode;
  /** io_uring requests in flight per core queue (default: libfuse's, 8). */
  ioUringQueueDepth?: number;
  /** Keep libfuse's one-CPU affinity of each ring's thread (default: any CPU the mount may use while it serves readahead). */
  ioUringPinThreads?: boolean;
}

/** One instant on both clocks: trace times are monotonic ns since originNs, and
 * wall-clock ns = wallClockAnchorNs + start_ns. */
export interface CaptureClock {
  originNs: bigint;
  wallClockAnchorNs: bigint;
}

export function captureClock(): CaptureClock {
  // process.hrtime is CLOCK_MONOTONIC, the clock the native side stamps operations with.
  const { monotonicNs, wallNs } = clockPair();
  return { originNs: monotonicNs, wallClockAnchorNs: wallNs };
}

export interface MountStats {
  /** Rows in the trace: operations plus event (marker) rows. */
  rows: number;
  /** File-system operations recorded (rows that are not events). */
  operations: number;
  /** Marker rows (rule changes, checkpoints) put in by recordEvent. */
  events: number;
  /** Operations the native side asked the overlay about (the rest never reached JavaScript). */
  overlayQuestions?: number;
  /** Times a FUSE thread waited because the writer fell behind (backpressure). */
  stalls: number;
  /**
   * Where rows get the caller's command name: `task-events` (kept per thread until the host's
   * perf side-band records say some task was renamed, created or ended) or `proc` (one read of
   * /proc/<tid>/comm per row, where perf_event_open is not allowed). Both are exact.
   */
  callerNames: CallerNameSource;
}

/** Escapes a value for libfuse's comma-separated option parser. */
function fuseOptionValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/,/g, '\\,');
}

function opMask(ops: ReadonlySet<Op>): [number, number] {
  let low = 0;
  let high = 0;
  for (const op of ops) {
    const code = OPS.indexOf(op);
    if (code < 32) low |= 1 << code;
    else high |= 1 << (code - 32);
  }
  return [low >>> 0, high >>> 0];
}

/*
 * Memory the recorder may hold, sized by measurement (README, "What changed the numbers"): the
 * native pool holds NATIVE_BATCHES x NATIVE_BATCH_ROWS rows (about 230 bytes each with their
 * string tables) and the writer the arrays of up to three row groups (the one filling, the ones
 * being encoded and written; trace/row-group-builder.ts). Halving both from 4 x 32k and 131k rows
 * (when the writer still kept drained batches until their row group filled) lowered the peak
 * RSS under 4-job fio on io_uring from 91-151 MiB to 94-129 MiB, with no writer stalls (at up
 * to 28k rows/s there; 64k rows of pool cover two seconds at that rate, and the JS side drains
 * every 100 ms).
 */
const NATIVE_BATCH_ROWS = 16_384;
const NATIVE_BATCHES = 4;
const RECORD_ROW_GROUP_ROWS = 65_536;

export class InterposerMount {
  /** Resolves when the file system is gone (stopped, or unmounted from outside) and the trace is closed. */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private rejectClosed!: (err: unknown) => void;
  private draining: Promise<void> = Promise.resolve();
  private drainQueued = false;
  private drainPartialQueued = false;
  private drainTimer: NodeJS.Timeout;
  private stopping = false;
  private overlayQuestions = 0;
  private unmounting: Promise<void> = Promise.resolve();
  private finalStats: MountStats | undefined;
  private eventRows = 0;
  private finished = false;
  private readonly connectionId: string;
  /** The transport requests travel on, and a line saying why (set by start()). */
  transport: Transport = '/dev/fuse';
  transportReason = '';

  private constructor(
    private readonly native: NativeBinding,
    private readonly handle: unknown,
    readonly originNs: bigint,
    readonly options: MountOptions,
    private readonly writer: TraceWriter | null,
    /** Shared with the native side, which reads the verdict decide() leaves here. */
    private readonly verdict: Float64Array,
  ) {
    this.closed = new Promise((resolve, reject) => {
      this.resolveClosed = resolve;
      this.rejectClosed = reject;
    });
    // The timer also takes the batch being filled, so rows reach the trace within an interval.
    this.drainTimer = setInterval(() => this.scheduleDrain(true), options.drainIntervalMs ?? 100);
    this.connectionId = fuseConnectionId(
      mountAt(options.mountpoint) ?? { mountPoint: '', device: '', fsType: '', source: '' },
    );
    this.refreshOverlayInterest();
  }

  static async start(options: MountOptions): Promise<InterposerMount> {
    const native = loadNative();
    const clock = options.clock ?? captureClock();
    const wallClockAnchorNs = clock.wallClockAnchorNs;
    const writer = options.tracePath
      ? await TraceWriter.open({
          path: options.tracePath,
          ...(options.traceAccess ? { access: options.traceAccess } : {}),
          wallClockAnchorNs,
          rowGroupRows: options.rowGroupRows ?? RECORD_ROW_GROUP_ROWS,
          metadata: {
            [METADATA_KEYS.source]: 'record',
            [METADATA_KEYS.backing]: options.backing,
            [METADATA_KEYS.mountpoint]: options.mountpoint,
            [METADATA_KEYS.hostname]: hostname(),
            ...options.metadata,
          },
        })
      : null;
    const cacheTimeoutSec = options.cacheTimeoutSec ?? (options.powerLoss ? 0 : DEFAULT_CACHE_TIMEOUT_SEC);
    // Pages kept across opens would replay an overlay's corrupted or failed reads to later
    // readers (and skip its rules): with an overlay, every open starts from the server again.
    const keepCache = options.keepCache ?? (cacheTimeoutSec > 0 && !options.overlay);
    const fuseOptions = [
      `fsname=interposer:${fuseOptionValue(options.backing)}`,
      'subtype=interposer',
      // The kernel checks permissions against file modes, as on the backing file system.
      'default_permissions',
      ...(options.allowOther ? ['allow_other'] : []),
      `attr_timeout=${cacheTimeoutSec}`,
      `entry_timeout=${cacheTimeoutSec}`,
      `negative_timeout=${cacheTimeoutSec}`,
      keepCache ? 'keep_cache' : 'no_keep_cache',
      options.writebackCache ? 'writeback_cache' : 'no_writeback_cache',
      ...(options.fuseOptions ?? []),
    ].join(',');
    // The mount object does not exist yet when the native side may first call back; route
    // through a holder so early events are not lost.
    const holder: { mount?: InterposerMount } = {};
    // Before anything is created: `--io-uring on` on a host without it is refused here.
    const transportChoice = chooseTransport(options.ioUring ?? 'off', probeTransport(native.ioUringCompiled));
    let mounted: { handle: unknown; originNs: bigint };
    const verdict = new Float64Array(VERDICT_SLOTS);
    try {
      mounted = native.mount({
        backing: options.backing,
        mountpoint: options.mountpoint,
        fuseOptions,
        record: options.tracePath !== null || options.onBatch !== undefined,
        originNs: clock.originNs,
        batchRows: NATIVE_BATCH_ROWS,
        batches: NATIVE_BATCHES,
        maxThreads: options.maxThreads ?? 16,
        ioUring: transportChoice.ioUring,
        ioUringQueueDepth: options.ioUringQueueDepth ?? 0,
        ioUringPinThreads: options.ioUringPinThreads ?? false,
        onEvent: (kind) => holder.mount?.onNativeEvent(kind),
        decide: (op, path, path2, size, offset, tid, uid, gid, nowNs) =>
          holder.mount?.decide(op, path, path2, size, offset, tid, uid, gid, nowNs),
        verdict,
      });
    } catch (err) {
      // Nothing half-made stays behind: the empty trace this call created goes too.
      await writer?.close();
      if (options.tracePath) await rm(options.tracePath, { force: true });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EFUSEOPT' || code === 'EMOUNT' || code === 'EBACKING')
        throw new UserError((err as Error).message);
      throw err;
    }
    const mount = new InterposerMount(native, mounted.handle, mounted.originNs, options, writer, verdict);
    holder.mount = mount;
    const state = await mount.settledTransport();
    const { transport, line } = describeTransport(transportChoice, state);
    mount.transport = transport;
    mount.transportReason = line;
    if (options.ioUring === 'on' && transport !== 'io_uring') {
      await mount.stop();
      throw new UserError(`--io-uring on: ${line}`);
    }
    return mount;
  }

  /**
   * Waits for the kernel's INIT to be answered (it arrives right after the mount), then briefly
   * for libfuse to start its rings, which it reports only by logging a failure.
   */
  private async settledTransport(): Promise<NativeTransportState> {
    const deadline = Date.now() + 5_000;
    let state = this.native.transport(this.handle).state;
    while (state === 'pending' && Date.now() < deadline && !this.finished) {
      await new Promise((r) => setTimeout(r, 5));
      state = this.native.transport(this.handle).state;
    }
    if (state !== 'io_uring') return state;
    await new Promise((r) => setTimeout(r, 20));
    return this.native.transport(this.handle).state;
  }

  /** Call after changing the overlay's rules so the native side asks about the right ops. */
  refreshOverlayInterest(): void {
    const ops = new Set<Op>(this.options.overlay?.interestedOps ?? []);
    if (this.options.powerLoss) for (const op of POWER_LOSS_OPS) ops.add(op);
    const [low, high] = opMask(ops);
    // Power-loss simulation watches its ops on every path.
    const overlayScopes = this.options.overlay?.pathScopesByOp;
    const scopes = OPS.map((op, code): readonly string[] | null => {
      if (this.options.powerLoss && POWER_LOSS_OPS.includes(op)) return null;
      // null (any path) must stay null: only a missing overlay means "no path".
      return overlayScopes ? (overlayScopes[code] ?? null) : [];
    });
    this.native.setInterest(this.handle, low, high, scopes);
  }

  /**
   * Puts a marker row (op "event", path = what, path2 = detail) into the trace, in order with
   * the operations around it: overlay rule changes, checkpoints.
   */
  async recordEvent(what: string, detail: string): Promise<void> {
    if (this.finished) return;
    while (!this.native.recordEvent(this.handle, what, detail)) {
      await this.scheduleDrain(true);
      if (this.finished) return;
    }
    this.eventRows++;
  }

  /** Everything recorded so far is on disk in complete row groups when this resolves. */
  async checkpoint(): Promise<void> {
    await this.scheduleDrain(true);
    await this.writer?.flush();
  }

  stats(): MountStats {
    // After the loop ended the native state is freed; report what it said last.
    if (this.finalStats) return this.finalStats;
    const native = this.native.stats(this.handle);
    return {
      ...native,
      operations: native.rows - this.eventRows,
      events: this.eventRows,
      overlayQuestions: this.overlayQuestions,
    };
  }

  /**
   * Unmounts (lazily: files still open keep being served until closed), waits for the FUSE loop
   * to end, flushes and closes the trace. If the kernel connection does not end within
   * `abortAfterMs`, it is aborted so nothing is left hanging.
   */
  async stop(abortAfterMs = 10_000): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.unmounting = this.native.unmount(this.handle);
      const timer = setTimeout(() => this.abortConnection(), abortAfterMs);
      timer.unref();
      this.closed.finally(() => clearTimeout(timer)).catch(() => undefined);
    }
    return this.closed;
  }

  private abortConnection(): void {
    if (this.finished) return;
    try {
      abortConnectionId(this.connectionId);
    } catch {
      // The connection ended between the check and the write.
    }
  }

  private decide(
    op: number,
    path: string,
    path2: string | null,
    size: number,
    offset: number,
    tid: number,
    uid: number,
    gid: number,
    nowNs: number,
  ): void {
    const overlay = this.options.overlay;
    const slots = this.verdict;
    this.overlayQuestions++;
    this.options.powerLoss?.beforeOp(OPS[op]!, path, offset, size);
    const ctx: OpContext = {
      op: OPS[op]!,
      path,
      path2,
      size,
      offset: BigInt(offset),
      pid: tid,
      uid,
      gid,
      nowNs: BigInt(Math.round(nowNs)),
    };
    const v = overlay ? overlay.decide(ctx) : null;
    slots[VERDICT_SLOT.errno] = v?.errno ?? 0;
    slots[VERDICT_SLOT.truncateTo] = v?.truncateTo ?? -1;
    slots[VERDICT_SLOT.delayBeforeNs] = v?.delayBeforeNs ?? 0;
    slots[VERDICT_SLOT.delayAfterNs] = v?.delayAfterNs ?? 0;
    slots[VERDICT_SLOT.throttleWaitNs] = v?.throttleWaitNs ?? 0;
    slots[VERDICT_SLOT.faultKind] = v?.faultKind ? FAULT_KINDS.indexOf(v.faultKind) : -1;
    const corrupt = v?.corrupt ?? null;
    const count = corrupt ? Math.min(corrupt.length, MAX_CORRUPT_BYTES) : 0;
    slots[VERDICT_SLOT.corruptCount] = count;
    for (let i = 0; i < count; i++) {
      slots[VERDICT_SLOT.corrupt + 2 * i] = corrupt![i]!.index;
      slots[VERDICT_SLOT.corrupt + 2 * i + 1] = corrupt![i]!.xor;
    }
    slots[VERDICT_SLOT.pathIdle] =
      path2 === null && overlay && !this.options.powerLoss && !overlay.mayMatchPath(path) ? 1 : 0;
    // Crash-at-the-worst-moment: the caller gets the signal while its operation is in flight.
    if (v?.signal) {
      try {
        process.kill(tid, v.signal);
      } catch {
        // Already gone.
      }
    }
  }

  private onNativeEvent(kind: number): void {
    if (kind === NATIVE_EVENT.batchReady) void this.scheduleDrain(false);
    else if (kind === NATIVE_EVENT.loopExited) void this.finish();
  }

  /**
   * Drains run one at a time; a request during a drain queues exactly one more. `partial` also
   * takes the batch being filled: the timer, checkpoints and the end ask for it, a full batch
   * (the binding's batchReady) does not. Under load a drain that took every partial batch would
   * hand over a few rows at a time: thousands of small batches a second, whose objects outlived
   * the young generation and grew the recording server's heap (see README, memory).
   */
  private scheduleDrain(partial: boolean): Promise<void> {
    if (this.finished) return this.draining;
    this.drainPartialQueued ||= partial;
    if (this.drainQueued) return this.draining;
    this.drainQueued = true;
    this.draining = this.draining.then(async () => {
      const takePartial = this.drainPartialQueued;
      this.drainQueued = false;
      this.drainPartialQueued = false;
      await this.drainOnce(takePartial);
    });
    return this.draining;
  }

  /** Everything drained then, and the batches that fill meanwhile; a partial one only first. */
  private async drainOnce(partial: boolean): Promise<void> {
    for (let first = true; ; first = false) {
      const raws = this.native.drain(this.handle, partial && first);
      if (raws.length === 0) return;
      for (const raw of raws) {
        const batch = traceBatchFromNative(raw);
        // The writer copies the rows at once: the drained buffers are garbage after this.
        if (this.writer) await this.writer.write(batch);
        this.options.onBatch?.(batch);
      }
    }
  }

  private async finish(): Promise<void> {
    clearInterval(this.drainTimer);
    try {
      await this.scheduleDrain(true);
      this.finished = true;
      // The loop has ended: the last rows are in the buffers. Collect them, then free.
      await this.drainOnce(true);
      this.finalStats = this.stats();
      await this.unmounting;
      this.native.destroy(this.handle);
      await this.writer?.close();
      this.resolveClosed();
    } catch (err) {
      this.rejectClosed(err);
    }
  }
}
