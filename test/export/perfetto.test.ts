import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { exportTrace } from '../../src/export/export.js';
import { LANE_TID_BASE, LaneAllocator } from '../../src/export/lanes.js';
import { KERNEL_TRACK_NAME, PerfettoEncoder } from '../../src/export/perfetto.js';
import { selectRows } from '../../src/export/filter.js';
import { memorySink } from '../../src/export/sink.js';
import { openTrace, readAllRows } from '../../src/trace/reader.js';
import type { TraceRow } from '../../src/trace/schema.js';
import { ANCHOR_NS, batchesOf, completionOrdered, tempDir, writeTrace, type RowSpec } from './helpers.js';
import {
  eventsOf,
  toNs,
  validateTraceDocument,
  type TraceDocument,
  type TraceEvent,
} from './trace-events.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const { dir, cleanup } = tempDir();
afterAll(cleanup);

async function exportJson(input: string, extra: Partial<Parameters<typeof exportTrace>[0]> = {}) {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  const result = await exportTrace({ format: 'perfetto', input, output: out, ...extra });
  const doc = JSON.parse(readFileSync(out, 'utf8')) as TraceDocument;
  return { result, doc };
}

/** Encodes rows directly (no file), in batches of `batchRows`, as the exporter does. */
async function encodeRows(rows: readonly TraceRow[], batchRows: number): Promise<TraceDocument> {
  const sink = memorySink();
  const encoder = new PerfettoEncoder(sink, {
    clock: 'relative',
    wallClockAnchorNs: ANCHOR_NS,
    traceMetadata: {},
  });
  await encoder.begin();
  for (const batch of batchesOf(rows, batchRows)) await encoder.writeBatch(batch, selectRows(batch, {}));
  await encoder.end({});
  return JSON.parse(sink.text()) as TraceDocument;
}

const bySeq = (events: TraceEvent[]) => new Map(events.map((e) => [String(e.args?.seq), e]));

/** Every row has exactly one slice with its op, times, path and caller's process. */
function expectOneSlicePerRow(doc: TraceDocument, rows: readonly TraceRow[]): void {
  const slices = eventsOf(doc, 'X');
  expect(slices.length).toBe(rows.filter((r) => r.op !== 'event').length);
  const index = bySeq(slices);
  expect(index.size).toBe(slices.length);
  for (const row of rows) {
    if (row.op === 'event') continue;
    const e = index.get(row.seq.toString());
    expect(e, `slice for seq ${row.seq}`).toBeDefined();
    expect(e!.name).toBe(row.op);
    expect(toNs(e!.ts)).toBe(Number(row.startNs));
    expect(toNs(e!.dur!)).toBe(Number(row.endNs - row.startNs));
    expect(e!.args?.path).toBe(row.path);
    expect(e!.pid).toBe(row.pid === 0 || row.tid === 0 ? 0 : row.pid);
  }
}

describe('Perfetto export of the fixture traces', () => {
  for (const name of ['tar', 'sqlite3', 'git', 'fio']) {
    it(`${name}: valid trace-event JSON with one slice per row`, async () => {
      const input = join(FIXTURES, `${name}.parquet`);
      const rows = await readAllRows(input);
      const { result, doc } = await exportJson(input);
      expect(validateTraceDocument(doc)).toEqual([]);
      expect(doc.displayTimeUnit).toBe('ns');
      expect(result.rowsExported).toBe((await openTrace(input)).numRows);
      expectOneSlicePerRow(doc, rows);
      expect(result.perfetto!.operations + result.perfetto!.markers).toBe(rows.length);

      // Processes are named after the command, the no-caller rows go to the kernel track.
      const processNames = new Map(
        eventsOf(doc, 'M')
          .filter((e) => e.name === 'process_name')
          .map((e) => [e.pid, e.args!.name]),
      );
      for (const row of rows.filter((r) => r.pid !== 0 && r.tid !== 0 && r.comm !== null)) {
        expect(processNames.has(row.pid)).toBe(true);
      }
      if (rows.some((r) => r.pid === 0)) expect(processNames.get(0)).toBe(KERNEL_TRACK_NAME);
      expect(doc.metadata?.['interposer.wall_clock_anchor_ns']).toBeDefined();
    });
  }

  it('errno names, fh and byte counts are in the args', async () => {
    const { doc } = await exportJson(join(FIXTURES, 'fio.parquet'));
    const slices = eventsOf(doc, 'X');
    const failed = slices.find((e) => e.args?.errno === 2);
    expect(failed?.args?.errno_name).toBe('ENOENT');
    const read = slices.find((e) => e.name === 'read' && Number(e.args?.bytes) > 0);
    expect(read?.args).toMatchObject({
      fh: expect.any(Number),
      offset: expect.any(Number),
      size: expect.any(Number),
    });
  });
});

