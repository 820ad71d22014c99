/**
 * The I/O shaping engine: given one operation, decide what to do to it. Used by the live mount
 * (the native FUSE worker asks JS, then sleeps/fails/shortens as told) and by the replayer.
 *
 * decide() is synchronous, never sleeps and is deterministic given ctx.nowNs and the seed: the
 * executor does the waiting. When no rule applies it returns the shared frozen NO_EFFECT without
 * allocating.
 *
 * How several rules combine on one op (all rules are evaluated, in config order, so each rule's
 * counters and random stream depend only on the ops it matches):
 *  - signal: the first firing signal rule wins; it combines with every other effect.
 *  - errno: the first firing errno rule wins; the op is not performed.
 *  - truncate: ignored when an errno fired; otherwise the shortest length wins.
 *  - corrupt: ignored when an errno fired; otherwise the first firing corrupt rule wins, and
 *    positions at or beyond a truncated length are dropped.
 *  - delay: every firing delay adds up, before and after separately; delays apply to failing
 *    ops too (a slow EIO).
 *  - throttle: only ops that proceed take tokens, for the (possibly truncated) byte count; when
 *    several throttle rules match, the longest wait wins. The wait is part of delayBeforeNs.
 *  - faultKind on the trace row: signal > errno > corrupt > truncate > delay > throttle. The
 *    kinds with a trace column of their own (fault_errno, fault_truncated_to, fault_delay_ns)
 *    rank below those without one, so a row loses as little as possible.
 */
import { UserError } from '../errors.js';
import { DATA_OPS, OP_CODE, OPS, type FaultKind, type Op } from '../trace/schema.js';
import { systemWallClock, type Clock } from './clock.js';
import type { FaultRuleConfig, OverlayConfig, RuleConfig, ThrottleRuleConfig } from './config.js';
import type { FaultLog, FaultRecord } from './fault-log.js';
import type { CorruptByte } from './corrupt.js';
import { CompiledFaultRule, CompiledThrottleRule, globLiteralPrefix } from './rules.js';

export interface OpContext {
  op: Op;
  path: string;
  path2?: string | null;
  /** Bytes asked, 0 if not applicable. */
  size: number;
  /** -1n if not applicable. */
  offset: bigint;
  pid: number;
  uid: number;
  gid: number;
  /** Capture-relative monotonic ns: the op's arrival time. */
  nowNs: bigint;
}

export interface Verdict {
  /** 0 = proceed with the real op; > 0 = fail with this errno without doing it. */
  errno: number;
  /** -1 = none; else read/write at most this many bytes. */
  truncateTo: number;
  /** Sleep before the real op (includes throttleWaitNs). */
  delayBeforeNs: number;
  /** Sleep after the real op, before replying. */
  delayAfterNs: number;
  /** The part of delayBeforeNs due to token buckets. */
  throttleWaitNs: number;
  faultKind: FaultKind | null;
  ruleId: string | null;
  /**
   * Bytes of the transfer to corrupt, ascending by index, all < the (truncated) size: for each,
   * data[index] ^= xor, or data[index] = 0 when xor is -1 (CORRUPT_SET_ZERO). Reads: applied to
   * the bytes returned, skipping indices at or past what the read actually returned. Writes:
   * applied to a copy of the caller's buffer before writing. Absent or null = none.
   */
  corrupt?: readonly CorruptByte[] | null;
  /** Signal to send to the calling process (ctx.pid); absent, null or 0 = none. */
  signal?: number | null;
}

export const NO_EFFECT: Verdict = Object.freeze({
  errno: 0,
  truncateTo: -1,
  delayBeforeNs: 0,
  delayAfterNs: 0,
  throttleWaitNs: 0,
  faultKind: null,
  ruleId: null,
  corrupt: null,
  signal: null,
});

export interface OverlayDeps {
  /** Wall clock (Unix-epoch ns) for fault-log timestamps; decisions use ctx.nowNs only. */
  clock?: Clock;
  faultLog?: FaultLog;
  /** Overrides the config's seed. */
  seed?: number;
  /**
   * The file's current bytes [offset, offset + length) (shorter at end of file, null if
   * unreadable), from the executor's view of the data: the live mount's backing directory, the
   * replayer's target. `path` is ctx.path. Called only when a read corruption fires and there is
   * a fault log, to record the original bytes.
   */
  readOriginal?: (path: string, offset: bigint, length: number) => Uint8Array | null;
}

export type RuleStatus =
  | { kind: 'throttle'; config: ThrottleRuleConfig; matches: number; totalWaitNs: number }
  | { kind: 'fault'; config: FaultRuleConfig; matches: number; fired: number };

/** Throttle records in the fault log: at most one per rule per this much capture time. */
export const THROTTLE_LOG_INTERVAL_NS = 1e9;

