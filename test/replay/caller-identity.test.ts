/**
 * Replay as the recorded caller: run as root, files the trace creates belong to the uid:gid that
 * created them, pre-existing entries to their first caller, and permission checks between
 * callers fall as recorded (a second user's create in the first one's directory is refused).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayBatches } from '../../src/replay/index.js';
import { TraceBatchBuilder } from '../../src/trace/batch.js';
import { CLI, ensureBuilt, rows, tempDir, writeTraceFile, type RowSpec } from './helpers.js';

const ALICE = { uid: 4242, gid: 4242 };
const BOB = { uid: 4343, gid: 4343 };
const O_WRONLY_CREAT = 0o101;

const { dir, cleanup } = tempDir('replay-callers-');
beforeAll(() => {
  ensureBuilt();
  chmodSync(dir, 0o755); // the callers must be able to reach the target, as in a real tree
});
afterAll(() => cleanup());

/** Rows from specs, each with the given caller. */
function traceOf(specs: Array<RowSpec & { who?: { uid: number; gid: number } }>) {
  const built = rows(specs);
  const b = new TraceBatchBuilder(built.length);
  // rows() keeps spec order for equal times; match callers by (op, path, start).
  for (const r of built) {
    const spec = specs.find(
      (s) => s.op === r.op && s.path === r.path && BigInt(Math.round(s.at * 1000)) === r.startNs,
    )!;
    const who = spec.who ?? { uid: 0, gid: 0 };
    b.append({ ...r, uid: who.uid, gid: who.gid });
  }
  return b.take();
}

const SPECS = [
  // /data and /data/old existed before the capture; Alice is the first to work in them.
  { op: 'open' as const, path: '/data/old', tid: 1, at: 10, fh: 1, flags: 0, who: ALICE },
  {
    op: 'read' as const,
    path: '/data/old',
    tid: 1,
    at: 11,
    fh: 1,
    offset: 0,
    size: 100,
    bytes: 100,
    who: ALICE,
  },
  { op: 'release' as const, path: '/data/old', tid: 1, at: 12, fh: 1, who: ALICE },
  { op: 'mkdir' as const, path: '/data/sub', tid: 1, at: 20, mode: 0o755, who: ALICE },
  {
    op: 'create' as const,
    path: '/data/sub/f',
    tid: 1,
    at: 30,
    fh: 2,
    flags: O_WRONLY_CREAT,
    mode: 0o644,
    who: ALICE,
  },
  {
    op: 'write' as const,
    path: '/data/sub/f',
    tid: 1,
    at: 31,
    fh: 2,
    offset: 0,
    size: 10,
    bytes: 10,
    who: ALICE,
  },
  { op: 'release' as const, path: '/data/sub/f', tid: 1, at: 32, fh: 2, who: ALICE },
  // Bob may not create in Alice's 0755 directory: refused in the recording, and in the replay.
  {
    op: 'create' as const,
    path: '/data/sub/bob',
    tid: 2,
    at: 40,
    flags: O_WRONLY_CREAT,
    mode: 0o644,
    errno: 13,
    who: BOB,
  },
  { op: 'mkdir' as const, path: '/rootdir', tid: 3, at: 50, mode: 0o755 },
];

describe('replay as the recorded caller', () => {
  if (process.geteuid?.() !== 0) throw new Error('this test needs root (to act as other users)');

  it('creates as each caller, gives pre-existing entries to their first caller, keeps permission checks', async () => {
    const target = join(dir, 'target');
    const { report } = await replayBatches([traceOf(SPECS)], {
      input: 'callers',
      target,
      out: null,
      timing: 'afap',
    });
    const owner = (p: string) => {
      const st = lstatSync(join(target, p));
      return { uid: st.uid, gid: st.gid };
    };
    expect(report.errors.differences).toEqual([]);
    expect(owner('data')).toEqual(ALICE); // pre-phase directory
    expect(owner('data/old')).toEqual(ALICE); // pre-phase file
    expect(owner('data/sub')).toEqual(ALICE); // mkdir by Alice
    expect(owner('data/sub/f')).toEqual(ALICE); // create by Alice
    expect(owner('rootdir')).toEqual({ uid: 0, gid: 0 });
    expect(report.errors.differing).toBe(0); // Bob's EACCES happened again
  });

  it('not root: runs every op as the invoking user and says so', async () => {
    const trace = await writeTraceFile(join(dir, 'callers.parquet'), [traceOf(SPECS)]);
    chmodSync(trace, 0o644);
    const own = join(dir, 'nobody');
    mkdirSync(own);
    chownSync(own, 65534, 65534);
    const target = join(own, 'target');
    const r = spawnSync(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        process.execPath,
        CLI,
        'replay',
        trace,
        '--target',
        target,
        '--timing',
        'afap',
        '--out',
        join(own, 'replay.parquet'),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).toMatch(
      /not root: every op runs as 65534:65534, so files belong to 65534:65534 .*\(uid:gid 4242:4242, 4343:4343\)/,
    );
    expect(lstatSync(join(target, 'data', 'sub', 'f')).uid).toBe(65534);
  });
});