describe('faults and markers', () => {
  const specs: RowSpec[] = [
    { op: 'open', path: '/db', fh: 3n, start: 1_000, duration: 500, pid: 10, comm: 'pg' },
    {
      op: 'read',
      path: '/db',
      fh: 3n,
      offset: 0n,
      size: 4096n,
      errno: 5,
      start: 2_000,
      duration: 300,
      pid: 10,
      comm: 'pg',
      faultKind: 'errno',
      faultErrno: 5,
    },
    {
      op: 'write',
      path: '/db',
      fh: 3n,
      offset: 0n,
      size: 4096n,
      bytes: 4096n,
      start: 3_000,
      duration: 50_000,
      pid: 10,
      tid: 11,
      comm: 'pg',
      faultKind: 'delay',
      faultDelayNs: 40_000n,
    },
    {
      op: 'read',
      path: '/db',
      fh: 3n,
      offset: 0n,
      size: 4096n,
      bytes: 1000n,
      start: 60_000,
      duration: 700,
      pid: 10,
      comm: 'pg',
      faultKind: 'truncate',
      faultTruncatedTo: 1000n,
    },
    {
      op: 'event',
      path: 'rules-changed',
      path2: 'delay 40us on write',
      start: 55_000,
      duration: 0,
      pid: 0,
      tid: 0,
      comm: null,
    },
    { op: 'release', path: '/db', fh: 3n, start: 70_000, duration: 100, pid: 0, tid: 0, comm: null },
  ];
  const rows = completionOrdered(specs);

  it('injected faults become thread instants on the op, markers global instants', async () => {
    const input = join(dir, 'faults.parquet');
    await writeTrace(input, rows, 2);
    const { result, doc } = await exportJson(input);
    expect(validateTraceDocument(doc)).toEqual([]);
    expectOneSlicePerRow(doc, rows);
    expect(result.perfetto).toMatchObject({ operations: 5, markers: 1, faults: 3, overlapLanes: 0 });

    const instants = eventsOf(doc, 'i');
    const faults = instants.filter((e) => e.s === 't');
    expect(faults.map((e) => e.name).sort()).toEqual(['fault:delay', 'fault:errno', 'fault:truncate']);
    const slices = bySeq(eventsOf(doc, 'X'));
    for (const f of faults) {
      const slice = slices.get(String(f.args?.seq))!;
      // On the faulted op's track, inside its slice.
      expect([f.pid, f.tid, f.ts]).toEqual([slice.pid, slice.tid, slice.ts]);
      expect(slice.args?.fault_kind).toBe(f.name.slice('fault:'.length));
    }
    expect(faults.find((e) => e.name === 'fault:errno')!.args).toMatchObject({
      op: 'read',
      path: '/db',
      fault_errno: 5,
      fault_errno_name: 'EIO',
    });
    expect(faults.find((e) => e.name === 'fault:delay')!.args).toMatchObject({
      fault_delay_ns: 40_000,
      op: 'write',
    });
    expect(faults.find((e) => e.name === 'fault:truncate')!.args).toMatchObject({ fault_truncated_to: 1000 });

    const [marker, ...others] = instants.filter((e) => e.s === 'g');
    expect(others).toEqual([]);
    expect(marker).toMatchObject({
      name: 'rules-changed',
      cat: 'marker',
      ts: 55,
      args: { detail: 'delay 40us on write' },
    });
  });

  it('wall clock timestamps are anchor + start_ns, exact in the text', async () => {
    const input = join(dir, 'faults-wall.parquet');
    await writeTrace(input, rows);
    const out = join(dir, 'wall.json');
    await exportTrace({ format: 'perfetto', input, output: out, clock: 'wall' });
    const text = readFileSync(out, 'utf8');
    // anchor 1795625940476123456 ns + start 1000 ns = 1795625940476124.456 µs
    expect(text).toContain('"name":"open","cat":"fs","ph":"X","ts":1795625940476124.456,');
    expect(validateTraceDocument(JSON.parse(text))).toEqual([]);
  });

  it('--op and --from/--to select rows', async () => {
    const input = join(dir, 'faults-filter.parquet');
    await writeTrace(input, rows);
    const reads = await exportJson(input, { filter: { ops: ['read'] } });
    expect(eventsOf(reads.doc, 'X').map((e) => e.name)).toEqual(['read', 'read']);
    const window = await exportJson(input, { filter: { fromNs: 2_000n, toNs: 60_000n } });
    expect(eventsOf(window.doc, 'X').map((e) => e.args?.seq)).toEqual(
      rows
        .filter((r) => r.startNs >= 2_000n && r.startNs < 60_000n && r.op !== 'event')
        .map((r) => Number(r.seq)),
    );
    expect(window.result.rowsExported).toBe(3); // read@2us, write@3us, marker@55us
  });
});

