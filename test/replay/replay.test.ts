/** End-to-end replays of hand-built and generated traces into fresh directories (real worker threads). */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlayConfigFromFlags } from '../../src/overlay/index.js';
import {
  createContentPool,
  expectedContent,
  replayBatches,
  type ReplayOptions,
} from '../../src/replay/index.js';
import { generateWorkload } from '../../src/replay/workload.js';
import { readAllRows, openTrace } from '../../src/trace/reader.js';
import type { TraceRow } from '../../src/trace/schema.js';
import { batchOf, ensureBuilt, tempDir } from './helpers.js';

const O_RDWR = 2;
let tmp: ReturnType<typeof tempDir>;
let afapTree: Map<string, { size: number; sha: string }> | undefined;
let counter = 0;

beforeAll(() => {
  ensureBuilt();
  tmp = tempDir();
}, 600_000);
afterAll(() => tmp?.cleanup());

function options(extra: Partial<ReplayOptions> = {}): ReplayOptions {
  const n = counter++;
  return {
    input: `test-${n}`,
    target: join(tmp.dir, `target-${n}`),
    out: join(tmp.dir, `replay-${n}.parquet`),
    timing: 'afap',
    ...extra,
  };
}

/** Every regular file under dir: relative path -> size and sha256. */
function treeOf(dir: string): Map<string, { size: number; sha: string }> {
  const out = new Map<string, { size: number; sha: string }>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        out.set('/' + relative(dir, p), {
          size: statSync(p).size,
          sha: createHash('sha256').update(readFileSync(p)).digest('hex'),
        });
      }
    }
  };
  walk(dir);
  return out;
}

function countBy<T>(items: Iterable<T>, key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}

describe.each(['afap', 'original'] as const)('generated workload, --timing %s', (timing) => {
  it('rebuilds the tree, replays every op with the recorded outcome and bytes, and writes a replay trace', async () => {
    const batches = generateWorkload({ ops: 3000, threads: 4, files: 40, seed: 3 });
    const opts = options({ timing });
    const { report, prephase, rowsWritten } = await replayBatches(batches, opts);

    expect(report.partial).toBe(false);
    expect(report.ops).toMatchObject({ recorded: 3000, replayed: 3000, skipped: 0, notRun: 0 });
    expect(report.errors.differing).toBe(0);
    expect(report.bytesDiffer).toBe(0);
    expect(report.bytes.replayedRead).toBe(report.bytes.recordedRead);
    expect(report.bytes.replayedWritten).toBe(report.bytes.recordedWritten);
    expect(prephase.files).toBeGreaterThan(0);

    // Every surviving file holds the deterministic content for its name: each 4 KiB block is
    // that content, or zeros where the trace wrote past the size its reads proved (a hole no
    // recorded read ever looked at). Sizes never exceed what the recording had.
    const pool = createContentPool(false);
    const tree = treeOf(opts.target);
    expect(tree.size).toBeGreaterThan(0);
    for (const [path, { size }] of tree) {
      expect(size, path).toBeLessThanOrEqual(65_536);
      const data = readFileSync(join(opts.target, path));
      const expected = expectedContent(pool, path, size);
      let matching = 0;
      for (let at = 0; at < size; at += 4096) {
        const block = data.subarray(at, at + 4096);
        if (Buffer.compare(block, expected.subarray(at, at + 4096)) === 0) matching++;
        else
          expect(
            block.every((b) => b === 0),
            `${path} block at ${at}`,
          ).toBe(true);
      }
      expect(matching, path).toBeGreaterThan(0);
    }
    if (timing === 'afap') afapTree = tree;
    else expect(tree, 'both timing modes leave the same tree').toEqual(afapTree);

    // The replay trace: same schema, one row per op, same per-op counts and bytes.
    expect(rowsWritten).toBe(3000);
    const trace = await openTrace(opts.out!);
    expect(trace.metadata.keyValue['interposer.source']).toBe('replay');
    expect(trace.metadata.keyValue['interposer.replay.timing']).toBe(timing);
    const replayed = await readAllRows(opts.out!);
    const recorded: TraceRow[] = [];
    for (const b of batches)
      for (let i = 0; i < b.length; i++)
        recorded.push((await import('../../src/trace/batch.js')).rowAt(b, i));
    expect(countBy(replayed, (r) => r.op)).toEqual(countBy(recorded, (r) => r.op));
    const sumBytes = (rs: TraceRow[]) => rs.reduce((s, r) => s + r.bytes, 0n);
    expect(sumBytes(replayed)).toBe(sumBytes(recorded));
    expect(replayed.map((r) => Number(r.seq))).toEqual(replayed.map((_, i) => i));
    if (timing === 'original') {
      // Issued no earlier than planned: the replay never runs ahead of the recorded schedule.
      const lag = report.lagNs!;
      expect(lag.count).toBe(3000);
      expect(report.totalTimeNs.replayed).toBeGreaterThanOrEqual(report.totalTimeNs.recorded * 0.9);
    }
  });
});

