/**
 * The native FUSE binding (native/, N-API over libfuse3): loading and its raw types.
 * Everything here is a thin typed shell; behaviour lives in mount.ts.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import type { NativeTransportState } from './transport.js';

/** How the native side names callers (see MountStats.callerNames). */
export type CallerNameSource = 'task-events' | 'proc';

/** One drained batch, as the binding hands it over: one ArrayBuffer per column. */
export interface RawBatch {
  length: number;
  columns: Record<string, ArrayBuffer>;
  valid: Record<string, ArrayBuffer>;
  /** NUL-terminated UTF-8 strings: the batch's dictionary for path, path2 and comm. */
  strings: ArrayBuffer;
}

/** What the native side passes to the overlay: (op code, path, path2, size, offset, tid, uid, gid, nowNs). */
export type NativeDecide = (
  op: number,
  path: string,
  path2: string | null,
  size: number,
  offset: number,
  tid: number,
  uid: number,
  gid: number,
  nowNs: number,
) => void;

export const NATIVE_EVENT = { batchReady: 1, loopExited: 2 } as const;

export interface NativeMountOptions {
  backing: string;
  mountpoint: string;
  /** Comma-separated FUSE -o options. */
  fuseOptions: string;
  record: boolean;
  /** CLOCK_MONOTONIC ns (process.hrtime.bigint()) that trace times count from. */
  originNs: bigint;
  batchRows: number;
  batches: number;
  maxThreads: number;
  /** Ask libfuse for FUSE over io_uring (used when the kernel's INIT offers it). */
  ioUring: boolean;
  /** io_uring requests in flight per core queue; 0 = libfuse's default (8). */
  ioUringQueueDepth: number;
  /** Keep libfuse's pinning of each ring's thread to its CPU (else: the mount's CPUs). */
  ioUringPinThreads: boolean;
  onEvent: (kind: number) => void;
  decide: NativeDecide;
  /** Float64Array(VERDICT_SLOTS) the decide callback fills (see VERDICT_SLOT). */
  verdict: Float64Array;
}

export interface NativeBinding {
  mount(options: NativeMountOptions): { handle: unknown; originNs: bigint };
  /** The full batches, and with `partial` the one being filled too (if it holds rows). */
  drain(handle: unknown, partial: boolean): RawBatch[];
  /**
   * Ops whose bit is set are sent to decide(), unless neither of their paths starts with one of
   * the literal prefixes (relative to the mount root) that `scopesByOp[op code]` lists; a null
   * entry means any path may match.
   */
  setInterest(
    handle: unknown,
    low: number,
    high: number,
    scopesByOp: readonly (readonly string[] | null)[],
  ): void;
  /** Resolves when the unmount call returned; must have settled before destroy(). */
  unmount(handle: unknown): Promise<void>;
  destroy(handle: unknown): void;
  stats(handle: unknown): { stalls: number; rows: number; callerNames: CallerNameSource };
  /** Appends an "event" marker row; false when every buffer is full (drain, then retry). */
  recordEvent(handle: unknown, what: string, detail: string): boolean;
  /** The transport in use, known once the kernel's INIT was answered ("pending" before). */
  transport(handle: unknown): { state: NativeTransportState; kernelOffers: boolean };
  /** The binding's libfuse can serve FUSE over io_uring (>= 3.18). */
  readonly ioUringCompiled: boolean;
  /** The kernel's credentials of the process at the other end of a connected unix socket. */
  peerCredentials(fd: number): { pid: number; uid: number; gid: number; groups: number[] };
  /** libfuse's complaint about comma-separated mount options ("unknown option(s): ..."), or null. */
  checkFuseOptions(options: string): string | null;
}

/** Indices into NativeMountOptions.verdict (native/src/mount.h IP_VERDICT_SLOTS). */
export const VERDICT_SLOT = {
  errno: 0,
  truncateTo: 1,
  delayBeforeNs: 2,
  delayAfterNs: 3,
  throttleWaitNs: 4,
  faultKind: 5,
  /** Number of corrupted bytes, then that many (index, xor) pairs; xor -1 sets the byte to 0. */
  corruptCount: 6,
  corrupt: 7,
  /** 1: no rule can ever match this path; the native side stops asking until the rules change. */
  pathIdle: 7 + 2 * 64,
} as const;

export const MAX_CORRUPT_BYTES = 64;
export const VERDICT_SLOTS = VERDICT_SLOT.pathIdle + 1;

let cached: NativeBinding | undefined;

/** Path of the compiled addon: native/build/Release, two levels above src/record or dist/record. */
export function nativeAddonPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', 'native', 'build', 'Release', 'interposer_fuse.node');
}

export function loadNative(): NativeBinding {
  if (cached) return cached;
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    throw new UserError(`the FUSE binding is not built (${path} missing): run \`npm run build:native\``);
  }
  try {
    cached = createRequire(import.meta.url)(path) as NativeBinding;
  } catch (err) {
    throw new UserError(
      `cannot load the FUSE binding ${path}: ${(err as Error).message}\n` +
        'install libfuse3 (apt-get install -y fuse3 libfuse3-3) and rebuild with `npm run build:native`',
    );
  }
  return cached;
}
