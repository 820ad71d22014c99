import { describe, expect, it } from 'vitest';
import { analyzeBatches } from '../../src/analyze/analyze.js';
import { diffReports } from '../../src/analyze/diff.js';
import { batchesOf, completionOrder, type RowSpec } from './helpers.js';

const MS = 1_000_000;
const US = 1_000;

function workload(): RowSpec[] {
  const rows: RowSpec[] = [];
  let t = 0;
  for (let i = 0; i < 100; i++) {
    const path = i % 2 ? '/data/y.db' : '/data/x.db';
    // Offsets 37 blocks apart: never consecutive, so every read is random.
    const offset = (1 + ((i * 37) % 500)) * 4096;
    rows.push({
      op: 'read',
      path,
      fh: i % 2 ? 2 : 1,
      offset,
      size: 4096,
      bytes: 4096,
      start: t,
      duration: MS,
    });
    t += MS;
  }
  for (let i = 0; i < 20; i++) {
    rows.push({ op: 'fsync', path: '/data/x.db', fh: 1, start: t, duration: i === 19 ? 48 * MS : MS });
    t += 50 * MS;
  }
  for (let i = 0; i < 250; i++) {
    const failed = i % 100 === 5; // 3 of 250
    rows.push({
      op: 'write',
      path: '/data/w.log',
      fh: 3,
      offset: i * 4096,
      size: 4096,
      bytes: failed ? 0 : 4096,
      errno: failed ? 28 : 0,
      faultKind: failed ? 'errno' : null,
      faultErrno: failed ? 28 : null,
      start: t,
      duration: 10 * US,
    });
    t += 20 * US;
  }
  return rows;
}

describe('findings', () => {
  it('come from the data, ranked by share of I/O time', async () => {
    const report = await analyzeBatches(batchesOf(completionOrder(workload())));
    expect(report.bottlenecks).toEqual([
      '69% of I/O time is on /data/x.db (70 calls)',
      '59% of I/O time is 4 KiB random reads on /data/*.db (100 calls)',
      'p99 fsync 48 ms (p50 1 ms, max 48 ms over 20 calls; 40% of I/O time)',
      '40% of I/O time is waiting for sync (fsync 20 calls, mean 3.35 ms)',
      '1.2% of writes (3 of 250) failed with ENOSPC (injected)',
    ]);
    expect(report.findings.map((f) => f.kind)).toEqual([
      'hot-file',
      'dominant-io',
      'tail-latency',
      'sync',
      'errors',
    ]);
  });

  it('report competing processes and overlay cost', async () => {
    const rows: RowSpec[] = [];
    for (let i = 0; i < 30; i++) {
      rows.push({ op: 'read', path: `/a${i}`, pid: 1, comm: 'pg', start: i * 10, duration: 50 });
      rows.push({ op: 'write', path: `/b${i}`, pid: 2, comm: 'tar', start: i * 10 + 3, duration: 30 });
      rows.push({
        op: 'getattr',
        path: `/c${i}`,
        pid: 3,
        comm: 'du',
        start: i * 10 + 5,
        duration: 20,
        throttleWait: 10,
      });
    }
    const report = await analyzeBatches(batchesOf(completionOrder(rows)));
    // Contention names no cost one can cut: an observation, ranked after the bottlenecks.
    expect(report.bottlenecks.slice(-1)).toEqual([
      '3 processes do I/O at the same time: pg 1 (50%), tar 2 (30%), du 3 (20%)',
    ]);
    expect(report.bottlenecks).toContain('Overlays added 300 ns (300 ns throttling): 10% of I/O time');
    const contention = report.findings.find((f) => f.kind === 'contention')!;
    expect(contention.actionable).toBe(false);
    expect(contention.evidence).toHaveLength(3);
  });

  it('stay quiet when nothing crosses a threshold', async () => {
    // Six equal classes of calls (~17% of I/O time each) spread over 60 files, one process.
    const classes: Omit<RowSpec, 'start' | 'duration' | 'path'>[] = [
      { op: 'read', size: 100, bytes: 100 },
      { op: 'read', size: 100_000, bytes: 100_000 },
      { op: 'write', size: 100, bytes: 100 },
      { op: 'write', size: 100_000, bytes: 100_000 },
      { op: 'getattr' },
      { op: 'open' },
    ];
    const rows: RowSpec[] = Array.from({ length: 60 }, (_, i) => ({
      ...classes[i % classes.length]!,
      path: `/f${i}`,
      offset: classes[i % classes.length]!.size === undefined ? null : 0,
      start: i * 100,
      duration: 10,
    }));
    const report = await analyzeBatches(batchesOf(rows));
    expect(report.bottlenecks).toEqual([]);
  });
});

describe('diffReports', () => {
  it('compares totals, ops, files and errors', async () => {
    const a = await analyzeBatches(
      batchesOf([
        { op: 'read', path: '/x', start: 0, duration: 100, bytes: 10 },
        { op: 'read', path: '/x', start: 200, duration: 100, bytes: 10 },
        { op: 'write', path: '/y', start: 400, duration: 50, bytes: 5, errno: 28 },
      ]),
    );
    const b = await analyzeBatches(
      batchesOf([
        { op: 'read', path: '/x', start: 0, duration: 400, bytes: 10 },
        { op: 'read', path: '/x', start: 500, duration: 400, bytes: 10 },
        { op: 'fsync', path: '/y', start: 1000, duration: 50 },
      ]),
    );
    const d = diffReports(a, b);
    expect(d.totals.calls).toEqual({ a: 3, b: 3, delta: 0, ratio: 1 });
    expect(d.totals.ioTimeNs).toEqual({ a: 250, b: 850, delta: 600, ratio: 3.4 });
    expect(d.ops.map((o) => o.op)).toEqual(['read', 'fsync', 'write']);
    expect(d.ops[0]!.p99Ns).toEqual({ a: 100, b: 400, delta: 300, ratio: 4 });
    expect(d.ops[1]!.count).toEqual({ a: 0, b: 1, delta: 1, ratio: null });
    expect(d.files[0]).toMatchObject({ path: '/x', timeNs: { a: 200, b: 800 } });
    expect(d.errors).toEqual([{ op: 'write', errno: 'ENOSPC', a: 1, b: 0 }]);
    expect(d.summary).toContain('p99 read 4.0x higher: 100 ns -> 400 ns');
    expect(d.summary).toContain('fsync appears (1 calls)');
    expect(d.summary).toContain('write ENOSPC: 1 -> 0');
  });
});
