import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as runFaults } from '../../src/cli/commands/faults.js';
import {
  FakeClock,
  FileFaultLog,
  MemoryFaultLog,
  Overlay,
  type FaultRecord,
} from '../../src/overlay/index.js';
import { readFaultLog, renderFaultReport, summarizeFaultLog } from '../../src/overlay/fault-report.js';
import { TraceBatchBuilder } from '../../src/trace/batch.js';
import type { TraceRow } from '../../src/trace/schema.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { EIO, ENOSPC, configOf, ctx, faultRule } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'overlay-faultlog-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

function record(i: number, extra: Partial<FaultRecord> = {}): FaultRecord {
  return {
    time: new Date(1_700_000_000_000 + i).toISOString(),
    timeNs: String(1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n),
    tNs: String(i * 1_000_000),
    op: 'write',
    path: `/f${i % 2}.db`,
    pid: 10 + (i % 2),
    uid: 0,
    gid: 0,
    rule: 'eio',
    kind: 'errno',
    errno: 5,
    errnoName: 'EIO',
    ...extra,
  };
}

describe('FileFaultLog', () => {
  it('appends JSON lines in order, buffered until flush or close', async () => {
    const path = join(dir, 'faults.jsonl');
    const log = await FileFaultLog.open(path, { flushIntervalMs: 60_000 });
    for (let i = 0; i < 3; i++) log.record(record(i));
    expect(await readFile(path, 'utf8')).toBe(''); // nothing written per record
    await log.flush();
    log.record(record(3));
    await log.close();
    log.record(record(4)); // after close: dropped
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as FaultRecord).tNs)).toEqual([
      '0',
      '1000000',
      '2000000',
      '3000000',
    ]);
  });

  it('flushes early once the buffer is large', async () => {
    const path = join(dir, 'big.jsonl');
    const log = await FileFaultLog.open(path, { flushIntervalMs: 60_000, flushBytes: 1000 });
    for (let i = 0; i < 20; i++) log.record(record(i));
    await log.flush();
    expect((await readFile(path, 'utf8')).split('\n').length - 1).toBe(20);
    await log.close();
  });

  it('receives what the overlay injects, end to end', async () => {
    const path = join(dir, 'run.jsonl');
    const log = await FileFaultLog.open(path);
    const overlay = Overlay.fromConfig(
      configOf({ faults: [faultRule('eio', { ops: ['write'], every: 2, errno: EIO })] }),
      {
        faultLog: log,
        clock: new FakeClock(1_700_000_000_000_000_000n),
      },
    );
    for (let i = 0; i < 6; i++) overlay.decide(ctx('write', '/db', { nowNs: BigInt(i), pid: 7 }));
    await log.close();
    const { records, skipped } = await readFaultLog(path);
    expect(skipped).toEqual([]);
    expect(records.map((r) => [r.tNs, r.rule, r.errnoName, r.pid])).toEqual([
      ['1', 'eio', 'EIO', 7],
      ['3', 'eio', 'EIO', 7],
      ['5', 'eio', 'EIO', 7],
    ]);
  });
});

