import { describe, expect, it } from 'vitest';
import type { OpStats } from '../../src/analyze/index.js';
import type { FaultRecord } from '../../src/overlay/fault-log.js';
import type { TraceAggregates } from '../../src/report/collect.js';
import { faultTimeline } from '../../src/report/fault-timeline.js';
import { isKernelRoutine, splitErrors } from '../../src/report/kernel-routine.js';
import { alignOffsets } from '../../src/report/views/sources.js';

function op(
  name: OpStats['op'],
  errors: Record<string, number>,
  injected: Record<string, number> = {},
): OpStats {
  const count = Object.values(errors).reduce((s, v) => s + v, 0);
  return {
    op: name,
    count,
    errors: count,
    bytes: 0,
    totalTimeNs: 0,
    shareOfTime: 0,
    latency: { count, minNs: 0, maxNs: 0, meanNs: 0, p50Ns: 0, p90Ns: 0, p99Ns: 0, p999Ns: 0, exact: true },
    errorsByErrno: errors,
    injectedErrorsByErrno: injected,
    kernelRoutineErrorsByErrno: {},
  };
}

describe('errors: application apart from routine answers', () => {
  it('classifies lookups of missing names and absent xattrs as routine', () => {
    expect(isKernelRoutine('getxattr', 'ENODATA')).toBe(true);
    expect(isKernelRoutine('getattr', 'ENOENT')).toBe(true);
    expect(isKernelRoutine('open', 'ENOENT')).toBe(false);
    expect(isKernelRoutine('write', 'ENOSPC')).toBe(false);
  });

  it('counts an injected failure as an application error even when its errno looks routine', () => {
    const split = splitErrors([
      op('getxattr', { ENODATA: 100 }),
      op('getattr', { ENOENT: 10 }, { ENOENT: 4 }),
      op('write', { ENOSPC: 3 }, { ENOSPC: 3 }),
    ]);
    expect(split.routine).toBe(100);
    expect(split.application).toBe(13);
    expect(split.injected).toBe(7);
    expect(split.entries.map((e) => `${e.op} ${e.errno} ${e.routine}`)).toEqual([
      'getxattr ENODATA true',
      'getattr ENOENT false',
      'write ENOSPC false',
    ]);
  });
});

describe('faultTimeline', () => {
  const record = (
    tNs: number,
    rule: string,
    kind: FaultRecord['kind'],
    extra: Partial<FaultRecord> = {},
  ): FaultRecord => ({
    time: '2026-01-01T00:00:00.000Z',
    timeNs: '0',
    tNs: String(tNs),
    op: 'write',
    path: '/f',
    pid: 1,
    uid: 0,
    gid: 0,
    rule,
    kind,
    ...extra,
  });

  it('bins per rule and counts a sampled throttle record for the ops it stands for', () => {
    const t = faultTimeline([
      record(0, 'r1', 'errno'),
      record(5e8, 'r1', 'errno'),
      record(9.9e8, 'r2', 'throttle', { throttledOps: 40 }),
    ]);
    expect(t.rules).toEqual(['r1 (errno)', 'r2 (throttle)']);
    const sums = t.rules.map((_, r) => t.counts.reduce((s, c) => s + c[r]!, 0));
    expect(sums).toEqual([2, 40]);
    expect(t.counts.length).toBeGreaterThan(50);
    expect(t.counts.length).toBeLessThanOrEqual(101);
  });

  it('is empty for an empty log', () => {
    expect(faultTimeline([]).rules).toEqual([]);
  });
});

describe('several sources on one axis', () => {
  const source = (anchorNs: bigint) => ({ anchorNs }) as TraceAggregates;
  it('offsets each trace by its wall-clock anchor from the earliest', () => {
    expect(alignOffsets([source(5_000_000_000n), source(2_000_000_000n), source(2_500_000_000n)])).toEqual([
      3e9, 0, 5e8,
    ]);
  });
  it('does not guess when an anchor is unknown', () => {
    expect(alignOffsets([source(5n), source(0n)])).toEqual([0, 0]);
  });
});
