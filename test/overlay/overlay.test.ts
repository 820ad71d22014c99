import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock, MemoryFaultLog, NO_EFFECT, Overlay, type Verdict } from '../../src/overlay/index.js';
import type { Op } from '../../src/trace/schema.js';
import { EIO, ENOSPC, configOf, ctx, faultRule, throttleRule } from './helpers.js';

const MS = 1_000_000;

describe('Overlay.decide', () => {
  it('returns the shared frozen NO_EFFECT when nothing applies', () => {
    const overlay = Overlay.fromConfig(
      configOf({ faults: [faultRule('w', { ops: ['write'], path: '*.db', errno: EIO })] }),
    );
    expect(Object.isFrozen(NO_EFFECT)).toBe(true);
    expect(overlay.decide(ctx('read', '/a.db'))).toBe(NO_EFFECT); // op not interesting
    expect(overlay.decide(ctx('write', '/a.txt'))).toBe(NO_EFFECT); // path does not match
    expect(Overlay.fromConfig(configOf({})).interestedOps.size).toBe(0);
  });

  it('fails the op with the first firing errno rule, in config order', () => {
    const overlay = Overlay.fromConfig(
      configOf({ faults: [faultRule('a', { errno: EIO }), faultRule('b', { errno: ENOSPC })] }),
    );
    expect(overlay.decide(ctx('write', '/f', { size: 10 }))).toEqual<Verdict>({
      errno: 5,
      truncateTo: -1,
      delayBeforeNs: 0,
      delayAfterNs: 0,
      throttleWaitNs: 0,
      faultKind: 'errno',
      ruleId: 'a',
    });
  });

  it('composes delays with errno and adds delays before and after separately', () => {
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [
          faultRule('slow1', { delay: { distribution: { kind: 'fixed', ns: 3 * MS }, when: 'before' } }),
          faultRule('slow2', { delay: { distribution: { kind: 'fixed', ns: 4 * MS }, when: 'before' } }),
          faultRule('late', { delay: { distribution: { kind: 'fixed', ns: 5 * MS }, when: 'after' } }),
          faultRule('fail', { errno: EIO }),
        ],
      }),
    );
    const v = overlay.decide(ctx('fsync', '/f'));
    expect(v).toMatchObject({
      errno: 5,
      delayBeforeNs: 7 * MS,
      delayAfterNs: 5 * MS,
      faultKind: 'errno',
      ruleId: 'fail',
    });
  });

  it('lets errno outrank truncate, and the shortest truncate win among several', () => {
    const trunc = (id: string, to: number | null, fraction: number | null) =>
      faultRule(id, { ops: ['read'], truncate: { to, fraction } });
    const overlay = Overlay.fromConfig(
      configOf({ faults: [trunc('t512', 512, null), trunc('half', null, 0.5)] }),
    );
    expect(overlay.decide(ctx('read', '/f', { size: 4096 }))).toMatchObject({
      truncateTo: 512,
      ruleId: 't512',
    });
    expect(overlay.decide(ctx('read', '/f', { size: 600 }))).toMatchObject({
      truncateTo: 300,
      ruleId: 'half',
    });
    // A truncate that would not shorten the request is no effect.
    expect(overlay.decide(ctx('read', '/f', { size: 100 }))).toMatchObject({
      truncateTo: 50,
      ruleId: 'half',
    });
    expect(
      Overlay.fromConfig(configOf({ faults: [trunc('t', 512, null)] })).decide(
        ctx('read', '/f', { size: 100 }),
      ),
    ).toBe(NO_EFFECT);

    const both = Overlay.fromConfig(
      configOf({ faults: [trunc('t', 512, null), faultRule('e', { ops: ['read'], errno: EIO })] }),
    );
    expect(both.decide(ctx('read', '/f', { size: 4096 }))).toMatchObject({
      errno: 5,
      truncateTo: -1,
      faultKind: 'errno',
    });
  });

  it('throttles by bytes with waits that grow with the backlog', () => {
    const overlay = Overlay.fromConfig(
      configOf({
        throttle: [throttleRule('r', { ops: ['read'], bytesPerSec: 1_000_000, burstBytes: 1000 })],
      }),
    );
    expect(overlay.decide(ctx('read', '/f', { size: 1000 }))).toBe(NO_EFFECT); // within the burst
    const v = overlay.decide(ctx('read', '/f', { size: 1000 }));
    expect(v).toMatchObject({
      throttleWaitNs: 1 * MS,
      delayBeforeNs: 1 * MS,
      faultKind: 'throttle',
      ruleId: 'r',
    });
    expect(overlay.decide(ctx('read', '/f', { size: 2000 })).throttleWaitNs).toBe(3 * MS);
    expect(overlay.decide(ctx('write', '/f', { size: 2000 }))).toBe(NO_EFFECT);
  });

  it('charges a truncated op only the bytes it moves, and a failed op nothing', () => {
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [
          faultRule('short', { ops: ['write'], path: 'short/*', truncate: { to: 100, fraction: null } }),
          faultRule('fail', { ops: ['write'], path: 'fail/*', errno: EIO }),
        ],
        throttle: [throttleRule('w', { ops: ['write'], bytesPerSec: 1_000_000, burstBytes: 0 })],
      }),
    );
    expect(overlay.decide(ctx('write', '/fail/x', { size: 1_000_000 })).throttleWaitNs).toBe(0);
    const v = overlay.decide(ctx('write', '/short/x', { size: 1_000_000 }));
    expect(v).toMatchObject({ truncateTo: 100, throttleWaitNs: 100_000, faultKind: 'truncate' });
  });

  it('takes the longest wait when several throttle rules match, and counts ops per second', () => {
    const overlay = Overlay.fromConfig(
      configOf({
        throttle: [
          throttleRule('bytes', { ops: ['read', 'write'], bytesPerSec: 1e9, burstBytes: 1e9 }),
          throttleRule('iops', { ops: ['read', 'write'], opsPerSec: 1000, burstOps: 1 }),
        ],
      }),
    );
    expect(overlay.decide(ctx('read', '/f', { size: 10 }))).toBe(NO_EFFECT);
    expect(overlay.decide(ctx('write', '/f', { size: 10 }))).toMatchObject({
      throttleWaitNs: 1 * MS,
      ruleId: 'iops',
    });
  });

  it('samples lognormal delays around their median with a long tail', () => {
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [
          faultRule('ln', {
            delay: { distribution: { kind: 'lognormal', medianNs: 5 * MS, sigma: 1 }, when: 'before' },
          }),
        ],
      }),
    );
    const samples = Array.from({ length: 4001 }, () => overlay.decide(ctx('fsync', '/f')).delayBeforeNs).sort(
      (a, b) => a - b,
    );
    const median = samples[2000]!;
    expect(median).toBeGreaterThan(4.5 * MS);
    expect(median).toBeLessThan(5.5 * MS);
    // exp(2.326) ≈ 10.2: the 99th percentile sits about ten times above the median.
    expect(samples[3960]! / median).toBeGreaterThan(7);
  });

  it('keeps delays of a uniform distribution inside [min, max] and a normal one non-negative', () => {
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [
          faultRule('u', {
            ops: ['read'],
            delay: { distribution: { kind: 'uniform', minNs: 1 * MS, maxNs: 2 * MS }, when: 'before' },
          }),
          faultRule('n', {
            ops: ['write'],
            delay: { distribution: { kind: 'normal', meanNs: 1 * MS, stddevNs: 5 * MS }, when: 'after' },
          }),
        ],
      }),
    );
    for (let i = 0; i < 500; i++) {
      const u = overlay.decide(ctx('read', '/f')).delayBeforeNs;
      expect(u).toBeGreaterThanOrEqual(1 * MS);
      expect(u).toBeLessThanOrEqual(2 * MS);
      expect(overlay.decide(ctx('write', '/f')).delayAfterNs).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('Overlay run-time control', () => {
  it("keeps a bucket's debt across reload when the rule id persists, and drops it when it does not", () => {
    const config = configOf({ throttle: [throttleRule('r', { bytesPerSec: 1_000_000, burstBytes: 0 })] });
    const overlay = Overlay.fromConfig(config);
    expect(overlay.decide(ctx('read', '/f', { size: 1000 })).throttleWaitNs).toBe(1 * MS);
    overlay.reload(configOf({ throttle: [throttleRule('r', { bytesPerSec: 2_000_000, burstBytes: 0 })] }));
    // The 1000 bytes of debt are still owed, now repaid at 2 MB/s: 2000 bytes of debt = 1 ms.
    expect(overlay.decide(ctx('read', '/f', { size: 1000 })).throttleWaitNs).toBe(1 * MS);
    overlay.reload(
      configOf({ throttle: [throttleRule('fresh', { bytesPerSec: 2_000_000, burstBytes: 0 })] }),
    );
    expect(overlay.decide(ctx('read', '/f', { size: 1000 })).throttleWaitNs).toBe(0.5 * MS);
  });

  it('keeps rule counters across reload', () => {
    const overlay = Overlay.fromConfig(configOf({ faults: [faultRule('f', { first: 2, errno: EIO })] }));
    expect(overlay.decide(ctx('read', '/f')).errno).toBe(5);
    overlay.reload(configOf({ faults: [faultRule('f', { first: 2, errno: ENOSPC })] }));
    expect(overlay.decide(ctx('read', '/f')).errno).toBe(28);
    expect(overlay.decide(ctx('read', '/f'))).toBe(NO_EFFECT);
  });

  it('adds and removes rules by id and reports their statistics', () => {
    const overlay = Overlay.fromConfig(configOf({}));
    expect(overlay.decide(ctx('write', '/f'))).toBe(NO_EFFECT);
    overlay.addRule({ kind: 'fault', ...faultRule('x', { ops: ['write'], errno: EIO }) });
    expect(overlay.interestedOps.has('write')).toBe(true);
    expect(overlay.decide(ctx('write', '/f')).errno).toBe(5);
    expect(() => overlay.addRule({ kind: 'fault', ...faultRule('x', { errno: EIO }) })).toThrow(
      /already exists/,
    );
    expect(overlay.rules()).toEqual([expect.objectContaining({ kind: 'fault', matches: 1, fired: 1 })]);
    expect(overlay.removeRule('x')).toBe(true);
    expect(overlay.removeRule('x')).toBe(false);
    expect(overlay.decide(ctx('write', '/f'))).toBe(NO_EFFECT);
    expect(overlay.interestedOps.size).toBe(0);
  });
});

describe('Overlay determinism (property)', () => {
  const OPS_USED: Op[] = ['read', 'write', 'fsync', 'open', 'getattr'];
  const opArb = fc.record({
    op: fc.constantFrom(...OPS_USED),
    path: fc.constantFrom('/a.db', '/b.txt', '/dir/c.db', '/dir/d.log'),
    size: fc.integer({ min: 0, max: 1 << 20 }),
    gapNs: fc.integer({ min: 0, max: 5 * MS }),
    pid: fc.constantFrom(1, 2, 3),
  });

  function configFor(seed: number) {
    return configOf({
      seed,
      faults: [
        faultRule('eio', { ops: ['write'], path: '**/*.db', p: 0.3, errno: EIO }),
        faultRule('short', { ops: ['read'], p: 0.5, truncate: { to: null, fraction: 0.25 } }),
        faultRule('slow', {
          ops: ['fsync'],
          p: 0.5,
          delay: { distribution: { kind: 'lognormal', medianNs: MS, sigma: 1 }, when: 'before' },
        }),
        faultRule('jitter', {
          every: 3,
          delay: { distribution: { kind: 'uniform', minNs: 0, maxNs: MS }, when: 'after' },
        }),
      ],
      throttle: [throttleRule('r', { ops: ['read', 'write'], bytesPerSec: 50e6, burstBytes: 1 << 20 })],
    });
  }

  function run(
    seed: number,
    ops: { op: Op; path: string; size: number; gapNs: number; pid: number }[],
  ): Verdict[] {
    const overlay = Overlay.fromConfig(configFor(seed));
    let now = 0n;
    return ops.map((o) => {
      now += BigInt(o.gapNs);
      return overlay.decide(ctx(o.op, o.path, { size: o.size, pid: o.pid, nowNs: now }));
    });
  }

  it('same seed + same op sequence => identical verdicts', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(opArb, { maxLength: 200 }), (seed, ops) => {
        expect(run(seed, ops)).toEqual(run(seed, ops));
      }),
      { numRuns: 200 },
    );
  });

  it('a different seed changes the random draws', () => {
    const ops = Array.from({ length: 200 }, (_, i) => ({
      op: 'write' as Op,
      path: '/a.db',
      size: 10,
      gapNs: i,
      pid: 1,
    }));
    expect(run(1, ops).map((v) => v.errno)).not.toEqual(run(2, ops).map((v) => v.errno));
  });

  it("a rule's draws do not depend on rules added before it", () => {
    const base = configOf({ seed: 9, faults: [faultRule('p', { p: 0.5, errno: EIO })] });
    const withOther = configOf({
      seed: 9,
      faults: [
        faultRule('other', { p: 0.5, delay: { distribution: { kind: 'fixed', ns: 1 }, when: 'before' } }),
        faultRule('p', { p: 0.5, errno: EIO }),
      ],
    });
    const seq = (config: typeof base) => {
      const o = Overlay.fromConfig(config);
      return Array.from({ length: 100 }, () => o.decide(ctx('read', '/f')).errno);
    };
    expect(seq(withOther)).toEqual(seq(base));
  });
});