describe('fault report', () => {
  it('counts by rule, kind, errno, op, path and process, and skips torn lines', async () => {
    const path = join(dir, 'faults.jsonl');
    const recs = [
      record(0),
      record(1),
      record(2, { rule: 'full', errno: 28, errnoName: 'ENOSPC' }),
      record(3, {
        rule: 'slow',
        kind: 'delay',
        op: 'fsync',
        errno: undefined,
        errnoName: undefined,
        delayNs: 2e6,
        when: 'before',
      }),
      record(4, {
        rule: 'slow',
        kind: 'delay',
        op: 'fsync',
        errno: undefined,
        errnoName: undefined,
        delayNs: 6e6,
        when: 'before',
      }),
    ];
    await writeFile(path, recs.map((r) => JSON.stringify(r)).join('\n') + '\n{"rule":"torn", "op');
    const contents = await readFaultLog(path);
    expect(contents.skipped).toEqual([{ line: 6, reason: 'not JSON' }]);
    const report = summarizeFaultLog(path, contents);
    expect(report.total).toBe(5);
    expect(report.spanNs).toBe(4e6);
    expect(report.firstTime).toBe(recs[0]!.time);
    expect(report.lastTime).toBe(recs[4]!.time);
    expect(report.byKind).toEqual([
      { key: 'errno', count: 3 },
      { key: 'delay', count: 2 },
    ]);
    expect(report.byErrno).toEqual([
      { key: 'EIO', count: 2 },
      { key: 'ENOSPC', count: 1 },
    ]);
    expect(report.byRule.map((r) => [r.rule, r.kind, r.count, r.detail])).toEqual([
      ['eio', 'errno', 2, 'EIO'],
      ['slow', 'delay', 2, 'total 8.0ms, max 6.0ms'],
      ['full', 'errno', 1, 'ENOSPC'],
    ]);
    expect(report.byProcess.map((p) => [p.pid, p.count])).toEqual([
      [10, 3],
      [11, 2],
    ]);
    const text = renderFaultReport(report);
    expect(text).toContain('5 ops affected (5 records)');
    expect(text).toContain('1 unreadable line(s) skipped');
    expect(text).toMatch(/slow\s+delay\s+2\s+total 8\.0ms, max 6\.0ms\s+fsync 2/);
  });

  it('counts a sampled throttle record as the ops it stands for', () => {
    const throttle = record(0, {
      rule: 'disk',
      kind: 'throttle',
      errno: undefined,
      errnoName: undefined,
      throttleWaitNs: 2e8,
      throttledOps: 7,
      maxThrottleWaitNs: 3e8,
    });
    const report = summarizeFaultLog('x.jsonl', { records: [throttle, record(1)], skipped: [] });
    expect([report.total, report.records]).toEqual([8, 2]);
    expect(report.byKind).toEqual([
      { key: 'throttle', count: 7 },
      { key: 'errno', count: 1 },
    ]);
    expect(report.byRule[0]).toMatchObject({
      rule: 'disk',
      count: 7,
      detail: 'waits over threshold, max 300.0ms',
    });
  });

  it('joins with the trace to name the processes that got injected errors', async () => {
    const logPath = join(dir, 'faults.jsonl');
    const memory = new MemoryFaultLog();
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [
          faultRule('eio', { ops: ['write'], path: '*.db', errno: EIO }),
          faultRule('full', { ops: ['write'], path: '*.log', first: 1, errno: ENOSPC }),
        ],
      }),
      { faultLog: memory, clock: new FakeClock(1_700_000_000_000_000_000n) },
    );
    // A small "run": two processes write; the trace records what each one saw.
    const ops = [
      { pid: 100, comm: 'sqlite3', path: '/a.db' },
      { pid: 100, comm: 'sqlite3', path: '/a.db' },
      { pid: 200, comm: 'logger', path: '/x.log' },
      { pid: 200, comm: 'logger', path: '/x.log' },
      { pid: 300, comm: 'cat', path: '/readme' },
    ];
    const builder = new TraceBatchBuilder(16);
    ops.forEach((o, i) => {
      const v = overlay.decide(ctx('write', o.path, { pid: o.pid, size: 10, nowNs: BigInt(i * 1000) }));
      builder.append(traceRow(i, o.pid, o.comm, o.path, v.errno, v.faultKind));
    });
    await writeFile(logPath, memory.records.map((r) => JSON.stringify(r) + '\n').join(''));
    const tracePath = join(dir, 'trace.parquet');
    const writer = await TraceWriter.open({
      path: tracePath,
      wallClockAnchorNs: 1_700_000_000_000_000_000n,
      flushIntervalMs: 0,
    });
    await writer.write(builder.take());
    await writer.close();

    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s));
    expect(await runFaults([logPath, '--trace', tracePath, '--json'])).toBe(0);
    const report = JSON.parse(lines.join('\n'));
    expect(report.total).toBe(3);
    expect(report.byProcess).toEqual([
      expect.objectContaining({ pid: 100, comm: 'sqlite3', count: 2 }),
      expect.objectContaining({ pid: 200, comm: 'logger', count: 1 }),
    ]);
    expect(report.trace.traceRows).toBe(5);
    expect(report.trace.processes).toEqual([
      { pid: 100, comm: 'sqlite3', kind: 'errno', errno: 'EIO', op: 'write', count: 2 },
      { pid: 200, comm: 'logger', kind: 'errno', errno: 'ENOSPC', op: 'write', count: 1 },
    ]);

    lines.length = 0;
    expect(await runFaults([logPath, '--trace', tracePath])).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/100\s+sqlite3\s+errno\s+EIO\s+write\s+2/);
    expect(text).not.toContain('note:');
  });

  it('rejects a missing log and bad usage', async () => {
    await expect(runFaults([join(dir, 'nope.jsonl')])).rejects.toThrow(/no such fault log/);
    await expect(runFaults([])).rejects.toThrow(/missing <fault-log.jsonl>/);
    await expect(runFaults(['a', '--top', 'x'])).rejects.toThrow(/--top: expected an integer >= 1/);
  });
});

function traceRow(
  i: number,
  pid: number,
  comm: string,
  path: string,
  errno: number,
  faultKind: TraceRow['faultKind'],
): TraceRow {
  return {
    seq: BigInt(i),
    op: 'write',
    path,
    path2: null,
    fh: 1n,
    offset: 0n,
    size: 10n,
    bytes: errno ? 0n : 10n,
    errno,
    flags: null,
    mode: null,
    startNs: BigInt(i * 1000),
    endNs: BigInt(i * 1000 + 500),
    durationNs: 500n,
    pid,
    tid: pid,
    uid: 0,
    gid: 0,
    comm,
    faultKind,
    faultErrno: errno || null,
    faultDelayNs: null,
    faultTruncatedTo: null,
    throttleWaitNs: null,
  };
}
