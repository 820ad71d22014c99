import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/overlay/clock.js';
import { TokenBucket } from '../../src/overlay/token-bucket.js';

const MS = 1_000_000;

describe('TokenBucket', () => {
  it('admits a full burst at once, then paces at the rate', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(1000, 100); // 1000 tokens/s = 1 token/ms
    expect(bucket.reserve(100, Number(clock.nowNs()))).toBe(0);
    // Empty now: 10 more tokens are 10 ms away.
    expect(bucket.reserve(10, Number(clock.nowNs()))).toBe(10 * MS);
    clock.advance(10 * MS);
    // The debt was just repaid: the next 5 tokens wait 5 ms.
    expect(bucket.reserve(5, Number(clock.nowNs()))).toBe(5 * MS);
  });

  it('refills up to the burst and no further', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(1000, 50);
    bucket.reserve(50, 0);
    clock.advance(10_000 * MS); // 10 s idle would be 10,000 tokens without the cap
    expect(bucket.level(Number(clock.nowNs()))).toBe(50);
    expect(bucket.reserve(50, Number(clock.nowNs()))).toBe(0);
    expect(bucket.reserve(1, Number(clock.nowNs()))).toBe(1 * MS);
  });

  it('queues concurrent requests in arrival order (reservations stack up)', () => {
    const bucket = new TokenBucket(1000, 0);
    const waits = [10, 10, 10].map((n) => bucket.reserve(n, 0));
    expect(waits).toEqual([10 * MS, 20 * MS, 30 * MS]);
  });

  it('lets a request larger than the burst through after a proportional wait', () => {
    const bucket = new TokenBucket(1_000_000, 4096); // 1 MB/s, 4 KiB burst
    expect(bucket.reserve(1_004_096, 0)).toBe(1000 * MS); // 1 s for the part above the burst
    expect(bucket.reserve(1000, 0)).toBe(1001 * MS);
  });

  it('makes an arrival stamped before the last reservation wait until the debt is repaid', () => {
    const bucket = new TokenBucket(1000, 0);
    expect(bucket.reserve(10, 5 * MS)).toBe(10 * MS); // debt repaid at 15 ms
    expect(bucket.reserve(10, 3 * MS)).toBe(22 * MS); // 25 ms - 3 ms
  });

  it('keeps its level across reconfigure, clamped to the new burst', () => {
    const bucket = new TokenBucket(1000, 100);
    bucket.reserve(0, 0);
    bucket.reconfigure(2000, 40);
    expect(bucket.level(0)).toBe(40);
    expect(bucket.reserve(60, 0)).toBe(10 * MS); // 20 tokens of debt at 2 tokens/ms
  });

  it('rejects a zero rate', () => {
    expect(() => new TokenBucket(0, 10)).toThrow(RangeError);
  });

  // For every window [t, t+W], bytes whose start time (arrival + wait) falls inside it are at most
  // rate*W + burst (requests no larger than the burst), or rate*W + largest request otherwise.
  const arrivals = (maxSize: number) =>
    fc.array(fc.tuple(fc.integer({ min: 0, max: 50 * MS }), fc.integer({ min: 1, max: maxSize })), {
      minLength: 1,
      maxLength: 60,
    });

  function checkWindowBound(rate: number, burst: number, reqs: [number, number][], slack: number): void {
    const bucket = new TokenBucket(rate, burst);
    let now = 0;
    const starts: [number, number][] = [];
    for (const [gap, size] of reqs) {
      now += gap;
      starts.push([now + bucket.reserve(size, now), size]);
    }
    // Windows whose ends are start times are the tightest; prefix sums over the sorted starts
    // give each window's admitted bytes.
    starts.sort((a, b) => a[0] - b[0]);
    const prefix = [0];
    for (const [, n] of starts) prefix.push(prefix[prefix.length - 1]! + n);
    for (let i = 0; i < starts.length; i++) {
      if (i > 0 && starts[i - 1]![0] === starts[i]![0]) continue;
      for (let j = i; j < starts.length; j++) {
        if (j + 1 < starts.length && starts[j + 1]![0] === starts[j]![0]) continue;
        const admitted = prefix[j + 1]! - prefix[i]!;
        // Waits are whole ns rounded up, so an exact start time lies up to 1 ns before the
        // reported one: the window the exact starts fall in is 1 ns wider.
        const allowed = (rate * (starts[j]![0] - starts[i]![0] + 1)) / 1e9 + slack;
        expect(admitted).toBeLessThanOrEqual(allowed + 1e-6 * allowed);
      }
    }
  }

  it('never admits more than rate*window + burst (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 100_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        arrivals(1_000_000),
        (rate, burst, raw) => {
          const reqs = raw.map(([gap, size]): [number, number] => [gap, Math.min(size, burst)]);
          checkWindowBound(rate, burst, reqs, burst);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('with requests above the burst, the bound is rate*window + the largest request (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 100_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        arrivals(1_000_000),
        (rate, burst, reqs) => {
          const largest = Math.max(...reqs.map(([, n]) => n));
          checkWindowBound(rate, burst, reqs, Math.max(burst, largest));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
