import { describe, expect, it } from 'vitest';
import { analyzeBatches } from '../../src/analyze/analyze.js';
import type { Report } from '../../src/analyze/types.js';
import { batchesOf, completionOrder, type RowSpec } from './helpers.js';

const MS = 1_000_000;

async function analyze(
  specs: RowSpec[],
  options: Parameters<typeof analyzeBatches>[1] = {},
  batchRows = 1024,
) {
  return analyzeBatches(batchesOf(completionOrder(specs), batchRows), options);
}

function op(report: Report, name: string) {
  const stats = report.ops.find((o) => o.op === name);
  if (!stats) throw new Error(`no stats for ${name}`);
  return stats;
}

describe('totals and per-op statistics', () => {
  const specs: RowSpec[] = [
    { op: 'open', path: '/d/a', start: 0, duration: 10, fh: 1 },
    { op: 'read', path: '/d/a', start: 20, duration: 100, fh: 1, offset: 0, size: 4096, bytes: 4096 },
    { op: 'read', path: '/d/a', start: 130, duration: 300, fh: 1, offset: 4096, size: 4096, bytes: 1000 },
    {
      op: 'read',
      path: '/d/a',
      start: 500,
      duration: 200,
      fh: 1,
      offset: 5096,
      size: 4096,
      bytes: 0,
      errno: 5,
    },
    { op: 'write', path: '/d/b', start: 40, duration: 50, fh: 2, offset: 0, size: 512, bytes: 512 },
    { op: 'getattr', path: '/d/missing', start: 800, duration: 5, errno: 2 },
    { op: 'getattr', path: '/d/missing', start: 900, duration: 7, errno: 2 },
    { op: 'release', path: '/d/a', start: 1000, duration: 20, fh: 1 },
  ];

  it('counts calls, bytes, errors and the time span', async () => {
    const r = await analyze(specs);
    expect(r.totals).toEqual({
      rowsScanned: 8,
      rows: 8,
      markers: 0,
      calls: 8,
      firstStartNs: 0,
      lastEndNs: 1020,
      spanNs: 1020,
      bytesRead: 5096,
      bytesWritten: 512,
      errors: 3,
      ioTimeNs: 10 + 100 + 300 + 200 + 50 + 5 + 7 + 20,
      kernelRoutineErrors: 0,
    });
  });

  it('gives exact latency percentiles, errors by errno name, and time shares', async () => {
    const r = await analyze(specs);
    const read = op(r, 'read');
    expect(read.count).toBe(3);
    expect(read.bytes).toBe(5096);
    expect(read.errors).toBe(1);
    expect(read.errorsByErrno).toEqual({ EIO: 1 });
    expect(read.latency).toEqual({
      count: 3,
      minNs: 100,
      maxNs: 300,
      meanNs: 200,
      p50Ns: 200,
      p90Ns: 300,
      p99Ns: 300,
      p999Ns: 300,
      exact: true,
    });
    expect(read.shareOfTime).toBeCloseTo(600 / 692, 12);
    expect(op(r, 'getattr').errorsByErrno).toEqual({ ENOENT: 2 });
    // Ops are ranked by total time.
    expect(r.ops.map((o) => o.op)).toEqual(['read', 'write', 'release', 'getattr', 'open']);
  });

  it('ranks hot files and directories', async () => {
    const r = await analyze(specs);
    expect(r.hotFiles.byTime.map((e) => [e.path, e.ops, e.timeNs])).toEqual([
      ['/d/a', 5, 630],
      ['/d/b', 1, 50],
      ['/d/missing', 2, 12],
    ]);
    expect(r.hotFiles.byBytes.map((e) => [e.path, e.bytes])).toEqual([
      ['/d/a', 5096],
      ['/d/b', 512],
    ]);
    expect(r.hotDirectories.byOps).toEqual([
      {
        path: '/d',
        ops: 8,
        bytes: 5608,
        readBytes: 5096,
        writeBytes: 512,
        timeNs: 692,
        errors: 3,
        shareOfTime: 1,
      },
    ]);
  });

  it('keeps the slowest calls with their context', async () => {
    const r = await analyze(specs, { top: 2 });
    expect(r.slowest).toHaveLength(2);
    expect(r.slowest[0]).toMatchObject({
      op: 'read',
      durationNs: 300,
      offset: 4096,
      size: 4096,
      bytes: 1000,
    });
    expect(r.slowest[1]).toMatchObject({
      op: 'read',
      durationNs: 200,
      errno: 5,
      errnoName: 'EIO',
      pid: 100,
      comm: 'app',
      startNs: 500,
    });
  });

  it('gives the same report whatever the batch size', async () => {
    const one = await analyze(specs, {}, 1024);
    const many = await analyze(specs, {}, 3);
    expect(JSON.parse(JSON.stringify(many))).toEqual(JSON.parse(JSON.stringify(one)));
  });
});

