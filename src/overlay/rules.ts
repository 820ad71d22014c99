/**
 * Compiled rules: the config plus the run-time state decide() needs (op masks, glob matchers,
 * counters, PRNG stream, token buckets). Kept apart from Overlay so reload() can carry state over
 * per rule id.
 */
import picomatch from 'picomatch';
import { OP_CODE, OPS, type Op } from '../trace/schema.js';
import type { DelayDistribution, FaultRuleConfig, ThrottleRuleConfig } from './config.js';
import { sampleCorruption, type CorruptByte } from './corrupt.js';
import type { OpContext } from './overlay.js';
import { Prng, deriveSeed } from './prng.js';
import { TokenBucket } from './token-bucket.js';
import { SHAPEABLE_OPS } from './validate.js';

export type PathMatcher = (path: string) => boolean;

const GLOB_CACHE_ENTRIES = 4096;

/**
 * Globs are relative to the mount root; trace paths start with "/", which is stripped first.
 * Workloads hit the same files over and over, so results are cached per path (bounded: the
 * cache is simply dropped when full), which is several times cheaper than running the regex.
 */
export function compileGlob(glob: string | null): PathMatcher | null {
  if (glob === null || glob === '**') return null;
  const re = picomatch.makeRe(glob, { dot: true });
  const cache = new Map<string, boolean>();
  return (path) => {
    let hit = cache.get(path);
    if (hit === undefined) {
      hit = re.test(path.charCodeAt(0) === 47 ? path.slice(1) : path);
      if (cache.size >= GLOB_CACHE_ENTRIES) cache.clear();
      cache.set(path, hit);
    }
    return hit;
  };
}

/** picomatch syntax that makes a glob character anything but itself. */
const GLOB_SPECIAL = /[*?[\]{}()!+@\\]/;

/**
 * The literal text every path a glob matches starts with (relative to the mount root, as globs
 * are), or null when the glob has none or might match outside it (a negation, "./", a leading
 * slash). The live mount uses these prefixes to skip asking the overlay about any other path.
 */
export function globLiteralPrefix(glob: string | null): string | null {
  if (glob === null || glob.startsWith('/') || glob.startsWith('./')) return null;
  const special = glob.search(GLOB_SPECIAL);
  // "data/wal/**" also matches the directory "data/wal" itself: never keep a trailing slash.
  const prefix = (special < 0 ? glob : glob.slice(0, special)).replace(/\/+$/, '');
  return prefix === '' ? null : prefix;
}

export function opMask(ops: readonly Op[] | null): Uint8Array {
  const mask = new Uint8Array(OPS.length);
  for (const op of ops ?? SHAPEABLE_OPS) mask[OP_CODE[op]] = 1;
  return mask;
}

function matchesPath(matcher: PathMatcher | null, path: string, path2: string | null | undefined): boolean {
  return matcher === null || matcher(path) || (path2 != null && path2 !== '' && matcher(path2));
}

export class CompiledFaultRule {
  readonly opMask: Uint8Array;
  private readonly pathMatcher: PathMatcher | null;
  /** Ops that passed the filter (op, path, window, uid, pid). */
  matches = 0;
  /** Times the rule fired (took effect or was outranked by another rule). */
  fired = 0;

  constructor(
    readonly config: FaultRuleConfig,
    private prng: Prng,
  ) {
    this.opMask = opMask(config.ops);
    this.pathMatcher = compileGlob(config.path);
  }

  static create(config: FaultRuleConfig, seed: number): CompiledFaultRule {
    return new CompiledFaultRule(config, new Prng(deriveSeed(seed, config.id)));
  }

  /** Same id on reload: keep counters and PRNG position so a reload does not replay history. */
  static carryOver(config: FaultRuleConfig, previous: CompiledFaultRule): CompiledFaultRule {
    const rule = new CompiledFaultRule(config, previous.prng);
    rule.matches = previous.matches;
    rule.fired = previous.fired;
    return rule;
  }

  /** Filter, count, then probability: true when the rule fires on this op. */
  evaluate(opCode: number, ctx: OpContext): boolean {
    const c = this.config;
    if (this.opMask[opCode] !== 1) return false;
    if (c.uids !== null && !c.uids.includes(ctx.uid)) return false;
    if (c.pids !== null && !c.pids.includes(ctx.pid)) return false;
    if (c.afterNs !== null || c.beforeNs !== null) {
      // BigInt -> Number costs more than the rest of the filter: only rules with a window pay it.
      const nowNs = Number(ctx.nowNs);
      if (c.afterNs !== null && nowNs < c.afterNs) return false;
      if (c.beforeNs !== null && nowNs >= c.beforeNs) return false;
    }
    if (!matchesPath(this.pathMatcher, ctx.path, ctx.path2)) return false;
    const n = ++this.matches;
    if (c.first !== null && n > c.first) return false;
    if (c.every !== null && n % c.every !== 0) return false;
    if (c.max !== null && this.fired >= c.max) return false;
    if (c.p < 1 && this.prng.next() >= c.p) return false;
    this.fired++;
    return true;
  }

