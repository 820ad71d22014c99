import { describe, expect, it } from 'vitest';
import { computeSchedule } from '../../src/replay/dependencies.js';
import { resolveHandles } from '../../src/replay/handles.js';
import { buildPlan, type ReplayPlan } from '../../src/replay/plan.js';
import { requiredTree } from '../../src/replay/tree-requirements.js';
import { batchOf, type RowSpec } from './helpers.js';

const O_RDWR = 2;
const O_TRUNC = 0o1000;

async function planOf(specs: RowSpec[]): Promise<ReplayPlan> {
  return buildPlan([batchOf(specs)], specs.length);
}

/** Op index (start order) of the spec with this label (specs carry a unique `at`). */
function indexAt(plan: ReplayPlan, atUs: number): number {
  const i = plan.startNs.findIndex((s) => s === (atUs - firstAt) * 1000);
  if (i < 0) throw new Error(`no op at ${atUs}`);
  return i;
}
let firstAt = 0;

function depsOf(plan: ReplayPlan, i: number): number[] {
  const s = computeSchedule(plan, resolveHandles(plan));
  return Array.from(s.deps.subarray(s.depStart[i]!, s.depStart[i + 1]!)).sort((a, b) => a - b);
}

describe('plan', () => {
  it('orders ops by recorded start and keeps the recorded seq', async () => {
    firstAt = 10;
    const plan = await planOf([
      { op: 'getattr', path: '/b', tid: 1, at: 20, end: 21 },
      { op: 'getattr', path: '/a', tid: 2, at: 10, end: 30 },
    ]);
    expect(Array.from(plan.startNs)).toEqual([0, 10_000]);
    expect(plan.paths[plan.path[0]!]).toBe('/a');
    expect(Array.from(plan.seq)).toEqual([1, 0]); // /a completed last
  });
});

