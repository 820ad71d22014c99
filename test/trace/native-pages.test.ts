/**
 * The native page encoder must write exactly the bytes of the JavaScript one: same pages, same
 * statistics, same metadata, for every column kind, null pattern and value range.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Column, TraceBatch } from '../../src/trace/batch.js';
import { nativePages, useNativePages } from '../../src/trace/native-pages.js';
import { encodeRowGroup, type EncodedRowGroup } from '../../src/trace/row-group-encoder.js';
import { COLUMNS, type ColumnDef } from '../../src/trace/schema.js';
import { batchesOf, edgeCaseRows } from './helpers.js';

afterAll(() => useNativePages(true));

async function bothWays(
  columns: readonly ColumnDef[],
  batch: TraceBatch,
): Promise<{ js: EncodedRowGroup; native: EncodedRowGroup }> {
  useNativePages(false);
  const js = await encodeRowGroup(columns, batch, 4, false);
  useNativePages(true);
  const native = await encodeRowGroup(columns, batch, 4, false);
  return { js, native };
}

function expectSame(a: EncodedRowGroup, b: EncodedRowGroup): void {
  expect(b.byteLength).toBe(a.byteLength);
  expect(b.meta).toEqual(a.meta);
  expect(b.pieces.length).toBe(a.pieces.length);
  a.pieces.forEach((piece, i) => expect(Buffer.from(b.pieces[i]!).equals(Buffer.from(piece))).toBe(true));
}

const def = (name: string, type: ColumnDef['type'], nullable: boolean): ColumnDef => ({
  name,
  field: 'seq',
  type,
  nullable,
  doc: '',
});

/** Values that stress every path: runs, monotonic steps, wide jumps, both int64 extremes. */
const int64Values = fc.array(
  fc.oneof(
    fc.constantFrom(0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 51n, -(2n ** 51n), 2n ** 53n + 1n),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.bigInt({ min: 0n, max: 4096n }),
  ),
  { maxLength: 700 },
);
const int32Values = fc.array(
  fc.oneof(fc.constantFrom(0, 1, -1, 2 ** 31 - 1, -(2 ** 31)), fc.integer(), fc.integer({ min: 0, max: 9 })),
  { maxLength: 700 },
);
/** Either no validity array or one with runs and noise (bytes other than 0/1 count as present). */
const validity = (n: number): fc.Arbitrary<Uint8Array | undefined> =>
  fc.option(
    fc
      .array(fc.oneof(fc.constant(1), fc.constant(0), fc.constantFrom(1, 1, 1, 1, 1, 1, 1, 0)), {
        minLength: n,
        maxLength: n,
      })
      .map((xs) => Uint8Array.from(xs)),
    { nil: undefined },
  );

describe('native page encoder', () => {
  it('is built (npm run build:native) and in use by default', () => {
    expect(nativePages()).not.toBeNull();
  });

  it('writes the same row groups as JavaScript for whole traces (nulls, unicode, int64 extremes)', async () => {
    const rows = edgeCaseRows(3000, 11);
    for (const batch of batchesOf(rows, 1000)) {
      const { js, native } = await bothWays(COLUMNS, batch);
      expectSame(js, native);
    }
  });

  it('matches JavaScript on any int64 and int32 column, nullable or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        int64Values.chain((v) => fc.tuple(fc.constant(v), validity(v.length))),
        int32Values.chain((v) => fc.tuple(fc.constant(v), validity(v.length))),
        async ([wide, wideValid], [narrow, narrowValid]) => {
          for (const nullable of [true, false]) {
            const wideCol: Column = {
              kind: 'int64',
              values: BigInt64Array.from(wide),
              ...(wideValid ? { valid: wideValid } : {}),
            };
            const narrowCol: Column = {
              kind: 'int32',
              values: Int32Array.from(narrow),
              ...(narrowValid ? { valid: narrowValid } : {}),
            };
            const a = await bothWays([def('w', 'int64', nullable)], {
              length: wide.length,
              columns: { w: wideCol },
            });
            expectSame(a.js, a.native);
            const b = await bothWays([def('n', 'int32', nullable)], {
              length: narrow.length,
              columns: { n: narrowCol },
            });
            expectSame(b.js, b.native);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('matches JavaScript on dictionary ids of any width, with and without nulls', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 70_000 }),
        fc.array(fc.oneof(fc.constant(-1), fc.nat(), fc.constant(0)), { maxLength: 900 }),
        async (dictionarySize, raw) => {
          const dictionary = Array.from({ length: dictionarySize }, (_, i) => `s${i}`);
          for (const nullable of [true, false]) {
            const indices = Int32Array.from(raw, (v) =>
              v < 0 && nullable ? -1 : Math.abs(v) % dictionarySize,
            );
            const col: Column = { kind: 'string', indices, dictionary };
            const { js, native } = await bothWays([def('s', 'string', nullable)], {
              length: indices.length,
              columns: { s: col },
            });
            expectSame(js, native);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
