/**
 * Following a trace while TraceWriter still writes it: each poll reads only the new row groups,
 * and the report after the writer closes equals the one-shot analysis of the finished file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeTrace } from '../../src/analyze/analyze.js';
import { TraceFollower } from '../../src/analyze/follow.js';
import type { Report } from '../../src/analyze/types.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { fixtureBatches } from '../tui/fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function openWriter(): Promise<{ path: string; writer: TraceWriter }> {
  const dir = mkdtempSync(join(tmpdir(), 'interposer-follow-'));
  dirs.push(dir);
  const path = join(dir, 'live.parquet');
  const writer = await TraceWriter.open({
    path,
    wallClockAnchorNs: 1_764_000_000_000_000_000n,
    rowGroupRows: 1 << 20,
    flushIntervalMs: 0,
  });
  return { path, writer };
}

/** The parts of a report that do not depend on how the rows were read. */
function comparable(r: Report): unknown {
  return { ...r, meta: { ...r.meta, source: null } };
}

describe('TraceFollower', () => {
  it('reads a live trace through its journal, only the new row groups each poll', async () => {
    const { path, writer } = await openWriter();
    const batches = fixtureBatches(1, 100);
    try {
      await writer.write(batches[0]!);
      await writer.flush();
      const follower = new TraceFollower([path], { top: 50 });
      const first = await follower.poll();
      expect(first.status).toMatchObject({ rows: 100, newRows: 100, files: 1, complete: false });
      expect(first.report.totals.rowsScanned).toBe(100);

      // Nothing written since: the same report, no rows read again.
      const idle = await follower.poll();
      expect(idle.status).toMatchObject({ rows: 100, newRows: 0 });
      expect(idle.report).toBe(first.report);

      for (const b of batches.slice(1, 3)) await writer.write(b);
      await writer.flush();
      const second = await follower.poll();
      expect(second.status).toMatchObject({ rows: 300, newRows: 200, complete: false });
      // Earlier snapshots are not changed by later rows (React keeps them as state).
      expect(first.report.totals.rowsScanned).toBe(100);

      for (const b of batches.slice(3)) await writer.write(b);
    } finally {
      await writer.close();
    }
    const follower = new TraceFollower([path], { top: 50 });
    const whole = await analyzeTrace(path, { top: 50 });
    const done = await follower.poll();
    expect(done.status.complete).toBe(true);
    expect(comparable(done.report)).toEqual(comparable(whole));
  });

  it('equals the one-shot analysis when fed in pieces, concurrency included', async () => {
    const { path, writer } = await openWriter();
    const follower = new TraceFollower([path], { top: 50, filter: { ops: ['read', 'write'] } });
    const seen: number[] = [];
    try {
      for (const b of fixtureBatches(1, 64)) {
        await writer.write(b);
        await writer.flush();
        seen.push((await follower.poll()).status.rows);
      }
    } finally {
      await writer.close();
    }
    const last = await follower.poll();
    const whole = await analyzeTrace(path, { top: 50, filter: { ops: ['read', 'write'] } });
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(last.status.complete).toBe(true);
    expect(comparable(last.report)).toEqual(comparable(whole));
    expect(last.report.timeline.buckets.some((b) => b.maxConcurrency > 0)).toBe(true);
  });

  it('says what is wrong while the trace does not exist yet, and picks it up once it does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interposer-follow-'));
    dirs.push(dir);
    const path = join(dir, 'later.parquet');
    const follower = new TraceFollower([path]);
    await expect(follower.poll()).rejects.toThrow(/no such trace file/);
    const writer = await TraceWriter.open({ path, wallClockAnchorNs: 1n, flushIntervalMs: 0 });
    try {
      await writer.write(fixtureBatches()[0]!);
      await writer.flush();
      expect((await follower.poll()).status.rows).toBe(128);
    } finally {
      await writer.close();
    }
  });
});
