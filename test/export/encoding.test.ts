import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkWriter } from '../../src/export/chunks.js';
import { micros } from '../../src/export/perfetto.js';
import { memorySink } from '../../src/export/sink.js';

describe('micros', () => {
  it('writes exact decimal microseconds without trailing zeros', () => {
    expect(micros(12, 0)).toBe('12');
    expect(micros(12, 345)).toBe('12.345');
    expect(micros(12, 7)).toBe('12.007');
    expect(micros(12, 70)).toBe('12.07');
    expect(micros(12, 700)).toBe('12.7');
    expect(micros(0, 10)).toBe('0.01');
    expect(micros(1_795_625_940_476_124, 456)).toBe('1795625940476124.456');
  });

  it('agrees with bigint arithmetic for every ns remainder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 999 }), (whole, frac) => {
        const text = micros(whole, frac);
        const [w, f = ''] = text.split('.');
        expect(BigInt(w!) * 1000n + BigInt(f.padEnd(3, '0'))).toBe(BigInt(whole) * 1000n + BigInt(frac));
        expect(f.endsWith('0')).toBe(false);
      }),
    );
  });
});

describe('ChunkWriter', () => {
  it('keeps text intact across chunk boundaries, multi-byte characters and huge strings', async () => {
    // ~18 KB per round: 300 rounds cross the 1 MiB chunk size several times; the € run is
    // larger than a chunk on its own.
    const pieces = [
      '{"path":"/ünïcødé/文件 🚀"}',
      ',\n',
      'é'.repeat(5000),
      'x'.repeat(1000),
      '🚀'.repeat(1000),
    ];
    const sink = memorySink();
    const out = new ChunkWriter(sink);
    let expected = '';
    for (let round = 0; round < 300; round++) {
      for (const p of pieces) {
        out.append(p);
        expected += p;
      }
      if (out.pendingChunks > 0) await out.drain();
    }
    out.append('€'.repeat(400_000));
    expected += '€'.repeat(400_000);
    out.append('end');
    expected += 'end';
    await out.drain(true);
    expect(sink.text()).toBe(expected);
  });
});
