import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OP_DICTIONARY } from '../../src/trace/batch.js';
import { openTrace, readAllRows } from '../../src/trace/reader.js';
import { METADATA_KEYS, TRACE_SCHEMA_VERSION } from '../../src/trace/schema.js';
import { SyntheticTrace } from '../../src/trace/synthetic.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { batchesOf, edgeCaseRows, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('TraceWriter -> openTrace round trip', () => {
  it('keeps every column exactly: nulls, int64 extremes, empty and unicode strings', async () => {
    const path = join(dir, 'edge.parquet');
    const rows = edgeCaseRows(5000);
    const w = await TraceWriter.open({
      path,
      wallClockAnchorNs: 1_700_000_000_123_456_789n,
      metadata: { [METADATA_KEYS.source]: 'test' },
      rowGroupRows: 1024,
    });
    for (const b of batchesOf(rows, 700)) await w.write(b);
    await w.close();

    expect(await readAllRows(path)).toEqual(rows);
    const t = await openTrace(path);
    expect(t.numRows).toBe(5000);
    expect(t.numRowGroups).toBe(5); // 4 full groups of 1024 + 904
    expect(t.recovered).toBe(false);
    expect(t.metadata.schemaVersion).toBe(TRACE_SCHEMA_VERSION);
    expect(t.metadata.wallClockAnchorNs).toBe(1_700_000_000_123_456_789n);
    expect(t.metadata.keyValue[METADATA_KEYS.source]).toBe('test');
    expect(existsSync(path + '.inprogress')).toBe(false);
  });

  it('keeps every row when row groups shrink and grow (the row-group arrays are reused)', async () => {
    const path = join(dir, 'sizes.parquet');
    const rows = edgeCaseRows(4000, 11);
    const w = await TraceWriter.open({ path, wallClockAnchorNs: 0n, rowGroupRows: 1500, flushIntervalMs: 0 });
    // Flushes after 1 batch, then 3, then 1, ...: row groups of 300, 900, 300, 1500 (full), ...
    let batchesSinceFlush = 0;
    let target = 1;
    for (const b of batchesOf(rows, 300)) {
      await w.write(b);
      if (++batchesSinceFlush === target) {
        await w.flush();
        batchesSinceFlush = 0;
        target = target === 1 ? 3 : target === 3 ? 6 : 1;
      }
    }
    await w.close();
    expect(await readAllRows(path)).toEqual(rows);
    expect((await openTrace(path)).numRowGroups).toBeGreaterThan(4);
  });

  it('takes a batch whose non-nullable columns carry validity arrays with every row present', async () => {
    const path = join(dir, 'valid-flags.parquet');
    const rows = edgeCaseRows(200, 3);
    const [batch] = batchesOf(rows, 200);
    const seq = batch!.columns.seq!;
    if (seq.kind !== 'int64') throw new Error('seq is int64');
    seq.valid = new Uint8Array(batch!.length).fill(1);
    const w = await TraceWriter.open({ path, wallClockAnchorNs: 0n, flushIntervalMs: 0 });
    await w.write(batch!);
    await w.close();
    expect(await readAllRows(path)).toEqual(rows);
  });

  it('reads only the requested columns, ops indexed by op code', async () => {
    const path = join(dir, 'proj.parquet');
    const rows = edgeCaseRows(300);
    const w = await TraceWriter.open({ path, wallClockAnchorNs: 0n });
    for (const b of batchesOf(rows, 128)) await w.write(b);
    await w.close();
    const t = await openTrace(path);
    const seen: string[] = [];
    for await (const b of t.batches({ columns: ['op', 'start_ns'] })) {
      expect(Object.keys(b.columns).sort()).toEqual(['op', 'start_ns']);
      const op = b.columns.op!;
      if (op.kind !== 'string') throw new Error('op is not a string column');
      expect(op.dictionary).toBe(OP_DICTIONARY);
      for (let i = 0; i < b.length; i++) seen.push(OP_DICTIONARY[op.indices[i]!]!);
    }
    expect(seen).toEqual(rows.map((r) => r.op));
  });

  it('writes an empty trace that still opens', async () => {
    const path = join(dir, 'empty.parquet');
    const w = await TraceWriter.open({ path, wallClockAnchorNs: 1n });
    await w.close();
    const t = await openTrace(path);
    expect(t.numRows).toBe(0);
    expect(await readAllRows(path)).toEqual([]);
  });

  it('splits large batches into row groups of rowGroupRows and accepts reused producer buffers', async () => {
    const path = join(dir, 'split.parquet');
    const gen = new SyntheticTrace({ seed: 3 });
    const big = gen.next(10_000);
    const w = await TraceWriter.open({ path, wallClockAnchorNs: 0n, rowGroupRows: 3000, flushIntervalMs: 0 });
    await w.write(big);
    // The writer copied the batch: scribbling over it afterwards must not change the file.
    const expected = (big.columns.seq as { values: BigInt64Array }).values.slice();
    (big.columns.seq as { values: BigInt64Array }).values.fill(-1n);
    await w.close();
    const t = await openTrace(path);
    const sizes: number[] = [];
    const seqs: bigint[] = [];
    for await (const b of t.batches({ columns: ['seq'] })) {
      sizes.push(b.length);
      seqs.push(...(b.columns.seq as { values: BigInt64Array }).values);
    }
    expect(sizes).toEqual([3000, 3000, 3000, 1000]);
    expect(seqs).toEqual([...expected]);
  });

  it('flush() makes rows durable in a readable row group while the writer stays open', async () => {
    const path = join(dir, 'live.parquet');
    const rows = edgeCaseRows(50);
    const w = await TraceWriter.open({ path, wallClockAnchorNs: 0n, flushIntervalMs: 0 });
    await w.write(batchesOf(rows, 64)[0]!);
    await w.flush();
    const live = await openTrace(path);
    expect(live.recovered).toBe(true);
    expect(await readAllRows(path)).toEqual(rows);
    await w.close();
    expect((await openTrace(path)).recovered).toBe(false);
  });

  it('the flush interval turns buffered rows into a row group without further writes', async () => {
    const path = join(dir, 'timer.parquet');
    const w = await TraceWriter.open({ path, wallClockAnchorNs: 0n, flushIntervalMs: 20 });
    await w.write(batchesOf(edgeCaseRows(10), 16)[0]!);
    await expect.poll(() => w.stats.rowGroupsWritten, { timeout: 10_000 }).toBe(1);
    expect(w.stats.rowsBuffered).toBe(0);
    await w.close();
  });

  it('rejects batches that do not match the schema', async () => {
    const path = join(dir, 'bad.parquet');
    const w = await TraceWriter.open({ path, wallClockAnchorNs: 0n });
    const b = batchesOf(edgeCaseRows(3), 8)[0]!;
    const { seq: _seq, ...rest } = b.columns;
    await expect(w.write({ length: 3, columns: rest })).rejects.toThrow(/lacks column "seq"/);
    await w.close();
    expect(readFileSync(path).subarray(0, 4).toString()).toBe('PAR1');
  });
});
