import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogHistogram, relativeErrorBound } from '../../src/analyze/latency-sketch.js';
import { nearestRank } from './helpers.js';

describe('LogHistogram', () => {
  it('gives exact nearest-rank percentiles while under the exact limit', () => {
    const h = new LogHistogram(7, 100);
    const values = [5, 1, 9, 3, 7, 1000, 2, 8, 4, 6];
    for (const v of values) h.record(v);
    expect(h.isExact).toBe(true);
    expect(h.quantiles([0.5, 0.9, 0.99, 1])).toEqual([5, 9, 1000, 1000]);
    expect(h.quantile(0.1)).toBe(1);
    expect(h.min).toBe(1);
    expect(h.max).toBe(1000);
    expect(h.sum).toBe(1045);
  });

  it('stays within the documented relative error once it only has buckets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2 ** 40 }), { minLength: 1, maxLength: 400 }),
        fc.constantFrom(0.5, 0.9, 0.99, 0.999),
        (values, q) => {
          const h = new LogHistogram(7, 0);
          for (const v of values) h.record(v);
          expect(h.isExact).toBe(false);
          const exact = nearestRank(values, q);
          const approx = h.quantile(q);
          expect(Math.abs(approx - exact) / exact).toBeLessThanOrEqual(relativeErrorBound(7));
        },
      ),
    );
  });

  it('is exact for values below its sub-bucket count even without samples', () => {
    const h = new LogHistogram(4, 0);
    for (const v of [0, 3, 3, 15]) h.record(v);
    expect(h.quantiles([0.25, 0.5, 1])).toEqual([0, 3, 15]);
  });

  it('merges: same counts and percentiles as one histogram fed everything', () => {
    const a = new LogHistogram(7, 0);
    const b = new LogHistogram(7, 0);
    const all = new LogHistogram(7, 0);
    for (let i = 1; i <= 5000; i++) {
      const v = (i * 7919) % 100_003;
      (i % 2 ? a : b).record(v);
      all.record(v);
    }
    a.merge(b);
    expect(a.count).toBe(all.count);
    expect(a.quantiles([0.5, 0.99])).toEqual(all.quantiles([0.5, 0.99]));
    expect(a.min).toBe(all.min);
    expect(a.max).toBe(all.max);
  });

  it('keeps exact samples across a merge that stays under the limit', () => {
    const a = new LogHistogram(7, 10);
    const b = new LogHistogram(7, 10);
    [10, 20, 30].forEach((v) => a.record(v));
    [1000, 2000].forEach((v) => b.record(v));
    a.merge(b);
    expect(a.isExact).toBe(true);
    expect(a.quantiles([0.5, 1])).toEqual([30, 2000]);
  });

  it('regroups counts into power-of-two buckets', () => {
    const h = new LogHistogram(7, 0);
    for (const v of [0, 1, 1000, 1023, 1024, 5000]) h.record(v);
    expect(h.powerOfTwoBuckets()).toEqual([
      { fromNs: 0, toNs: 1, count: 1 },
      { fromNs: 1, toNs: 2, count: 1 },
      { fromNs: 512, toNs: 1024, count: 2 },
      { fromNs: 1024, toNs: 2048, count: 1 },
      { fromNs: 4096, toNs: 8192, count: 1 },
    ]);
  });
});