describe('dependencies across threads', () => {
  it('keeps the recorded order between threads that depend on each other', async () => {
    // T1 does slow work first, so without dependencies T2 would run ahead and fail with ENOENT.
    const specs = [];
    for (let k = 0; k < 300; k++)
      specs.push({ op: 'getattr' as const, path: '/', tid: 1, at: k * 0.1, end: k * 0.1 + 0.05 });
    specs.push(
      { op: 'create' as const, path: '/a', tid: 1, at: 40, end: 41, fh: 1, flags: O_RDWR, mode: 0o644 },
      { op: 'write' as const, path: '/a', tid: 1, at: 42, end: 43, fh: 1, offset: 0, size: 100, bytes: 100 },
      { op: 'release' as const, path: '/a', tid: 1, at: 44, end: 45, fh: 1 },
      // T2 reads /a (created and written by T1), then creates /b ...
      { op: 'open' as const, path: '/a', tid: 2, at: 50, end: 51, fh: 2, flags: O_RDWR },
      { op: 'read' as const, path: '/a', tid: 2, at: 52, end: 53, fh: 2, offset: 0, size: 100, bytes: 100 },
      { op: 'release' as const, path: '/a', tid: 2, at: 54, end: 55, fh: 2 },
      { op: 'mkdir' as const, path: '/b', tid: 2, at: 56, end: 57, mode: 0o755 },
      // ... which T1 then uses.
      { op: 'getattr' as const, path: '/b', tid: 1, at: 60, end: 61 },
      { op: 'rmdir' as const, path: '/b', tid: 1, at: 62, end: 63 },
    );
    const opts = options();
    const { report } = await replayBatches([batchOf(specs)], opts);
    expect(report.errors.differing).toBe(0);
    const rows = await readAllRows(opts.out!);
    const find = (op: string, path: string, tid: number) =>
      rows.find((r) => r.op === op && r.path === path && r.tid === tid)!;
    expect(find('open', '/a', 2).startNs).toBeGreaterThanOrEqual(find('create', '/a', 1).endNs);
    expect(find('read', '/a', 2).startNs).toBeGreaterThanOrEqual(find('write', '/a', 1).endNs);
    expect(find('read', '/a', 2).bytes).toBe(100n);
    expect(find('getattr', '/b', 1).startNs).toBeGreaterThanOrEqual(find('mkdir', '/b', 2).endNs);
    expect(find('getattr', '/b', 1).errno).toBe(0);
  });
});

