import { describe, expect, it } from 'vitest';
import {
  HEATMAP_ROWS,
  HeatmapAccumulator,
  latencyRowLowerBoundNs,
  latencyRowOf,
} from '../../src/report/heatmap.js';
import { TraceBatchBuilder } from '../../src/trace/batch.js';
import type { TraceRow } from '../../src/trace/schema.js';

function row(seq: number, startNs: number, durationNs: number, extra: Partial<TraceRow> = {}): TraceRow {
  return {
    seq: BigInt(seq),
    op: 'read',
    path: '/f',
    path2: null,
    fh: null,
    offset: null,
    size: null,
    bytes: 0n,
    errno: 0,
    startNs: BigInt(startNs),
    endNs: BigInt(startNs + durationNs),
    durationNs: BigInt(durationNs),
    pid: 1,
    tid: 1,
    uid: 0,
    gid: 0,
    comm: null,
    flags: null,
    mode: null,
    faultKind: null,
    faultErrno: null,
    faultDelayNs: null,
    faultTruncatedTo: null,
    throttleWaitNs: null,
    ...extra,
  };
}

function batchOf(rows: TraceRow[]) {
  const b = new TraceBatchBuilder(Math.max(1, rows.length));
  for (const r of rows) b.append(r);
  return b.take();
}

const total = (counts: number[][]) => counts.flat().reduce((s, v) => s + v, 0);

describe('latency rows', () => {
  it('puts two rows in each power of two and clamps both ends', () => {
    expect(latencyRowOf(0)).toBe(0);
    expect(latencyRowOf(100)).toBe(0);
    expect(latencyRowOf(256)).toBe(0);
    expect(latencyRowOf(2 ** 9)).toBe(2);
    expect(latencyRowOf(2 ** 9.5)).toBe(3);
    expect(latencyRowOf(1e15)).toBe(HEATMAP_ROWS - 1);
    for (const d of [300, 5_000, 123_456, 9e8]) {
      const r = latencyRowOf(d);
      expect(latencyRowLowerBoundNs(r)).toBeLessThanOrEqual(d);
      expect(latencyRowLowerBoundNs(r + 1)).toBeGreaterThan(d);
    }
  });
});

describe('HeatmapAccumulator', () => {
  it('counts every call once, skips marker rows, keeps only the rows in use', () => {
    const h = new HeatmapAccumulator();
    h.add(
      batchOf([
        row(0, 0, 1_000),
        row(1, 500_000, 1_000),
        row(2, 2_500_000, 1_000_000),
        row(3, 2_600_000, 0, { op: 'event', path: 'overlay' }),
      ]),
    );
    const m = h.finish();
    expect(total(m.counts)).toBe(3);
    expect(m.columnNs).toBe(1e6);
    expect(m.columns).toBe(3);
    expect(m.counts[0]!.reduce((s, v) => s + v, 0)).toBe(2);
    expect(m.rowEdgesNs[0]).toBeLessThanOrEqual(1_000);
    expect(m.rowEdgesNs.at(-1)).toBeGreaterThan(1_000_000);
    expect(m.maxCount).toBe(2);
  });

  it('doubles its columns as the span grows, keeping every count', () => {
    const h = new HeatmapAccumulator(undefined, 8);
    const rows = Array.from({ length: 1000 }, (_, i) => row(i, i * 1e6, 1_000 + i));
    for (let i = 0; i < rows.length; i += 100) h.add(batchOf(rows.slice(i, i + 100)));
    const m = h.finish();
    expect(total(m.counts)).toBe(1000);
    expect(m.columns).toBeLessThanOrEqual(8);
    expect(m.columns * m.columnNs).toBeGreaterThanOrEqual(1000e6);
    expect(m.columnNs).toBe(128e6);
  });

  it('honours the analyzer filter (ops, time, pids, path glob)', () => {
    const rows = [
      row(0, 0, 1_000, { op: 'write', path: '/a.db' }),
      row(1, 1e6, 1_000, { op: 'read', path: '/a.db', pid: 7 }),
      row(2, 2e6, 1_000, { op: 'read', path: '/b.log' }),
      row(3, 3e6, 1_000, { op: 'read', path: '/a.db' }),
    ];
    const count = (filter: ConstructorParameters<typeof HeatmapAccumulator>[0]) => {
      const h = new HeatmapAccumulator(filter);
      h.add(batchOf(rows));
      return total(h.finish().counts);
    };
    expect(count({ ops: ['read'] })).toBe(3);
    expect(count({ pathGlob: '*.db' })).toBe(3);
    expect(count({ pids: [7] })).toBe(1);
    expect(count({ fromNs: 1_000_000n, toNs: 3_000_000n })).toBe(2);
  });

  it('is empty without calls', () => {
    const m = new HeatmapAccumulator().finish();
    expect(m.columns).toBe(0);
    expect(m.counts).toEqual([]);
  });
});