describe('operations overlapping on one track', () => {
  // Read-ahead on one thread (async reads) and concurrent releases with no caller.
  const specs: RowSpec[] = [
    { op: 'read', start: 0, duration: 1_000, tid: 7, pid: 7 },
    { op: 'read', start: 100, duration: 2_000, tid: 7, pid: 7 },
    { op: 'read', start: 200, duration: 300, tid: 7, pid: 7 },
    { op: 'read', start: 2_500, duration: 10, tid: 7, pid: 7 },
    { op: 'release', start: 50, duration: 5_000, pid: 0, tid: 0, comm: null },
    { op: 'release', start: 60, duration: 100, pid: 0, tid: 0, comm: null },
    { op: 'flush', start: 70, duration: 100, pid: 9, tid: 0, comm: null },
  ];
  const rows = completionOrdered(specs);

  it('go to extra lanes, never partially overlapping, in any batch window', async () => {
    for (const batchRows of [1, 2, 3, rows.length]) {
      const doc = await encodeRows(rows, batchRows);
      expect(validateTraceDocument(doc), `batchRows ${batchRows}`).toEqual([]);
      expectOneSlicePerRow(doc, rows);
      const lanes = eventsOf(doc, 'M').filter((e) => e.tid >= LANE_TID_BASE);
      expect(lanes.length).toBeGreaterThan(0);
      for (const lane of lanes) expect(String(lane.args?.name)).toMatch(/overlapping ops, lane \d/);
    }
  });

  it('ops that touch (end = next start) never look overlapping after Perfetto truncates µs', async () => {
    // 264131.307 µs * 1000 truncates to 264131306 ns, 1 ns before the first op's end.
    const touching = completionOrdered([
      { op: 'write', start: 263_334_281, duration: 797_026, pid: 3 },
      { op: 'write', start: 264_131_307, duration: 10, pid: 3 },
    ]);
    const doc = await encodeRows(touching, 2);
    expect(validateTraceDocument(doc)).toEqual([]);
    expect(new Set(eventsOf(doc, 'X').map((e) => e.tid)).size).toBe(2);
  });

  it('with epoch timestamps, ops closer than the timestamps resolve go to separate lanes', async () => {
    const close = completionOrdered([
      { op: 'write', start: 1_000_000, duration: 5_000, pid: 3 },
      { op: 'write', start: 1_005_100, duration: 5_000, pid: 3 }, // 100 ns after the first
      { op: 'write', start: 1_020_000, duration: 5_000, pid: 3 }, // 10 µs after the second
    ]);
    const sink = memorySink();
    const encoder = new PerfettoEncoder(sink, {
      clock: 'wall',
      wallClockAnchorNs: ANCHOR_NS,
      traceMetadata: {},
    });
    await encoder.begin();
    for (const batch of batchesOf(close, 8)) await encoder.writeBatch(batch, selectRows(batch, {}));
    await encoder.end({});
    const doc = JSON.parse(sink.text()) as TraceDocument;
    expect(validateTraceDocument(doc, { exactTimes: false })).toEqual([]);
    expect(eventsOf(doc, 'X').map((e) => e.tid)).toEqual([3, LANE_TID_BASE, 3]);
  });

  it('a whole window sorted by start needs only as many lanes as ops in flight', async () => {
    const doc = await encodeRows(rows, rows.length);
    const tracksOf = (pid: number) =>
      new Set(
        eventsOf(doc, 'X')
          .filter((e) => e.pid === pid)
          .map((e) => e.tid),
      );
    expect(tracksOf(7).size).toBe(3); // three reads in flight at t=200
    expect(tracksOf(0).size).toBe(3); // the flush (pid 9, tid 0) joins the two releases
  });

  it('any arrival order and window size: valid, complete, nothing on the wrong process', async () => {
    const spec = fc.record({
      start: fc.integer({ min: 0, max: 10_000 }),
      duration: fc.integer({ min: 0, max: 3_000 }),
      pid: fc.constantFrom(0, 5, 6),
      tid: fc.constantFrom(0, 5, 6, 66),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(spec, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        async (specs, batchRows, shuffle) => {
          let rows = completionOrdered(specs.map((s) => ({ ...s, op: 'read' as const })));
          if (shuffle) rows = [...rows].reverse(); // worst case: newest first
          const doc = await encodeRows(rows, batchRows);
          expect(validateTraceDocument(doc)).toEqual([]);
          expectOneSlicePerRow(doc, rows);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('LaneAllocator', () => {
  it('reuses the first lane that is free and adds lanes only when needed', () => {
    const lanes = new LaneAllocator();
    const { track, created } = lanes.track(1, 2);
    expect(created).toBe(true);
    expect(lanes.place(track, 0, 10).lane.tid).toBe(2);
    expect(lanes.place(track, 11, 20).lane.tid).toBe(2);
    const extra = lanes.place(track, 15, 30);
    expect(extra).toMatchObject({ created: true, lane: { pid: 1, tid: LANE_TID_BASE, index: 1 } });
    expect(lanes.place(track, 21, 25).lane.tid).toBe(2);
    expect(lanes.place(track, 31, 32).lane.tid).toBe(2);
    expect(lanes.extraLaneCount).toBe(1);
    // Touching slices get a lane each: viewers truncate µs to ns and could see them overlap.
    expect(lanes.place(track, 32, 40).lane.tid).toBe(LANE_TID_BASE);
    expect(lanes.place(track, 40, 41).lane.tid).toBe(2);
    expect(lanes.track(1, 2).created).toBe(false);
  });
});