describe('handles and failures', () => {
  it('maps a reused fh to the right file and replays expected failures', async () => {
    const opts = options();
    const { report } = await replayBatches(
      [
        batchOf([
          { op: 'open', path: '/x', tid: 1, at: 0, fh: 7, flags: O_RDWR },
          { op: 'read', path: '/x', tid: 1, at: 2, fh: 7, offset: 0, size: 500, bytes: 300 },
          { op: 'release', path: '/x', tid: 1, at: 4, fh: 7 },
          { op: 'create', path: '/y', tid: 1, at: 6, fh: 7, flags: O_RDWR, mode: 0o600 },
          { op: 'write', path: '/y', tid: 1, at: 8, fh: 7, offset: 0, size: 1000, bytes: 1000 },
          { op: 'release', path: '/y', tid: 1, at: 10, fh: 7 },
          { op: 'getattr', path: '/nope', tid: 1, at: 12, errno: 2 },
          { op: 'open', path: '/nope', tid: 1, at: 14, errno: 2, flags: O_RDWR },
          { op: 'unlink', path: '/x', tid: 1, at: 16 },
          { op: 'unlink', path: '/x', tid: 1, at: 18, errno: 2 },
          { op: 'mkdir', path: '/d', tid: 1, at: 20, mode: 0o755 },
          { op: 'mkdir', path: '/d', tid: 1, at: 22, errno: 17, mode: 0o755 },
          { op: 'getxattr', path: '/y', path2: 'user.k', tid: 1, at: 24, errno: 61 },
        ]),
      ],
      opts,
    );
    expect(report.errors.differing).toBe(0);
    expect(report.ops).toMatchObject({ replayed: 12, skipped: 1, skippedByOp: { getxattr: 1 } });
    const rows = await readAllRows(opts.out!);
    expect(rows.find((r) => r.op === 'read')!.bytes).toBe(300n); // pre-phase made /x 300 bytes
    expect(statSync(join(opts.target, 'y')).size).toBe(1000);
    expect(
      rows
        .filter((r) => r.errno === 2)
        .map((r) => r.op)
        .sort(),
    ).toEqual(['getattr', 'open', 'unlink']);
    expect(rows.find((r) => r.op === 'mkdir' && r.errno === 17)).toBeDefined();
  });

  it('reports an outcome that differs from the recording', async () => {
    const opts = options();
    const { report } = await replayBatches(
      [
        batchOf([
          { op: 'mkdir', path: '/m', tid: 1, at: 0, mode: 0o755 },
          { op: 'rmdir', path: '/m', tid: 1, at: 2 },
          // Recorded as a success, impossible after the rmdir: the replay sees ENOENT.
          { op: 'getattr', path: '/m', tid: 1, at: 4 },
        ]),
      ],
      opts,
    );
    expect(report.errors.differing).toBe(1);
    expect(report.errors.differences[0]).toMatchObject({
      op: 'getattr',
      recordedErrno: 0,
      replayedErrno: 2,
      examplePath: '/m',
    });
  });
});

describe('overlay during replay', () => {
  it('injects EIO into reads: fault columns, report and fault log', async () => {
    const batches = generateWorkload({ ops: 500, threads: 2, files: 10, seed: 5 });
    const opts = options({ overlay: overlayConfigFromFlags({ fault: ['op=read,errno=EIO,first=3'] }) });
    const { report } = await replayBatches(batches, opts);
    expect(report.errors.injected).toBe(3);
    expect(report.errors.differing).toBe(0);
    const rows = await readAllRows(opts.out!);
    const faulted = rows.filter((r) => r.faultKind !== null);
    expect(faulted).toHaveLength(3);
    for (const r of faulted)
      expect(r).toMatchObject({ op: 'read', faultKind: 'errno', faultErrno: 5, errno: 5, bytes: 0n });
    const log = readFileSync(`${opts.out}.faults.jsonl`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log).toHaveLength(3);
    expect(log.map((r) => r.kind)).toEqual(['errno', 'errno', 'errno']);
    // The log's capture-relative time is the replay trace's start_ns of the faulted op.
    expect(log.map((r) => BigInt(r.tNs)).sort()).toEqual(faulted.map((r) => r.startNs).sort());
  });
});

describe('corrupting overlay during replay', () => {
  it('a write-corruption fault changes exactly the chosen bytes of the replayed file', async () => {
    const opts = options({ overlay: overlayConfigFromFlags({ fault: ['op=write,corrupt=4,first=1'] }) });
    const { report } = await replayBatches(
      [
        batchOf([
          { op: 'create', path: '/c', tid: 1, at: 0, fh: 1, flags: O_RDWR, mode: 0o644 },
          { op: 'write', path: '/c', tid: 1, at: 2, fh: 1, offset: 0, size: 4096, bytes: 4096 },
          { op: 'release', path: '/c', tid: 1, at: 4, fh: 1 },
        ]),
      ],
      opts,
    );
    expect(report.errors.differing).toBe(0);
    const rows = await readAllRows(opts.out!);
    expect(rows.find((r) => r.op === 'write')!.faultKind).toBe('corrupt');
    const data = readFileSync(join(opts.target, 'c'));
    const expected = expectedContent(createContentPool(false), '/c', 4096);
    let changed = 0;
    for (let i = 0; i < 4096; i++) if (data[i] !== expected[i]) changed++;
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(4);
  });
});
