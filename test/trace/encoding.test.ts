import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../src/trace/bytes.js';
import {
  decodeDeltaInt32,
  decodeDeltaInt64,
  decodeRleHybrid,
  encodeDeltaInt32,
  encodeDeltaInt64,
  encodeRleHybrid,
} from '../../src/trace/encoding.js';

const reader = (w: ByteWriter): ByteReader => new ByteReader(w.result(), 0, w.length);

describe('DELTA_BINARY_PACKED', () => {
  it('round-trips any int64 sequence (fast and BigInt paths)', () => {
    const small = fc.bigInt({ min: -(2n ** 50n), max: 2n ** 50n });
    const any = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    fc.assert(
      fc.property(fc.array(fc.oneof(small, small, any), { maxLength: 700 }), (xs) => {
        const values = BigInt64Array.from(xs);
        const w = new ByteWriter();
        encodeDeltaInt64(w, values, values.length);
        const out = new BigInt64Array(values.length + 3);
        const r = reader(w);
        decodeDeltaInt64(r, values.length, out, 3);
        expect([...out.subarray(3)]).toEqual(xs);
        expect(r.pos).toBeLessThanOrEqual(w.length);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any int32 sequence, deltas wrapping like every reader expects', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 700 }), (xs) => {
        const w = new ByteWriter();
        encodeDeltaInt32(w, Int32Array.from(xs), xs.length);
        const out = new Int32Array(xs.length);
        decodeDeltaInt32(reader(w), xs.length, out);
        expect([...out]).toEqual(xs);
      }),
      { numRuns: 300 },
    );
  });

  it('packs monotonic timestamps into a few bits each', () => {
    const values = new BigInt64Array(100_000);
    for (let i = 1; i < values.length; i++) values[i] = values[i - 1]! + 1000n + BigInt(i % 50);
    const w = new ByteWriter();
    encodeDeltaInt64(w, values, values.length);
    expect(w.length / values.length).toBeLessThan(1);
  });
});

describe('RLE / bit-packed hybrid', () => {
  it('round-trips values of any width, runs and noise mixed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })), { maxLength: 60 }),
        (width, runs) => {
          const max = 2 ** width - 1;
          const xs = runs.flatMap(([v, n]) =>
            Array.from({ length: n }, (_, i) => (n > 20 ? v : v + i) % (max + 1)),
          );
          const w = new ByteWriter();
          encodeRleHybrid(w, xs, xs.length, width);
          const out = new Int32Array(xs.length);
          decodeRleHybrid(reader(w), width, xs.length, out);
          expect([...out]).toEqual(xs);
        },
      ),
      { numRuns: 300 },
    );
  });
});
