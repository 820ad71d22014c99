import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/commands/analyze.js';
import { InputError, UsageError } from '../../src/cli/errors.js';
import { TraceFormatError } from '../../src/trace/reader.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { batchesOf, completionOrder, type RowSpec } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MS = 1_000_000;

const rowsA: RowSpec[] = [
  { op: 'open', path: '/data/a.db', fh: 1, pid: 10, comm: 'pg', start: 0, duration: 20_000 },
  ...Array.from({ length: 8 }, (_, i) => ({
    op: 'read' as const,
    path: '/data/a.db',
    fh: 1,
    offset: i * 4096,
    size: 4096,
    bytes: 4096,
    pid: 10,
    comm: 'pg',
    start: (i + 1) * MS,
    duration: (i + 1) * 10_000,
  })),
  {
    op: 'write',
    path: '/logs/x.log',
    fh: 2,
    offset: 0,
    size: 100,
    bytes: 100,
    pid: 20,
    start: 2 * MS,
    duration: 5_000,
  },
  { op: 'getattr', path: '/missing', errno: 2, pid: 20, start: 3 * MS, duration: 1_000 },
];
const rowsB: RowSpec[] = rowsA.map((r) => ({ ...r, duration: r.duration * 3 }));

let dir: string;
let traceA: string;
let traceB: string;

async function writeTrace(path: string, rows: RowSpec[]) {
  const writer = await TraceWriter.open({
    path,
    wallClockAnchorNs: 1_700_000_000_000_000_000n,
    flushIntervalMs: 0,
  });
  for (const batch of batchesOf(completionOrder(rows), 4)) await writer.write(batch);
  await writer.close();
}

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    out += `${args.join(' ')}\n`;
  });
  try {
    const code = await run(argv);
    return { code, out };
  } finally {
    spy.mockRestore();
    log.mockRestore();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'analyze-cli-'));
  traceA = join(dir, 'a.parquet');
  traceB = join(dir, 'b.parquet');
  await writeTrace(traceA, rowsA);
  await writeTrace(traceB, rowsB);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('interposer analyze', () => {
  it('prints a JSON report with exact counts from the file', async () => {
    const { code, out } = await capture([traceA, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.meta).toMatchObject({
      source: traceA,
      schemaVersion: 1,
      wallClockAnchorNs: '1700000000000000000',
    });
    expect(report.totals).toMatchObject({ calls: 11, bytesRead: 8 * 4096, bytesWritten: 100, errors: 1 });
    const read = report.ops.find((o: { op: string }) => o.op === 'read');
    expect(read.latency).toMatchObject({
      count: 8,
      p50Ns: 40_000,
      p99Ns: 80_000,
      maxNs: 80_000,
      exact: true,
    });
    expect(report.accessPatterns[0]).toMatchObject({
      path: '/data/a.db',
      sequentialFraction: 1,
      pattern: 'sequential',
    });
  });

  it('applies filters and the bucket width', async () => {
    const { out } = await capture([
      traceA,
      '--json',
      '--op',
      'read,write',
      '--path',
      'data/**',
      '--from',
      '2ms',
      '--to',
      '5ms',
      '--bucket',
      '1ms',
    ]);
    const report = JSON.parse(out);
    // Reads starting at 2, 3 and 4 ms on /data/a.db.
    expect(report.totals).toMatchObject({ calls: 3, bytesRead: 3 * 4096 });
    expect(report.timeline).toMatchObject({ bucketNs: MS, originNs: 2 * MS });
    expect(report.timeline.buckets.map((b: { ops: number }) => b.ops)).toEqual([1, 1, 1]);
    const byPid = JSON.parse((await capture([traceA, '--json', '--pid', '20'])).out);
    expect(byPid.totals.calls).toBe(2);
  });

  it('prints a text report that fits 100 columns', async () => {
    const { out } = await capture([traceA]);
    expect(out).toContain(`Trace ${traceA}`);
    expect(out).toContain('11 calls over');
    expect(out).toContain('\nSlowest calls\n');
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('--engine sql gives the same numbers, and the text says what it leaves out', async () => {
    const stream = JSON.parse((await capture([traceA, '--json'])).out);
    const sql = JSON.parse((await capture([traceA, '--json', '--engine', 'sql'])).out);
    expect(sql.meta.engine).toBe('sql');
    expect(sql.totals).toEqual(stream.totals);
    expect(sql.ops).toEqual(stream.ops);
    expect(sql.slowest).toEqual(stream.slowest);
    expect(sql.accessPatterns).toEqual([]);
    const text = (await capture([traceA, '--engine', 'sql', '--width', '100'])).out;
    expect(text).toContain('engine: sql');
    expect(text).toContain('--engine stream');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('diffs two traces', async () => {
    const text = (await capture([traceA, '--diff', traceB])).out;
    expect(text).toContain('p99 read 3.0x higher: 80 µs -> 240 µs');
    const json = JSON.parse((await capture([traceA, '--diff', traceB, '--json'])).out);
    expect(json.diff.totals.ioTimeNs.ratio).toBeCloseTo(3, 12);
    expect(json.a.totals.calls).toBe(11);
    expect(json.b.totals.calls).toBe(11);
  });

  it('rejects bad flags with usage errors', async () => {
    await expect(run([traceA, '--op', 'frobnicate'])).rejects.toThrow(UsageError);
    await expect(run([traceA, '--from', 'later'])).rejects.toThrow(/--from: expected a duration/);
    await expect(run([traceA, '--from', '3s', '--to', '1s'])).rejects.toThrow(/after --from/);
    await expect(run([])).rejects.toThrow(/missing <trace.parquet>/);
    await expect(run([traceA, '--bogus'])).rejects.toThrow(UsageError);
    await expect(run([traceA, '--engine', 'fast'])).rejects.toThrow(/must be stream or sql/);
    await expect(run([traceA, '--source', 'podweb'])).rejects.toThrow(/not key=value/);
    expect((await capture(['--help'])).out).toContain('usage: interposer analyze');
  });

  it('reports missing files as InputError and corrupt ones as TraceFormatError (exit 1)', async () => {
    const missing = await run([join(dir, 'nope.parquet')]).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InputError);
    expect((missing as InputError).exitCode).toBe(1);
    expect((missing as InputError).message).toBe(`${join(dir, 'nope.parquet')}: no such trace file`);
    const junk = join(dir, 'junk.parquet');
    writeFileSync(junk, Buffer.from('this is not a parquet file at all, just text'));
    const err = await run([junk]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TraceFormatError);
    expect((err as TraceFormatError).exitCode).toBe(1);
  });

  it('exits 1 with the message alone when run as a command', () => {
    const result = spawnSync(
      join(ROOT, 'node_modules/.bin/vite-node'),
      [join(ROOT, 'src/cli/interposer.ts'), 'analyze', join(dir, 'nope.parquet')],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`interposer analyze: ${join(dir, 'nope.parquet')}: no such trace file\n`);
    expect(result.stderr).not.toContain('    at ');
  }, 130_000);
});
