import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hash32, headSampler } from '../../src/telemetry/sampling.js';

describe('head sampler', () => {
  it('keeps everything at 1 and nothing at 0', () => {
    fc.assert(
      fc.property(fc.nat(), (seq) => {
        expect(headSampler(1).sampled(seq)).toBe(true);
        expect(headSampler(0).sampled(seq)).toBe(false);
      }),
    );
  });

  it('keeps close to the ratio of consecutive seqs', () => {
    for (const ratio of [0.001, 0.01, 0.1, 0.5, 0.9]) {
      const sampler = headSampler(ratio);
      const n = 200_000;
      let kept = 0;
      for (let seq = 0; seq < n; seq++) if (sampler.sampled(seq)) kept++;
      const sd = Math.sqrt(n * ratio * (1 - ratio));
      expect(Math.abs(kept - n * ratio)).toBeLessThan(6 * sd + 1);
    }
  });

  it('is nested: a row kept at a lower ratio is kept at every higher ratio', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (seq, a, b) => {
          const [lo, hi] = a < b ? [a, b] : [b, a];
          if (headSampler(lo).sampled(seq)) expect(headSampler(hi).sampled(seq)).toBe(true);
        },
      ),
    );
  });

  it('hashes to unsigned 32-bit values', () => {
    fc.assert(
      fc.property(fc.nat(), (x) => Number.isInteger(hash32(x)) && hash32(x) >= 0 && hash32(x) < 2 ** 32),
    );
  });

  it('rejects ratios outside [0, 1]', () => {
    expect(() => headSampler(1.5)).toThrow(RangeError);
    expect(() => headSampler(Number.NaN)).toThrow(RangeError);
  });
});
