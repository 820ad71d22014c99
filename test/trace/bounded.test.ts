import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openTrace } from '../../src/trace/reader.js';
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

  it("tells its owner each time a row group's batches are let go, once per row group", async () => {
    const path = join(dir, 'released.parquet');
    let released = 0;
    let rowsWrittenAtRelease = -1;
    const w = await TraceWriter.open({
      path,
      wallClockAnchorNs: 0n,
      rowGroupRows: 1000,
      flushIntervalMs: 0,
      onBatchesReleased: () => {
        released++;
        rowsWrittenAtRelease = w.stats.rowsWritten;
      },
    });
    const batch = new SyntheticTrace({ seed: 5 }).next(300);
    for (let i = 0; i < 10; i++) await w.write(batch);
    await w.close();
    // 3000 rows: three row groups of 1000, each released before it is encoded and written.
    expect(released).toBe(3);
    expect(rowsWrittenAtRelease).toBe(2000);
    expect((await openTrace(path)).numRowGroups).toBe(3);
  });
});
