import { describe, expect, it } from 'vitest';
import { analyzeBatches } from '../../src/analyze/analyze.js';
import { kernelRoutineKind } from '../../src/analyze/kernel-routine.js';
import { batchesOf, completionOrder, type RowSpec } from './helpers.js';

const US = 1_000;
const MS = 1_000_000;

describe('kernel routine requests', () => {
  it('classifies capability checks, revalidation getattr and caller-less rows', () => {
    const base = { path2: null, hasFh: false, pid: 7 };
    expect(kernelRoutineKind({ ...base, op: 'getxattr', path2: 'security.capability' })).toBe(
      'capability-check',
    );
    expect(kernelRoutineKind({ ...base, op: 'getxattr', path2: 'user.mime' })).toBeNull();
    expect(kernelRoutineKind({ ...base, op: 'getattr', hasFh: true })).toBe('attribute-revalidation');
    expect(kernelRoutineKind({ ...base, op: 'getattr' })).toBeNull();
    expect(kernelRoutineKind({ ...base, op: 'release', pid: 0 })).toBe('no-caller');
    expect(kernelRoutineKind({ ...base, op: 'event', pid: 0 })).toBeNull();
  });

  it('are reported apart and never as application errors', async () => {
    const rows: RowSpec[] = [];
    let t = 0;
    for (let i = 0; i < 100; i++) {
      rows.push({
        op: 'getxattr',
        path: '/f',
        path2: 'security.capability',
        errno: 61,
        start: t,
        duration: 2 * US,
      });
      rows.push({
        op: 'write',
        path: '/f',
        fh: 1,
        offset: i * 4096,
        size: 4096,
        bytes: 4096,
        start: t + 3 * US,
        duration: 10 * US,
      });
      t += 20 * US;
    }
    rows.push({ op: 'getxattr', path: '/f', path2: 'user.tag', errno: 61, start: t, duration: US });
    const report = await analyzeBatches(batchesOf(completionOrder(rows)));
    expect(report.totals.errors).toBe(101);
    expect(report.totals.kernelRoutineErrors).toBe(100);
    const getxattr = report.ops.find((o) => o.op === 'getxattr')!;
    expect(getxattr.kernelRoutineErrorsByErrno).toEqual({ ENODATA: 100 });
    expect(report.kernelRoutine).toEqual([
      expect.objectContaining({
        kind: 'capability-check',
        calls: 100,
        errors: 100,
        errorsByErrno: { ENODATA: 100 },
      }),
    ]);
    expect(report.findings.some((f) => f.kind === 'errors')).toBe(false);
    const routine = report.findings.find((f) => f.kind === 'kernel-routine')!;
    expect(routine.actionable).toBe(false);
    expect(routine.text).toMatch(/^50% of calls are the kernel's routine requests \(capability-check 100;/);
    expect(routine.nextStep).toContain('KILLPRIV_V2');
  });
});

describe('sync findings', () => {
  function syncRows(datasyncFlags: number[]): RowSpec[] {
    return datasyncFlags.flatMap((flags, i) => [
      {
        op: 'write',
        path: '/db',
        fh: 1,
        offset: i * 8192,
        size: 8192,
        bytes: 8192,
        start: i * 10 * MS,
        duration: 10 * US,
      },
      { op: 'fsync', path: '/db', fh: 1, flags, start: i * 10 * MS + 20 * US, duration: 5 * MS },
      { op: 'flush', path: '/db', fh: 1, start: i * 10 * MS + 6 * MS, duration: 3 * MS },
    ]);
  }

  it('tell fdatasync from fsync and do not count close (flush) as sync', async () => {
    const report = await analyzeBatches(batchesOf(completionOrder(syncRows([1, 1, 1, 0]))));
    expect(report.syncCalls.map((c) => [c.call, c.count])).toEqual([
      ['fsync', 1],
      ['fdatasync', 3],
    ]);
    const sync = report.findings.find((f) => f.kind === 'sync')!;
    // 4 x 5 ms of 4 x (5 + 3 ms + 10 µs): flush is not in it.
    expect(sync.text).toBe(
      '62% of I/O time is waiting for sync (fsync 1 calls, mean 5 ms; fdatasync 3 calls, mean 5 ms)',
    );
    expect(sync.nextStep).toContain('fdatasync already');
    expect(sync.evidence).toHaveLength(2);
  });

  it('suggest fdatasync when full fsync dominates', async () => {
    const report = await analyzeBatches(batchesOf(completionOrder(syncRows([0, 0, 0, 1]))));
    expect(report.findings.find((f) => f.kind === 'sync')!.nextStep).toMatch(/^Most of it is full fsync/);
  });
});

describe('write patterns', () => {
  it('recognise rewrite-in-place-then-advance (a WAL) and do not call it random', async () => {
    const rows: RowSpec[] = [];
    let t = 0;
    for (let page = 0; page < 20; page++)
      for (let k = 0; k < 10; k++) {
        rows.push({
          op: 'write',
          path: '/pg_wal/000000010000000000000001',
          fh: 1,
          offset: page * 8192,
          size: 8192,
          bytes: 8192,
          start: t,
          duration: 20 * US,
        });
        t += 100 * US;
      }
    const report = await analyzeBatches(batchesOf(rows));
    const wal = report.accessPatterns[0]!;
    expect(wal.writePattern).toBe('log-rewrite');
    expect(wal.rewriteWrites).toBe(180);
    expect(wal.writesPerOffset).toBe(10);
    const finding = report.findings.find((f) => f.kind === 'write-pattern')!;
    expect(finding.text).toBe(
      'write-ahead-log pattern on /pg_wal/000000010000000000000001: each position rewritten about 10.0 times, then the next (200 writes)',
    );
    expect(finding.actionable).toBe(false);
  });

  it('recognise appends', async () => {
    const rows: RowSpec[] = Array.from({ length: 50 }, (_, i) => ({
      op: 'write' as const,
      path: '/log',
      fh: 1 + (i % 3), // several handles, one file: appends are judged by path
      offset: i * 100,
      size: 100,
      bytes: 100,
      start: i * 10 * US,
      duration: 5 * US,
    }));
    const report = await analyzeBatches(batchesOf(rows));
    expect(report.accessPatterns[0]).toMatchObject({
      writePattern: 'append',
      appendWrites: 50,
      rewriteWrites: 0,
    });
    expect(report.findings.find((f) => f.kind === 'write-pattern')!.text).toBe(
      'append-only writes on /log (50 of 50 at the end)',
    );
  });
});

describe('every finding', () => {
  it('states evidence and a next step; observations come after bottlenecks', async () => {
    const rows: RowSpec[] = [];
    for (let i = 0; i < 40; i++) {
      rows.push({
        op: 'read',
        path: `/a/x${i % 2}.db`,
        pid: 1,
        comm: 'pg',
        fh: 1,
        offset: ((i * 37) % 50) * 4096 + 4096,
        size: 4096,
        bytes: 4096,
        start: i * 10 * US,
        duration: 8 * US,
      });
      rows.push({
        op: 'getattr',
        path: '/a',
        pid: 2,
        comm: 'du',
        fh: 9,
        start: i * 10 * US + 1,
        duration: 6 * US,
      });
    }
    const report = await analyzeBatches(batchesOf(completionOrder(rows)));
    expect(report.findings.length).toBeGreaterThan(1);
    for (const f of report.findings) {
      expect(f.evidence.length, f.text).toBeGreaterThan(0);
      expect(f.nextStep.length, f.text).toBeGreaterThan(10);
    }
    const firstObservation = report.findings.findIndex((f) => !f.actionable);
    expect(firstObservation).toBeGreaterThan(0);
    expect(report.findings.slice(firstObservation).every((f) => !f.actionable)).toBe(true);
  });
});