describe('access patterns', () => {
  it('classifies sequential and random access per handle, and request sizes', async () => {
    const reads = [0, 4096, 8192, 100_000, 104_096].map((offset, i) => ({
      op: 'read' as const,
      path: '/seq',
      fh: 7,
      offset,
      size: 4096,
      bytes: 4096,
      start: i * 10,
      duration: 5,
    }));
    // No fh: tracked per path. First at 8192 (not 0) is random; then 16384 is sequential.
    const writes = [8192, 16384, 0, 50_000].map((offset, i) => ({
      op: 'write' as const,
      path: '/rnd',
      fh: null,
      offset,
      size: i === 3 ? 100 : 8192,
      bytes: i === 3 ? 100 : 8192,
      start: 1000 + i * 10,
      duration: 5,
    }));
    const r = await analyze([...reads, ...writes]);
    const seq = r.accessPatterns.find((p) => p.path === '/seq')!;
    expect(seq).toMatchObject({
      reads: 5,
      writes: 0,
      readFraction: 1,
      sequentialFraction: 0.8,
      pattern: 'sequential',
      sizeHistogram: [{ fromBytes: 4096, toBytes: 8192, count: 5 }],
    });
    const rnd = r.accessPatterns.find((p) => p.path === '/rnd')!;
    expect(rnd).toMatchObject({ writes: 4, sequentialFraction: 0.25, pattern: 'mixed', readFraction: 0 });
    expect(rnd.sizeHistogram).toEqual([
      { fromBytes: 64, toBytes: 128, count: 1 },
      { fromBytes: 8192, toBytes: 16384, count: 3 },
    ]);
  });

  it('starts a handle afresh after release (fh numbers are reused)', async () => {
    const r = await analyze([
      { op: 'read', path: '/x', fh: 3, offset: 0, size: 10, bytes: 10, start: 0, duration: 1 },
      { op: 'release', path: '/x', fh: 3, start: 10, duration: 1 },
      { op: 'open', path: '/y', fh: 3, start: 20, duration: 1 },
      { op: 'read', path: '/y', fh: 3, offset: 0, size: 10, bytes: 10, start: 30, duration: 1 },
    ]);
    expect(r.accessPatterns.map((p) => [p.path, p.sequentialFraction])).toEqual([
      ['/x', 1],
      ['/y', 1],
    ]);
  });
});

describe('timeline and concurrency', () => {
  it('computes max calls in flight per bucket from [start, end) intervals', async () => {
    const r = await analyze(
      [
        { start: 0, duration: 30 },
        { start: 5, duration: 3 },
        { start: 6, duration: 3 },
        { start: 25, duration: 15 },
      ],
      { bucketNs: 10n },
    );
    expect(r.timeline.bucketNs).toBe(10);
    expect(r.timeline.buckets.map((b) => b.maxConcurrency)).toEqual([3, 1, 2, 1]);
    expect(r.timeline.buckets.map((b) => b.ops)).toEqual([3, 0, 1, 0]);
    expect(r.timeline.lateConcurrencyRows).toBe(0);
  });

  it('matches a brute-force count on random intervals, for any batch split', async () => {
    let state = 12345;
    const rand = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    const specs: RowSpec[] = [];
    for (let i = 0; i < 500; i++) {
      specs.push({
        start: Math.floor(rand() * 10_000),
        duration: 1 + Math.floor(rand() * (rand() < 0.05 ? 3000 : 200)),
      });
    }
    const width = 250;
    const r = await analyze(specs, { bucketNs: BigInt(width) }, 37);
    const brute: number[] = r.timeline.buckets.map((_, b) => {
      const lo = b * width;
      const hi = lo + width;
      const instants = [lo, ...specs.map((s) => s.start).filter((t) => t >= lo && t < hi)];
      return Math.max(
        ...instants.map((t) => specs.filter((s) => s.start <= t && t < s.start + s.duration).length),
      );
    });
    expect(r.timeline.buckets.map((b) => b.maxConcurrency)).toEqual(brute);
  });

  it('reports per-bucket rates and latency', async () => {
    const r = await analyze(
      [
        { op: 'read', start: 0, duration: 100, bytes: 1000 },
        { op: 'read', start: 10, duration: 300, bytes: 1000 },
        { op: 'write', start: MS + 5, duration: 50, bytes: 4000, errno: 28 },
      ],
      { bucketNs: BigInt(MS) },
    );
    const [b0, b1] = r.timeline.buckets;
    expect(b0).toMatchObject({
      startNs: 0,
      ops: 2,
      opsPerSec: 2000,
      readBytes: 2000,
      readBytesPerSec: 2e6,
      errors: 0,
    });
    expect(b1).toMatchObject({ startNs: MS, ops: 1, writeBytes: 4000, writeBytesPerSec: 4e6, errors: 1 });
    expect(b0!.p50Ns).toBeCloseTo(100, -1);
    expect(Math.abs(b0!.p99Ns - 300) / 300).toBeLessThanOrEqual(r.meta.timelineRelativeErrorBound);
  });

  it('picks about 100 buckets by default', async () => {
    const specs = Array.from({ length: 1000 }, (_, i) => ({ start: i * 10 * MS, duration: MS }));
    const r = await analyze(specs);
    expect(r.timeline.buckets.length).toBeGreaterThan(50);
    expect(r.timeline.buckets.length).toBeLessThanOrEqual(100);
    expect(r.timeline.buckets.reduce((sum, b) => sum + b.ops, 0)).toBe(1000);
  });
});

