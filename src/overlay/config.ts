/**
 * The overlay's validated configuration: what the YAML/JSON file and the CLI flags both turn
 * into. Everything here is already checked and in base units (bytes, ns, errno numbers), so the
 * engine never re-validates.
 */
import type { Op } from '../trace/schema.js';

export type DelayDistribution =
  | { kind: 'fixed'; ns: number }
  | { kind: 'uniform'; minNs: number; maxNs: number }
  /** Long-tailed: median * exp(sigma * N(0,1)). */
  | { kind: 'lognormal'; medianNs: number; sigma: number }
  /** Clamped at 0. */
  | { kind: 'normal'; meanNs: number; stddevNs: number };

export interface DelayAction {
  distribution: DelayDistribution;
  /** Sleep before the real op (default) or after it, before replying. */
  when: 'before' | 'after';
}

export interface TruncateAction {
  /** Read/write at most this many bytes... */
  to: number | null;
  /** ...or this fraction of the bytes asked (floor). Exactly one of the two is set. */
  fraction: number | null;
}

export interface ErrnoAction {
  errno: number;
  name: string;
}

/** How a corrupted byte changes: every bit flipped, set to zero, or xor-ed with a random mask. */
export type CorruptMode = 'flip' | 'zero' | 'random';
export const CORRUPT_MODES: readonly CorruptMode[] = ['flip', 'zero', 'random'];
/** Cap on corrupted bytes per op: enough to break any checksum, small enough to log exactly. */
export const MAX_CORRUPT_BYTES = 64;

export interface CorruptAction {
  /** Distinct byte positions to corrupt per op, 1..MAX_CORRUPT_BYTES (fewer if the op is smaller). */
  bytes: number;
  mode: CorruptMode;
}

export interface SignalAction {
  /** Signal number on this OS (os.constants.signals) and its name. */
  signal: number;
  name: string;
}

export interface FaultRuleConfig {
  id: string;
  /** null = every op. */
  ops: Op[] | null;
  /** picomatch glob against the path relative to the mount root (no leading "/"); null = any. */
  path: string | null;
  /** Probability a matching op is hit, in [0, 1]. */
  p: number;
  /** Only the first N matching ops are candidates. */
  first: number | null;
  /** Only every Nth matching op (N, 2N, ...) is a candidate. */
  every: number | null;
  /** Fire at most N times in total. */
  max: number | null;
  /** Capture-relative window [afterNs, beforeNs). */
  afterNs: number | null;
  beforeNs: number | null;
  uids: number[] | null;
  pids: number[] | null;
  /** At least one action; errno excludes truncate and corrupt. */
  errno: ErrnoAction | null;
  truncate: TruncateAction | null;
  delay: DelayAction | null;
  /** Optional (absent = null) so configs built before these actions existed stay valid. */
  corrupt?: CorruptAction | null;
  signal?: SignalAction | null;
}

export interface ThrottleRuleConfig {
  id: string;
  /** Ops that draw from this rule's buckets. */
  ops: Op[];
  path: string | null;
  /** Data bytes per second (read/write/copy_file_range size) and its burst, in bytes. */
  bytesPerSec: number | null;
  burstBytes: number;
  /** Operations per second and its burst, in ops. */
  opsPerSec: number | null;
  burstOps: number;
}

export interface OverlayConfig {
  /** Seed of every rule's PRNG stream. */
  seed: number;
  throttle: ThrottleRuleConfig[];
  faults: FaultRuleConfig[];
  log: {
    /** Throttle waits at or above this are written to the fault log (0 = all, Infinity = none). */
    throttleThresholdNs: number;
  };
}

export type RuleConfig = ({ kind: 'throttle' } & ThrottleRuleConfig) | ({ kind: 'fault' } & FaultRuleConfig);

export const DEFAULT_SEED = 1;
export const DEFAULT_THROTTLE_LOG_THRESHOLD_NS = 100_000_000;

export function emptyOverlayConfig(): OverlayConfig {
  return {
    seed: DEFAULT_SEED,
    throttle: [],
    faults: [],
    log: { throttleThresholdNs: DEFAULT_THROTTLE_LOG_THRESHOLD_NS },
  };
}

/** Default burst: 100 ms worth of the rate, at least one 4 KiB page. */
export function defaultBurstBytes(bytesPerSec: number): number {
  return Math.max(4096, Math.round(bytesPerSec / 10));
}

/** Default burst: 100 ms worth of the rate, at least one op. */
export function defaultBurstOps(opsPerSec: number): number {
  return Math.max(1, Math.round(opsPerSec / 10));
}
