import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/trace/batch.js';
import { openTrace, readAllRows } from '../../src/trace/reader.js';
import { SyntheticTrace } from '../../src/trace/synthetic.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
afterAll(() => cleanup());

describe('bounded memory', () => {
  it('writing 2M rows keeps at most one row group buffered and streams them out as it goes', async () => {
    const path = join(dir, 'long.parquet');
    const rowGroupRows = 65_536;
    const w = await TraceWriter.open({ path, wallClockAnchorNs: 0n, rowGroupRows, flushIntervalMs: 0 });
    const gen = new SyntheticTrace({ seed: 4 });
    const batch = gen.next(8192); // one batch, written repeatedly: the generator is not what we measure
    const total = 2_000_000;
    let maxBuffered = 0;
    let maxBehind = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    for (let written = 0; written < total; written += batch.length) {
      await w.write(batch);
      const s = w.stats;
      maxBuffered = Math.max(maxBuffered, s.rowsBuffered);
      // Rows accepted but not yet in the file: the filling buffer plus at most one group in flight.
      maxBehind = Math.max(maxBehind, written + batch.length - s.rowsWritten);
    }
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    await w.close();

    expect(maxBuffered).toBeLessThan(rowGroupRows);
    expect(maxBehind).toBeLessThanOrEqual(2 * rowGroupRows + batch.length);
    // 2M rows held in memory would be ~400 MB of typed arrays; a bounded writer stays far below.
    expect(heapGrowth).toBeLessThan(150 * 1024 * 1024);
    const t = await openTrace(path);
    expect(t.numRows).toBe(Math.ceil(total / batch.length) * batch.length);
    expect(t.numRowGroups).toBe(Math.ceil(t.numRows / rowGroupRows));
  });

  it('keeps no reference to a written batch: its rows are copied into the row group at once', async () => {
    // A batch the writer held until its row group filled would outlive V8's young generation (the
    // recorder's drained batches did); copied at once, it is garbage as soon as write() returns.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const path = join(dir, 'copied.parquet');
    const w = await TraceWriter.open({ path, wallClockAnchorNs: 0n, rowGroupRows: 1000, flushIntervalMs: 0 });
    const source = new SyntheticTrace({ seed: 5 }).next(300);
    const refs: WeakRef<object>[] = [];
    // In a function of its own, so that no suspended frame of this test keeps the batch alive.
    const writeCopy = async (): Promise<void> => {
      const copy = new SyntheticTrace({ seed: 5 }).next(300); // the same rows, referenced by nobody else
      refs.push(new WeakRef(copy), new WeakRef(copy.columns.start_ns!));
      await w.write(copy);
    };
    await writeCopy();
    await writeCopy();
    expect(w.stats.rowsBuffered).toBe(600); // still in the row group being filled
    for (let i = 0; i < 3 && refs.some((r) => r.deref() !== undefined); i++) {
      await new Promise((r) => setTimeout(r, 0)); // WeakRefs hold their target until the job ends
      gc();
    }
    expect(refs.map((r) => r.deref())).toEqual([undefined, undefined, undefined, undefined]);
    await w.close();
    expect(await readAllRows(path)).toEqual([...rowsOf(source), ...rowsOf(source)]);
  });
});
