import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUCKETS,
  BatchAggregate,
  DURATION_BOUNDARIES_SECONDS,
  DurationHistograms,
  ERRNO_SLOTS,
  aggregateBatch,
} from '../../src/telemetry/aggregate.js';
import { int64At, int64View } from '../../src/telemetry/int64.js';
import { FAULT_KINDS, OPS, type TraceRow } from '../../src/trace/schema.js';
import { batchOf, row } from './fixtures.js';

const arbRow = (seq: number) =>
  fc
    .record({
      op: fc.constantFrom(...OPS),
      errno: fc.constantFrom(0, 0, 0, 2, 5, 13, 28),
      bytes: fc.bigInt({ min: 0n, max: 1n << 40n }),
      startNs: fc.bigInt({ min: 0n, max: 1n << 45n }),
      durationNs: fc.bigInt({ min: 0n, max: 30_000_000_000n }),
      faultKind: fc.option(fc.constantFrom(...FAULT_KINDS), { freq: 3 }),
      faultErrno: fc.option(fc.constantFrom(5, 28), { freq: 2 }),
      throttleWaitNs: fc.option(fc.bigInt({ min: 0n, max: 1n << 34n }), { freq: 2 }),
    })
    .map((r) => row({ seq: BigInt(seq), ...r }));

const arbRows = fc
  .integer({ min: 1, max: 60 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbRow(i))));

/** The same totals computed the slow, obvious way from row objects. */
function naive(rows: readonly TraceRow[]) {
  const ops = new Map<string, number>();
  const readBytes = new Map<string, number>();
  const writeBytes = new Map<string, number>();
  const faults = new Map<string, number>();
  const wait = new Map<string, number>();
  const buckets = new Map<string, number[]>();
  for (const r of rows) {
    ops.set(`${r.op}/${r.errno}`, (ops.get(`${r.op}/${r.errno}`) ?? 0) + 1);
    const b = Number(r.bytes);
    if (r.op === 'read' || r.op === 'copy_file_range') readBytes.set(r.op, (readBytes.get(r.op) ?? 0) + b);
    if (r.op === 'write' || r.op === 'copy_file_range') writeBytes.set(r.op, (writeBytes.get(r.op) ?? 0) + b);
    if (r.faultKind) {
      const k = `${r.faultKind}/${r.faultErrno ?? 0}`;
      faults.set(k, (faults.get(k) ?? 0) + 1);
    }
    if (r.throttleWaitNs !== null) wait.set(r.op, (wait.get(r.op) ?? 0) + Number(r.throttleWaitNs));
    const seconds = Number(r.durationNs) / 1e9;
    let bucket = DURATION_BOUNDARIES_SECONDS.findIndex((bound) => seconds <= bound);
    if (bucket < 0) bucket = DURATION_BOUNDARIES_SECONDS.length;
    const counts = buckets.get(r.op) ?? new Array<number>(BUCKETS).fill(0);
    counts[bucket]!++;
    buckets.set(r.op, counts);
  }
  return { ops, readBytes, writeBytes, faults, wait, buckets };
}

describe('aggregateBatch', () => {
  it('matches a row-by-row computation', () => {
    fc.assert(
      fc.property(arbRows, (rows) => {
        const agg = new BatchAggregate();
        const hist = new DurationHistograms();
        // Reuse across batches must not leak: aggregate a throwaway batch first, then reset.
        aggregateBatch(batchOf([row({ seq: 0n, op: 'mkdir', errno: 17 })]), agg, new DurationHistograms());
        agg.reset();
        aggregateBatch(batchOf(rows), agg, hist);
        const want = naive(rows);

        const gotOps = new Map<string, number>();
        for (let t = 0; t < agg.touchedCount; t++) {
          const g = agg.touchedGroups[t]!;
          gotOps.set(`${OPS[Math.floor(g / ERRNO_SLOTS)]}/${g % ERRNO_SLOTS}`, agg.opCount[g]!);
        }
        expect(gotOps).toEqual(want.ops);
        for (let op = 0; op < OPS.length; op++) {
          expect(agg.readBytes[op]).toBe(want.readBytes.get(OPS[op]!) ?? 0);
          expect(agg.writeBytes[op]).toBe(want.writeBytes.get(OPS[op]!) ?? 0);
          expect(agg.throttleWaitNs[op]).toBe(want.wait.get(OPS[op]!) ?? 0);
          const counts = Array.from(hist.bucketCounts.subarray(op * BUCKETS, (op + 1) * BUCKETS));
          expect(counts).toEqual(want.buckets.get(OPS[op]!) ?? new Array(BUCKETS).fill(0));
        }
        const gotFaults = new Map<string, number>();
        agg.faultCount.forEach((count, f) => {
          if (count > 0)
            gotFaults.set(`${FAULT_KINDS[Math.floor(f / ERRNO_SLOTS)]}/${f % ERRNO_SLOTS}`, count);
        });
        expect(gotFaults).toEqual(want.faults);
        expect(agg.rows).toBe(rows.length);
        const busy = rows.reduce((sum, r) => sum + Number(r.durationNs), 0);
        const window =
          Math.max(...rows.map((r) => Number(r.endNs))) - Math.min(...rows.map((r) => Number(r.startNs)));
        expect(agg.meanInflight()).toBeCloseTo(window > 0 ? busy / window : 0, 6);
      }),
      { numRuns: 100 },
    );
  });
});

describe('int64 views', () => {
  it('read int64 values exactly below 2^53, negatives included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 53n - 1n }), { minLength: 1 }),
        (values) => {
          const arr = BigInt64Array.from(values);
          const view = int64View(arr.subarray(1));
          for (let i = 1; i < values.length; i++) expect(int64At(view, i - 1)).toBe(Number(values[i]));
        },
      ),
    );
  });
});