describe('handles', () => {
  it('maps a reused fh to the open that completed before each use', async () => {
    firstAt = 0;
    const plan = await planOf([
      { op: 'open', path: '/a', tid: 1, at: 0, end: 1, fh: 5, flags: O_RDWR },
      { op: 'read', path: '/a', tid: 1, at: 2, end: 3, fh: 5, offset: 0, size: 10, bytes: 10 },
      { op: 'release', path: '/a', tid: 1, at: 4, end: 5, fh: 5 },
      { op: 'open', path: '/b', tid: 1, at: 6, end: 7, fh: 5, flags: O_RDWR },
      { op: 'write', path: '/b', tid: 1, at: 8, end: 9, fh: 5, offset: 0, size: 10, bytes: 10 },
      { op: 'release', path: '/b', tid: 1, at: 10, end: 11, fh: 5 },
    ]);
    const h = resolveHandles(plan);
    expect(h.count).toBe(2);
    expect(Array.from(h.slotOf)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(plan.paths[h.slotPath[1]!]).toBe('/b');
  });

  it('gives an fh without a recorded open an orphan slot on its path', async () => {
    firstAt = 0;
    const plan = await planOf([
      { op: 'read', path: '/old', tid: 1, at: 0, fh: 9, offset: 0, size: 4, bytes: 4 },
    ]);
    const h = resolveHandles(plan);
    expect(h.count).toBe(1);
    expect(h.slotOpener[0]).toBe(-1);
    expect(plan.paths[h.slotPath[0]!]).toBe('/old');
  });
});

describe('required tree', () => {
  it('creates what is used before being created, sized by the reads, and nothing else', async () => {
    firstAt = 0;
    const plan = await planOf([
      { op: 'open', path: '/d/data', tid: 1, at: 0, fh: 1, flags: O_RDWR },
      { op: 'read', path: '/d/data', tid: 1, at: 2, fh: 1, offset: 4096, size: 4096, bytes: 1000 },
      { op: 'write', path: '/d/data', tid: 1, at: 4, fh: 1, offset: 8192, size: 100, bytes: 100 },
      // reads what the trace itself wrote: needs no bigger pre-existing file
      { op: 'read', path: '/d/data', tid: 1, at: 6, fh: 1, offset: 8192, size: 100, bytes: 100 },
      { op: 'release', path: '/d/data', tid: 1, at: 8, fh: 1 },
      { op: 'getattr', path: '/gone', tid: 1, at: 10, errno: 2 },
      { op: 'create', path: '/new/file', tid: 2, at: 12, fh: 2, flags: O_RDWR, mode: 0o644 },
      { op: 'release', path: '/new/file', tid: 2, at: 14, fh: 2 },
      { op: 'opendir', path: '/e', tid: 2, at: 16, fh: 3 },
      { op: 'releasedir', path: '/e', tid: 2, at: 18, fh: 3 },
      { op: 'rename', path: '/x', path2: '/y', tid: 2, at: 20 },
      { op: 'getattr', path: '/y', tid: 2, at: 22 },
      { op: 'mkdir', path: '/exists', tid: 2, at: 24, errno: 17 },
      { op: 'readlink', path: '/link', tid: 2, at: 26 },
    ]);
    const req = requiredTree(plan, resolveHandles(plan));
    const byPath = Object.fromEntries(req.map((r) => [r.path, r]));
    expect(Object.keys(byPath).sort()).toEqual(['/d', '/d/data', '/e', '/exists', '/link', '/new', '/x']);
    expect(byPath['/d/data']).toMatchObject({ kind: 'file', size: 5096 });
    expect(byPath['/d']!.kind).toBe('dir');
    expect(byPath['/e']!.kind).toBe('dir');
    expect(byPath['/new']!.kind).toBe('dir');
    expect(byPath['/exists']!.kind).toBe('dir');
    expect(byPath['/link']!.kind).toBe('symlink');
    expect(byPath['/x']!.kind).toBe('file');
    // parents come before children
    expect(req.findIndex((r) => r.path === '/d')).toBeLessThan(req.findIndex((r) => r.path === '/d/data'));
  });

  it('an O_TRUNC open means earlier content does not matter', async () => {
    firstAt = 0;
    const plan = await planOf([
      { op: 'open', path: '/t', tid: 1, at: 0, fh: 1, flags: O_RDWR | O_TRUNC },
      { op: 'read', path: '/t', tid: 1, at: 2, fh: 1, offset: 0, size: 4096, bytes: 0 },
    ]);
    expect(requiredTree(plan, resolveHandles(plan))).toEqual([{ path: '/t', kind: 'file', size: 0 }]);
  });
});

describe('dependencies', () => {
  it("waits for another thread's create, and its writes that completed before a read started", async () => {
    firstAt = 0;
    const plan = await planOf([
      { op: 'create', path: '/f', tid: 1, at: 0, end: 10, fh: 1, flags: O_RDWR, mode: 0o644 },
      { op: 'write', path: '/f', tid: 1, at: 20, end: 30, fh: 1, offset: 0, size: 10, bytes: 10 },
      { op: 'open', path: '/f', tid: 2, at: 40, end: 50, fh: 2, flags: O_RDWR },
      { op: 'read', path: '/f', tid: 2, at: 60, end: 70, fh: 2, offset: 0, size: 10, bytes: 10 },
      // overlaps T2's read: concurrent in the trace, so no order is imposed
      { op: 'write', path: '/f', tid: 1, at: 65, end: 75, fh: 1, offset: 0, size: 10, bytes: 10 },
    ]);
    expect(depsOf(plan, indexAt(plan, 40))).toEqual([indexAt(plan, 0)]);
    expect(depsOf(plan, indexAt(plan, 60))).toEqual([indexAt(plan, 20)]);
    expect(depsOf(plan, indexAt(plan, 65))).toEqual([]);
  });

  it('an unlink waits for reads of the file other threads finished before it', async () => {
    firstAt = 0;
    const plan = await planOf([
      { op: 'getattr', path: '/g', tid: 1, at: 0, end: 5 },
      { op: 'getattr', path: '/g', tid: 2, at: 1, end: 6 },
      { op: 'unlink', path: '/g', tid: 3, at: 10, end: 12 },
      { op: 'getattr', path: '/g', tid: 1, at: 20, end: 21, errno: 2 },
    ]);
    expect(depsOf(plan, indexAt(plan, 10))).toEqual([indexAt(plan, 0), indexAt(plan, 1)]);
    expect(depsOf(plan, indexAt(plan, 20))).toEqual([indexAt(plan, 10)]);
  });

  it('same-thread order is implicit, and every dependency points to an earlier start', async () => {
    firstAt = 0;
    const specs: RowSpec[] = [];
    for (let k = 0; k < 60; k++) {
      specs.push({
        op: k % 3 === 0 ? 'mkdir' : 'getattr',
        path: `/p${k % 5}`,
        tid: 1 + (k % 4),
        at: k * 10,
        end: k * 10 + 15,
      });
    }
    const plan = await planOf(specs);
    const s = computeSchedule(plan, resolveHandles(plan));
    for (let i = 0; i < plan.n; i++) {
      for (let k = s.depStart[i]!; k < s.depStart[i + 1]!; k++) {
        const d = s.deps[k]!;
        expect(d).toBeLessThan(i);
        expect(plan.tid[d]).not.toBe(plan.tid[i]);
        expect(plan.endNs[d]!).toBeLessThanOrEqual(plan.startNs[i]!);
      }
    }
    expect(s.streamCount).toBe(4);
  });
});

describe('defined ranges (what the trace wrote itself)', () => {
  it('merges writes and finds the pre-existing size a read needs', async () => {
    const { DefinedRanges } = await import('../../src/replay/tree-requirements.js');
    const r = new DefinedRanges();
    r.add(100, 200);
    r.add(300, 400);
    r.add(200, 250); // adjacent: merges with [100, 200)
    expect(r.neededFor(120, 240)).toBe(0); // all written by the trace
    expect(r.neededFor(50, 150)).toBe(100); // [50, 100) must pre-exist
    expect(r.neededFor(260, 280)).toBe(280); // a hole between writes
    expect(r.neededFor(260, 350)).toBe(300);
    r.add(0, Infinity); // truncate to 0
    expect(r.neededFor(0, 1e9)).toBe(0);
  });
});