const DATA_OP_MASK: Uint8Array = (() => {
  const mask = new Uint8Array(OPS.length);
  for (const op of DATA_OPS) mask[OP_CODE[op]] = 1;
  return mask;
})();

export class Overlay {
  private config: OverlayConfig;
  private faults: CompiledFaultRule[] = [];
  private throttles: CompiledThrottleRule[] = [];
  private interestMask = new Uint8Array(OPS.length);
  private interested: Set<Op> = new Set();
  private scopesByOp: (readonly string[] | null)[] = [];
  private readonly clock: Clock;
  private readonly faultLog: FaultLog | null;
  private readonly readOriginal: NonNullable<OverlayDeps['readOriginal']> | null;
  private readonly seedOverride: number | undefined;
  // Scratch space reused by decide() (it is synchronous and not re-entrant).
  private readonly firedDelays: CompiledFaultRule[] = [];
  private readonly firedDelayNs: number[] = [];

  private constructor(config: OverlayConfig, deps: OverlayDeps) {
    this.clock = deps.clock ?? systemWallClock();
    this.faultLog = deps.faultLog ?? null;
    this.readOriginal = deps.readOriginal ?? null;
    this.seedOverride = deps.seed;
    this.config = config;
    this.install(config, new Map(), new Map());
  }

  static fromConfig(config: OverlayConfig, deps: OverlayDeps = {}): Overlay {
    return new Overlay(config, deps);
  }

  /** Ops for which decide() can return anything but NO_EFFECT. */
  get interestedOps(): ReadonlySet<Op> {
    return this.interested;
  }

  /**
   * Per op code: literal prefixes (relative to the mount root) that the path or second path of
   * every op of that kind a rule can match starts with; null when some rule for that op has no
   * such prefix; empty when no rule names the op. Lets the live mount skip asking about paths
   * outside them without a first question per path.
   */
  get pathScopesByOp(): readonly (readonly string[] | null)[] {
    return this.scopesByOp;
  }

  /**
   * False when no rule can ever match an op on `path` that has no second path, whatever the op,
   * time or counters: the live mount then lets its native side skip asking about that path until
   * the rules change.
   */
  mayMatchPath(path: string): boolean {
    for (const rule of this.faults) if (rule.mayMatchPath(path)) return true;
    for (const rule of this.throttles) if (rule.mayMatchPath(path)) return true;
    return false;
  }

  get seed(): number {
    return this.seedOverride ?? this.config.seed;
  }

  decide(ctx: OpContext): Verdict {
    const opCode = OP_CODE[ctx.op];
    if (this.interestMask[opCode] !== 1) return NO_EFFECT;
    const size = ctx.size;

    let errnoRule: CompiledFaultRule | null = null;
    let signalRule: CompiledFaultRule | null = null;
    let corruptRule: CompiledFaultRule | null = null;
    let corruption: CorruptByte[] | null = null;
    let truncateRule: CompiledFaultRule | null = null;
    let truncateTo = -1;
    let delayBeforeNs = 0;
    let delayAfterNs = 0;
    // A count instead of truncating the scratch arrays: setting .length is a slow runtime call.
    let delayCount = 0;

    for (const rule of this.faults) {
      if (!rule.evaluate(opCode, ctx)) continue;
      const c = rule.config;
      if (c.errno !== null && errnoRule === null) errnoRule = rule;
      if (c.signal != null && signalRule === null) signalRule = rule;
      if (c.corrupt != null) {
        // Sampled even when outranked, so this rule's stream depends only on the ops it matches.
        const bytes = rule.sampleCorruption(size);
        if (corruptRule === null) {
          corruptRule = rule;
          corruption = bytes;
        }
      }
      if (c.truncate !== null) {
        const to = rule.truncatedSize(size);
        if (to >= 0 && (truncateTo < 0 || to < truncateTo)) {
          truncateTo = to;
          truncateRule = rule;
        }
      }
      if (c.delay !== null) {
        const ns = rule.sampleDelayNs();
        if (c.delay.when === 'before') delayBeforeNs += ns;
        else delayAfterNs += ns;
        this.firedDelays[delayCount] = rule;
        this.firedDelayNs[delayCount] = ns;
        delayCount++;
      }
    }
    if (errnoRule !== null) {
      truncateTo = -1;
      truncateRule = null;
      corruption = null;
    } else if (corruption !== null && truncateTo >= 0) {
      corruption = corruption.filter((b) => b.index < truncateTo);
    }
    if (corruption !== null && corruption.length === 0) corruption = null;
    if (corruption === null) corruptRule = null;

    let throttleWaitNs = 0;
    let throttleRule: CompiledThrottleRule | null = null;
    if (errnoRule === null && this.throttles.length > 0) {
      const bytes = DATA_OP_MASK[opCode] === 1 ? (truncateTo >= 0 ? truncateTo : size) : 0;
      let nowNs = -1;
      for (const rule of this.throttles) {
        if (!rule.appliesTo(opCode, ctx.path, ctx.path2)) continue;
        if (nowNs < 0) nowNs = Number(ctx.nowNs);
        const wait = rule.reserve(bytes, nowNs);
        if (throttleRule === null || wait > throttleWaitNs) {
          throttleWaitNs = wait;
          throttleRule = rule;
        }
      }
    }

    const delayed = delayCount > 0;
    if (
      errnoRule === null &&
      truncateRule === null &&
      corruptRule === null &&
      signalRule === null &&
      !delayed &&
      throttleWaitNs === 0
    )
      return NO_EFFECT;

    const winner =
      signalRule ?? errnoRule ?? corruptRule ?? truncateRule ?? (delayed ? this.firedDelays[0]! : null);
    const faultKind: FaultKind = signalRule
      ? 'signal'
      : errnoRule
        ? 'errno'
        : corruptRule
          ? 'corrupt'
          : truncateRule
            ? 'truncate'
            : delayed
              ? 'delay'
              : 'throttle';
    const verdict: Verdict = {
      errno: errnoRule ? errnoRule.config.errno!.errno : 0,
      truncateTo,
      delayBeforeNs: delayBeforeNs + throttleWaitNs,
      delayAfterNs,
      throttleWaitNs,
      faultKind,
      ruleId: winner ? winner.config.id : throttleRule!.config.id,
    };
    // Set only when present: the common verdict keeps the shape it had before these fields.
    if (corruption !== null) verdict.corrupt = corruption;
    if (signalRule !== null) verdict.signal = signalRule.config.signal!.signal;
    if (this.faultLog !== null) {
      // One wall time for every record of this op.
      const wallNs = this.clock.nowNs();
      if (signalRule !== null) this.logSignal(ctx, wallNs, signalRule);
      this.log(ctx, wallNs, errnoRule, truncateRule, delayCount, throttleRule, throttleWaitNs);
      if (corruptRule !== null) this.logCorruption(ctx, wallNs, corruptRule, corruption!);
    }
    return verdict;
  }

