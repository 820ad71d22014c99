/**
 * LiveTrace: re-opening a trace that is still written reads only the journal's new records, a
 * record cut in the middle waits for its end, and the finished file is picked up.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { journalPathOf } from '../../src/trace/journal.js';
import { LiveTrace } from '../../src/trace/live.js';
import { openTrace, readAllRows } from '../../src/trace/reader.js';
import { rowsOf } from '../../src/trace/batch.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { fixtureBatches } from '../tui/fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'interposer-live-'));
  dirs.push(d);
  return d;
}

async function rowCount(trace: Awaited<ReturnType<LiveTrace['open']>>, from = 0): Promise<number> {
  let n = 0;
  for await (const b of trace.batches({ fromRowGroup: from })) n += [...rowsOf(b)].length;
  return n;
}

describe('LiveTrace', () => {
  it('follows row groups as they are written, then the finished file', async () => {
    const path = join(tempDir(), 'live.parquet');
    const writer = await TraceWriter.open({
      path,
      wallClockAnchorNs: 1n,
      rowGroupRows: 1 << 20,
      flushIntervalMs: 0,
    });
    const live = new LiveTrace(path);
    const batches = fixtureBatches(1, 100);
    try {
      await writer.write(batches[0]!);
      await writer.flush();
      const first = await live.open();
      expect(first.recovered).toBe(true);
      expect(first.numRowGroups).toBe(1);
      await writer.write(batches[1]!);
      await writer.flush();
      await writer.write(batches[2]!);
      await writer.flush();
      const second = await live.open();
      expect(second.numRowGroups).toBe(3);
      // The same footer openTrace rebuilds from the whole journal.
      expect(second.meta.rowGroups).toEqual((await openTrace(path)).meta.rowGroups);
      expect(await rowCount(second, 1)).toBe(200);
    } finally {
      await writer.close();
    }
    const done = await live.open();
    expect(done.recovered).toBe(false);
    expect(done.numRows).toBe(300);
    expect(await live.open()).toBe(done); // unchanged file: not re-read
    expect(await rowCount(done)).toBe((await readAllRows(path)).length);
  });

  it('waits for the end of a journal record cut in the middle', async () => {
    const source = join(tempDir(), 'src.parquet');
    const writer = await TraceWriter.open({
      path: source,
      wallClockAnchorNs: 1n,
      rowGroupRows: 1 << 20,
      flushIntervalMs: 0,
    });
    for (const b of fixtureBatches(1, 100).slice(0, 3)) {
      await writer.write(b);
      await writer.flush();
    }
    // A copy of the live state: data file and journal, the journal cut 5 bytes into its last record.
    const path = join(tempDir(), 'copy.parquet');
    copyFileSync(source, path);
    const journal = readFileSync(journalPathOf(source));
    await writer.close();
    const full = (await openTrace(source)).meta.rowGroups;
    const lastRecordStart = findLastRecord(journal);
    writeFileSync(journalPathOf(path), journal.subarray(0, lastRecordStart + 5));
    const live = new LiveTrace(path);
    expect((await live.open()).numRowGroups).toBe(2);
    appendFileSync(journalPathOf(path), journal.subarray(lastRecordStart + 5));
    const whole = await live.open();
    expect(whole.numRowGroups).toBe(3);
    expect(whole.meta.rowGroups).toEqual(full);
  });

  it('reports a missing trace as openTrace does', async () => {
    await expect(new LiveTrace(join(tempDir(), 'none.parquet')).open()).rejects.toThrow(/no such trace file/);
  });
});

/** Offset of the journal's last record: walk [u32 length][u32 crc][payload] from after the magic. */
function findLastRecord(journal: Buffer): number {
  let pos = 4;
  let last = pos;
  while (pos + 8 <= journal.length) {
    last = pos;
    pos += 8 + journal.readUInt32LE(pos);
  }
  return last;
}