describe('filters', () => {
  const specs: RowSpec[] = [
    { op: 'read', path: '/data/a.db', pid: 1, start: 0, duration: 10, bytes: 100 },
    { op: 'write', path: '/data/a.db', pid: 2, start: 1000, duration: 10, bytes: 200 },
    { op: 'read', path: '/logs/x.log', pid: 1, start: 2000, duration: 10, bytes: 300 },
    { op: 'getattr', path: '/data/b.db', pid: 2, start: 3000, duration: 10 },
  ];

  it('filters by op, path glob (with or without leading /), pid and time range', async () => {
    expect((await analyze(specs, { filter: { ops: ['read'] } })).totals.bytesRead).toBe(400);
    expect((await analyze(specs, { filter: { pathGlob: 'data/*.db' } })).totals.calls).toBe(3);
    expect((await analyze(specs, { filter: { pathGlob: '/logs/**' } })).totals.calls).toBe(1);
    expect((await analyze(specs, { filter: { pids: [2] } })).totals.bytesWritten).toBe(200);
    const ranged = await analyze(specs, { filter: { fromNs: 1000n, toNs: 3000n } });
    expect(ranged.totals).toMatchObject({ rowsScanned: 4, rows: 2, calls: 2, firstStartNs: 1000 });
    expect(ranged.timeline.originNs).toBe(1000);
    expect(ranged.meta.filter).toEqual({ ops: null, pathGlob: null, pids: null, fromNs: 1000, toNs: 3000 });
  });
});

describe('processes, markers and faults', () => {
  it('ranks processes by time in I/O', async () => {
    const r = await analyze([
      { pid: 1, comm: 'pg', uid: 0, start: 0, duration: 100, op: 'read', bytes: 10 },
      { pid: 2, comm: 'tar', start: 0, duration: 300, op: 'write', bytes: 20 },
      { pid: 1, comm: 'pg', uid: 0, start: 200, duration: 100, op: 'read', bytes: 10 },
    ]);
    expect(
      r.processes.map((p) => [p.pid, p.comm, p.uid, p.ops, p.readBytes, p.writeBytes, p.timeNs]),
    ).toEqual([
      [2, 'tar', 1000, 1, 0, 20, 300],
      [1, 'pg', 0, 2, 20, 0, 200],
    ]);
    expect(r.processes[1]).toMatchObject({ firstStartNs: 0, lastEndNs: 300, shareOfTime: 0.4 });
  });

  it('counts faults by kind, errno, op and path, and their cost', async () => {
    const r = await analyze([
      { op: 'write', path: '/a', start: 0, duration: 100, errno: 28, faultKind: 'errno', faultErrno: 28 },
      { op: 'write', path: '/a', start: 200, duration: 100, errno: 28, faultKind: 'errno', faultErrno: 28 },
      { op: 'write', path: '/a', start: 400, duration: 100, errno: 28 },
      { op: 'read', path: '/b', start: 600, duration: 5000, faultKind: 'delay', faultDelay: 4000 },
      { op: 'read', path: '/b', start: 7000, duration: 900, faultKind: 'throttle', throttleWait: 800 },
      { op: 'read', path: '/b', start: 9000, duration: 300, throttleWait: 200 },
      { op: 'event', path: '/', start: 9500, duration: 0, faultKind: 'delay' },
    ]);
    expect(r.totals).toMatchObject({ rows: 7, markers: 1, calls: 6 });
    expect(r.markers).toEqual([{ seq: 6, startNs: 9500, path: '/', path2: null, faultKind: 'delay' }]);
    expect(r.faults).toEqual({
      rows: 4,
      byKind: { errno: 2, delay: 1, throttle: 1 },
      byErrno: { ENOSPC: 2 },
      byOp: { read: 2, write: 2 },
      byPath: [
        { key: '/a', count: 2 },
        { key: '/b', count: 2 },
      ],
      injectedDelayNs: 4000,
      throttleWaitNs: 1000,
      costNs: 5000,
      shareOfTime: 5000 / 6500,
    });
    expect(op(r, 'write').errorsByErrno).toEqual({ ENOSPC: 3 });
    expect(op(r, 'write').injectedErrorsByErrno).toEqual({ ENOSPC: 2 });
  });
});
