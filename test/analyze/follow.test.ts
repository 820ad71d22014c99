/**
 * Following a trace while TraceWriter still writes it: each poll reads only the new row groups,
 * and the report after the writer closes equals the one-shot analysis of the finished file.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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

  it('follows a directory of a run: a pod trace that appears later joins, aligned, and a source filter holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interposer-follow-'));
    dirs.push(dir);
    const podDir = (pod: string) => join(dir, 'node=n1', 'namespace=shop', `pod=${pod}`);
    const open = async (pod: string, anchor: bigint) => {
      mkdirSync(podDir(pod), { recursive: true });
      return TraceWriter.open({
        path: join(podDir(pod), 'trace.parquet'),
        wallClockAnchorNs: anchor,
        flushIntervalMs: 0,
      });
    };
    const anchor = 1_764_000_000_000_000_000n;
    const db = await open('db-0', anchor);
    let web: TraceWriter | undefined;
    try {
      await db.write(fixtureBatches()[0]!);
      await db.flush();
      const all = new TraceFollower([dir]);
      const onlyWeb = new TraceFollower([dir], { sourceFilter: { pod: 'web-*' } });
      expect((await all.poll()).status).toMatchObject({ files: 1, rows: 128 });
      await expect(onlyWeb.poll()).rejects.toThrow(/no trace matches the source filter/);

      web = await open('web-1', anchor + 2_000_000n);
      await web.write(fixtureBatches()[1]!);
      await web.flush();
      const both = await all.poll();
      expect(both.status).toMatchObject({ files: 2, rows: 256, newRows: 128 });
      expect(both.report.sources.map((s) => s.pod)).toEqual(['db-0', 'web-1']);
      expect(both.report.sources[1]!.offsetNs).toBe(2_000_000);
      const web1 = await onlyWeb.poll();
      expect(web1.report.sources.map((s) => s.pod)).toEqual(['web-1']);
      expect(web1.status.rows).toBe(128);
    } finally {
      await db.close();
      await web?.close();
    }
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