  /** Bytes a truncating rule lets through for a request of `size`; -1 when it would not shorten it. */
  truncatedSize(size: number): number {
    const t = this.config.truncate;
    if (t === null) return -1;
    const to = t.to !== null ? t.to : Math.floor(size * t.fraction!);
    return to < size ? to : -1;
  }

  sampleDelayNs(): number {
    return sampleDelay(this.config.delay!.distribution, this.prng);
  }

  /** Byte positions (and masks) to corrupt in a transfer of `size` bytes. */
  sampleCorruption(size: number): CorruptByte[] {
    return sampleCorruption(this.config.corrupt!, size, this.prng);
  }

  /** False when no op on this path (without a second path) can ever match the rule. */
  mayMatchPath(path: string): boolean {
    return this.pathMatcher === null || this.pathMatcher(path);
  }
}

export function sampleDelay(d: DelayDistribution, prng: Prng): number {
  switch (d.kind) {
    case 'fixed':
      return d.ns;
    case 'uniform':
      return Math.round(d.minNs + (d.maxNs - d.minNs) * prng.next());
    case 'lognormal':
      return Math.round(d.medianNs * Math.exp(d.sigma * prng.normal()));
    case 'normal':
      return Math.max(0, Math.round(d.meanNs + d.stddevNs * prng.normal()));
  }
}

export class CompiledThrottleRule {
  readonly opMask: Uint8Array;
  private readonly pathMatcher: PathMatcher | null;
  /** Ops that drew from this rule's buckets, and the total wait they were given. */
  matches = 0;
  totalWaitNs = 0;
  /** Fault-log sampling: waits over the threshold since the last record, and its time. */
  unloggedSlowOps = 0;
  unloggedMaxWaitNs = 0;
  lastLoggedNs = -Infinity;

  private constructor(
    readonly config: ThrottleRuleConfig,
    readonly bytesBucket: TokenBucket | null,
    readonly opsBucket: TokenBucket | null,
  ) {
    this.opMask = opMask(config.ops);
    this.pathMatcher = compileGlob(config.path);
  }

  static create(config: ThrottleRuleConfig): CompiledThrottleRule {
    return new CompiledThrottleRule(
      config,
      config.bytesPerSec === null ? null : new TokenBucket(config.bytesPerSec, config.burstBytes),
      config.opsPerSec === null ? null : new TokenBucket(config.opsPerSec, config.burstOps),
    );
  }

  /** Same id on reload: the buckets keep their level (and debt), with the new rate and burst. */
  static carryOver(config: ThrottleRuleConfig, previous: CompiledThrottleRule): CompiledThrottleRule {
    const reuse = (bucket: TokenBucket | null, rate: number | null, burst: number): TokenBucket | null => {
      if (rate === null) return null;
      if (bucket === null) return new TokenBucket(rate, burst);
      bucket.reconfigure(rate, burst);
      return bucket;
    };
    const rule = new CompiledThrottleRule(
      config,
      reuse(previous.bytesBucket, config.bytesPerSec, config.burstBytes),
      reuse(previous.opsBucket, config.opsPerSec, config.burstOps),
    );
    rule.matches = previous.matches;
    rule.totalWaitNs = previous.totalWaitNs;
    return rule;
  }

  appliesTo(opCode: number, path: string, path2: string | null | undefined): boolean {
    return this.opMask[opCode] === 1 && matchesPath(this.pathMatcher, path, path2);
  }

  /** False when no op on this path (without a second path) can ever match the rule. */
  mayMatchPath(path: string): boolean {
    return this.pathMatcher === null || this.pathMatcher(path);
  }

  /** Reserves tokens for one op moving `bytes`; returns the wait in ns. */
  reserve(bytes: number, nowNs: number): number {
    this.matches++;
    let wait = 0;
    if (this.bytesBucket !== null && bytes > 0) wait = this.bytesBucket.reserve(bytes, nowNs);
    if (this.opsBucket !== null) wait = Math.max(wait, this.opsBucket.reserve(1, nowNs));
    this.totalWaitNs += wait;
    return wait;
  }
}