  private record(ctx: OpContext, wallNs: bigint, rule: string, kind: FaultKind): FaultRecord {
    const rec: FaultRecord = {
      time: new Date(Number(wallNs / 1_000_000n)).toISOString(),
      timeNs: wallNs.toString(),
      tNs: ctx.nowNs.toString(),
      op: ctx.op,
      path: ctx.path,
      pid: ctx.pid,
      uid: ctx.uid,
      gid: ctx.gid,
      rule,
      kind,
    };
    if (ctx.path2) rec.path2 = ctx.path2;
    return rec;
  }

  /** File offsets, masks and (for reads, when the executor can tell) the bytes they replace. */
  private logCorruption(
    ctx: OpContext,
    wallNs: bigint,
    rule: CompiledFaultRule,
    bytes: readonly CorruptByte[],
  ): void {
    const known = ctx.offset >= 0n;
    let original: Uint8Array | null = null;
    const firstIndex = bytes[0]!.index;
    if (known && ctx.op === 'read' && this.readOriginal !== null) {
      const span = bytes[bytes.length - 1]!.index - firstIndex + 1;
      try {
        original = this.readOriginal(ctx.path, ctx.offset + BigInt(firstIndex), span);
      } catch {
        original = null; // the log is best effort; the fault itself still happens
      }
    }
    this.faultLog!.record({
      ...this.record(ctx, wallNs, rule.config.id, 'corrupt'),
      size: ctx.size,
      corruptMode: rule.config.corrupt!.mode,
      corrupt: bytes.map((b) => ({
        offset: known ? (ctx.offset + BigInt(b.index)).toString() : null,
        original: original?.[b.index - firstIndex] ?? null,
        xor: b.xor,
      })),
    });
  }

  private logSignal(ctx: OpContext, wallNs: bigint, rule: CompiledFaultRule): void {
    const { signal, name } = rule.config.signal!;
    this.faultLog!.record({
      ...this.record(ctx, wallNs, rule.config.id, 'signal'),
      signal,
      signalName: name,
    });
  }