describe('fault log records', () => {
  it('records each applied fault with wall time, op, path, pid, rule and action details', () => {
    const log = new MemoryFaultLog();
    const clock = new FakeClock(1_700_000_000_123_456_789n);
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [
          faultRule('eio', { ops: ['write'], errno: EIO }),
          faultRule('shadowed', { ops: ['write'], errno: ENOSPC }),
          faultRule('short', { ops: ['read'], truncate: { to: 10, fraction: null } }),
          faultRule('slow', {
            ops: ['write'],
            delay: { distribution: { kind: 'fixed', ns: 2 * MS }, when: 'after' },
          }),
        ],
        throttle: [throttleRule('thr', { ops: ['read'], bytesPerSec: 1000, burstBytes: 0 })],
        log: { throttleThresholdNs: 100 * MS },
      }),
      { clock, faultLog: log },
    );
    overlay.decide(ctx('write', '/x.db', { pid: 42, uid: 7, gid: 8, nowNs: 5n }));
    overlay.decide(ctx('read', '/y', { size: 50, pid: 43, nowNs: 6n })); // truncated to 10 bytes: 10 ms wait, below threshold
    overlay.decide(ctx('read', '/y', { size: 500, pid: 43, nowNs: 7n })); // also cut to 10: 20 ms wait, still below
    overlay.reload(
      configOf({ ...overlay.currentConfig(), faults: [], log: { throttleThresholdNs: 15 * MS } }),
    );
    overlay.decide(ctx('read', '/z', { size: 1, pid: 44, nowNs: 8n }));

    expect(log.records).toEqual([
      {
        time: '2023-11-14T22:13:20.123Z',
        timeNs: '1700000000123456789',
        tNs: '5',
        op: 'write',
        path: '/x.db',
        pid: 42,
        uid: 7,
        gid: 8,
        rule: 'eio',
        kind: 'errno',
        errno: 5,
        errnoName: 'EIO',
      },
      expect.objectContaining({ rule: 'slow', kind: 'delay', delayNs: 2 * MS, when: 'after', pid: 42 }),
      expect.objectContaining({
        rule: 'short',
        kind: 'truncate',
        size: 50,
        truncateTo: 10,
        path: '/y',
        tNs: '6',
      }),
      expect.objectContaining({
        rule: 'short',
        kind: 'truncate',
        size: 500,
        truncateTo: 10,
        path: '/y',
        tNs: '7',
      }),
      // 21 bytes of debt since t=6ns at 1000 B/s, asked at t=8ns (float rounding allowed).
      expect.objectContaining({
        rule: 'thr',
        kind: 'throttle',
        throttleWaitNs: expect.closeTo(21 * MS - 2, -1),
        path: '/z',
      }),
    ]);
  });

  it('samples throttle records: at most one per rule per second, counting the slow ops', () => {
    const log = new MemoryFaultLog();
    const overlay = Overlay.fromConfig(
      configOf({
        throttle: [throttleRule('thr', { ops: ['write'], bytesPerSec: 1000, burstBytes: 0 })],
        log: { throttleThresholdNs: 0 },
      }),
      { clock: new FakeClock(), faultLog: log },
    );
    // 1 byte every 100 ms at 1000 B/s waits 1 ms each: all over the zero threshold.
    for (let i = 0; i < 25; i++)
      overlay.decide(ctx('write', '/w', { size: 1, nowNs: BigInt(i) * 100_000_000n }));
    expect(log.records.map((r) => [r.tNs, r.throttledOps, r.maxThrottleWaitNs])).toEqual([
      ['0', 1, 1 * MS],
      ['1000000000', 10, 1 * MS],
      ['2000000000', 10, 1 * MS],
    ]);
  });
});