  private log(
    ctx: OpContext,
    wallNs: bigint,
    errnoRule: CompiledFaultRule | null,
    truncateRule: CompiledFaultRule | null,
    delayCount: number,
    throttleRule: CompiledThrottleRule | null,
    throttleWaitNs: number,
  ): void {
    const log = this.faultLog!;
    const base = (rule: string, kind: FaultKind): FaultRecord => this.record(ctx, wallNs, rule, kind);
    if (errnoRule) {
      const { errno, name } = errnoRule.config.errno!;
      log.record({ ...base(errnoRule.config.id, 'errno'), errno, errnoName: name });
    }
    if (truncateRule) {
      log.record({
        ...base(truncateRule.config.id, 'truncate'),
        size: ctx.size,
        truncateTo: truncateRule.truncatedSize(ctx.size),
      });
    }
    for (let i = 0; i < delayCount; i++) {
      const rule = this.firedDelays[i]!;
      log.record({
        ...base(rule.config.id, 'delay'),
        delayNs: this.firedDelayNs[i]!,
        when: rule.config.delay!.when,
      });
    }
    if (throttleRule && throttleWaitNs > 0 && throttleWaitNs >= this.config.log.throttleThresholdNs) {
      // A saturated bucket makes every op wait: log at most one record per rule per second of
      // capture time, carrying how many slow ops it stands for.
      const r = throttleRule;
      r.unloggedSlowOps++;
      r.unloggedMaxWaitNs = Math.max(r.unloggedMaxWaitNs, throttleWaitNs);
      const nowNs = Number(ctx.nowNs);
      if (nowNs - r.lastLoggedNs >= THROTTLE_LOG_INTERVAL_NS) {
        log.record({
          ...base(r.config.id, 'throttle'),
          size: ctx.size,
          throttleWaitNs,
          throttledOps: r.unloggedSlowOps,
          maxThrottleWaitNs: r.unloggedMaxWaitNs,
        });
        r.unloggedSlowOps = 0;
        r.unloggedMaxWaitNs = 0;
        r.lastLoggedNs = nowNs;
      }
    }
  }

  /** Replaces the rules; rules whose id persists keep their state (bucket levels, counters). */
  reload(config: OverlayConfig): void {
    const seedChanged = (this.seedOverride ?? config.seed) !== this.seed;
    const oldFaults = seedChanged ? new Map() : new Map(this.faults.map((r) => [r.config.id, r]));
    const oldThrottles = new Map(this.throttles.map((r) => [r.config.id, r]));
    this.config = config;
    this.install(config, oldFaults, oldThrottles);
  }

  rules(): RuleStatus[] {
    return [
      ...this.throttles.map((r): RuleStatus => ({
        kind: 'throttle',
        config: r.config,
        matches: r.matches,
        totalWaitNs: r.totalWaitNs,
      })),
      ...this.faults.map((r): RuleStatus => ({
        kind: 'fault',
        config: r.config,
        matches: r.matches,
        fired: r.fired,
      })),
    ];
  }

  /** Appends a rule (after the existing ones, so it ranks last). */
  addRule(rule: RuleConfig): void {
    const { kind, ...config } = rule;
    if (this.hasRule(config.id)) throw new UserError(`overlay: a rule with id "${config.id}" already exists`);
    if (kind === 'throttle') {
      this.reload({ ...this.config, throttle: [...this.config.throttle, config as ThrottleRuleConfig] });
    } else {
      this.reload({ ...this.config, faults: [...this.config.faults, config as FaultRuleConfig] });
    }
  }

  /** Returns false when no rule has that id. */
  removeRule(id: string): boolean {
    if (!this.hasRule(id)) return false;
    this.reload({
      ...this.config,
      throttle: this.config.throttle.filter((r) => r.id !== id),
      faults: this.config.faults.filter((r) => r.id !== id),
    });
    return true;
  }

  currentConfig(): OverlayConfig {
    return this.config;
  }

  private hasRule(id: string): boolean {
    return this.config.throttle.some((r) => r.id === id) || this.config.faults.some((r) => r.id === id);
  }

  private install(
    config: OverlayConfig,
    oldFaults: Map<string, CompiledFaultRule>,
    oldThrottles: Map<string, CompiledThrottleRule>,
  ): void {
    const seed = this.seedOverride ?? config.seed;
    this.faults = config.faults.map((c) => {
      const prev = oldFaults.get(c.id);
      return prev ? CompiledFaultRule.carryOver(c, prev) : CompiledFaultRule.create(c, seed);
    });
    this.throttles = config.throttle.map((c) => {
      const prev = oldThrottles.get(c.id);
      return prev ? CompiledThrottleRule.carryOver(c, prev) : CompiledThrottleRule.create(c);
    });
    const rules = [...this.faults, ...this.throttles];
    const mask = new Uint8Array(OPS.length);
    for (const rule of rules) {
      for (let i = 0; i < mask.length; i++) if (rule.opMask[i] === 1) mask[i] = 1;
    }
    this.interestMask = mask;
    this.interested = new Set(OPS.filter((_, i) => mask[i] === 1));
    const prefixes = rules.map((rule) => globLiteralPrefix(rule.config.path));
    this.scopesByOp = OPS.map((_, op) => {
      const forOp = prefixes.filter((_, i) => rules[i]!.opMask[op] === 1);
      return forOp.includes(null) ? null : [...new Set(forOp as string[])];
    });
  }
}
