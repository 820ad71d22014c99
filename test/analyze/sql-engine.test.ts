/**
 * The shipped SQL (sql/*.sql) run through embedded DuckDB must give the streaming analyzer's
 * numbers on every fixture, unfiltered and filtered.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeTrace, analyzeTraces } from '../../src/analyze/analyze.js';
import { generateTrace } from '../../src/analyze/generate.js';
import { KERNEL_ROUTINE_SQL } from '../../src/analyze/kernel-routine.js';
import { EXACT_SAMPLE_LIMIT, LogHistogram } from '../../src/analyze/latency-sketch.js';
import { histogramIndex, slowestFloorNs } from '../../src/analyze/sql-fast.js';
import { analyzeTracesSql, SQL_DIR, SQL_QUERIES, SqlSession } from '../../src/analyze/sql-engine.js';
import type { AnalyzeOptions, Report } from '../../src/analyze/types.js';
import { TraceWriter } from '../../src/trace/writer.js';

const FIXTURES = ['tar', 'sqlite3', 'git', 'fio'].map((name) =>
  fileURLToPath(new URL(`../../fixtures/${name}.parquet`, import.meta.url)),
);

function expectSameAggregates(sql: Report, stream: Report, allExact = true): void {
  expect(sql.meta.engine).toBe('sql');
  expect(sql.totals).toEqual(stream.totals);
  expect(sql.ops.map((o) => o.op)).toEqual(stream.ops.map((o) => o.op));
  for (const [i, o] of stream.ops.entries()) {
    const s = sql.ops[i]!;
    // Fixtures are below the sketch limit (exact percentiles); big traces use the same sketch.
    if (allExact) expect(o.latency.exact, o.op).toBe(true);
    expect(s.latency, o.op).toEqual(o.latency);
    expect({ ...s, latency: null }, o.op).toEqual({ ...o, latency: null });
  }
  expect(sql.processes).toEqual(stream.processes);
  expect(sql.kernelRoutine).toEqual(stream.kernelRoutine);
  expect(sql.syncCalls).toEqual(stream.syncCalls);
  expect(sql.faults.rows).toBe(stream.faults.rows);
  expect(sql.faults.byKind).toEqual(stream.faults.byKind);
  expect(sql.faults.costNs).toBe(stream.faults.costNs);
  // Hot files: the same numbers per path (ties may be ordered differently at the cut).
  const byPath = new Map(sql.hotFiles.byTime.map((e) => [e.path, e]));
  for (const e of stream.hotFiles.byTime) {
    if (byPath.has(e.path)) expect(byPath.get(e.path)).toEqual(e);
  }
  expect(sql.hotFiles.byTime[0]?.timeNs).toBe(stream.hotFiles.byTime[0]?.timeNs);
  // Timeline: same buckets and counts; percentiles exact in SQL, within the sketch's bound in ours.
  expect(sql.timeline.bucketNs).toBe(stream.timeline.bucketNs);
  expect(sql.timeline.buckets.length).toBe(stream.timeline.buckets.length);
  const bound = stream.meta.timelineRelativeErrorBound;
  stream.timeline.buckets.forEach((b, i) => {
    const s = sql.timeline.buckets[i]!;
    expect([s.startNs, s.ops, s.readBytes, s.writeBytes, s.errors, s.faults]).toEqual([
      b.startNs,
      b.ops,
      b.readBytes,
      b.writeBytes,
      b.errors,
      b.faults,
    ]);
    expect(Math.abs(b.p99Ns - s.p99Ns)).toBeLessThanOrEqual(Math.ceil(bound * s.p99Ns) + 1);
  });
}

/** What the fast plan adds over the portable queries: equal to the stream analyzer's too. */
function expectSameExtras(sql: Report, stream: Report): void {
  expect(sql.meta.relativeErrorBound).toBe(stream.meta.relativeErrorBound);
  expect(sql.meta.timelineRelativeErrorBound).toBe(stream.meta.timelineRelativeErrorBound);
  // The fast plan's timeline percentiles come from the stream's own sketch: equal, not just close.
  expect(sql.timeline.buckets.map((b) => [b.p50Ns, b.p99Ns])).toEqual(
    stream.timeline.buckets.map((b) => [b.p50Ns, b.p99Ns]),
  );
  expect(sql.latencyHistograms).toEqual(stream.latencyHistograms);
  expect(sql.slowest.map((c) => c.durationNs)).toEqual(stream.slowest.map((c) => c.durationNs));
  const bySeq = new Map(stream.slowest.map((c) => [`${c.seq}`, c]));
  for (const c of sql.slowest) if (bySeq.has(`${c.seq}`)) expect(c).toEqual(bySeq.get(`${c.seq}`));
  expect(sql.markers).toEqual(stream.markers);
  expect(sql.faults).toEqual(stream.faults);
  for (const list of ['byOps', 'byBytes', 'byTime'] as const) {
    const byPath = new Map(sql.hotDirectories[list].map((e) => [e.path, e]));
    expect(sql.hotDirectories[list].length, list).toBe(stream.hotDirectories[list].length);
    for (const e of stream.hotDirectories[list])
      if (byPath.has(e.path)) expect(byPath.get(e.path)).toEqual(e);
  }
}

describe.each(FIXTURES.filter((f) => existsSync(f)))('sql engine on %s', (file) => {
  it('equals the streaming analyzer', async () => {
    const options: AnalyzeOptions = { top: 1000 };
    const stream = await analyzeTrace(file, options);
    const fast = await analyzeTracesSql([file], options);
    expectSameAggregates(fast, stream);
    expectSameExtras(fast, stream);
  });

  it('the portable queries of sql/*.sql equal it too', async () => {
    const options: AnalyzeOptions = { top: 1000 };
    expectSameAggregates(
      await analyzeTracesSql([file], { ...options, portable: true }),
      await analyzeTrace(file, options),
    );
  });

  it('equals it under a filter (ops, path glob, time range)', async () => {
    const stream0 = await analyzeTrace(file);
    const mid = BigInt(Math.floor(stream0.totals.lastEndNs / 2));
    const options: AnalyzeOptions = {
      top: 1000,
      filter: { ops: ['read', 'write', 'getattr', 'fsync'], pathGlob: '**', fromNs: 0n, toNs: mid },
    };
    expectSameAggregates(await analyzeTracesSql([file], options), await analyzeTrace(file, options));
  });
});

describe('sql engine on a trace past the exact-sample limit', () => {
  let dir = '';
  let file = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sql-engine-'));
    file = join(dir, 'big.parquet');
    const writer = await TraceWriter.open({ path: file, wallClockAnchorNs: 0n, flushIntervalMs: 0 });
    // Small row groups, so the preview below can stop early.
    for (const batch of generateTrace({
      rows: 120_000,
      seed: 7,
      faultRate: 0.01,
      files: 300,
      batchRows: 8192,
    }))
      await writer.write(batch);
    await writer.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("gives the stream analyzer's sketched percentiles, histograms and timeline exactly", async () => {
    const options: AnalyzeOptions = { top: 50 };
    const stream = await analyzeTrace(file, options);
    const fast = await analyzeTracesSql([file], options);
    expect(stream.ops.some((o) => o.count > EXACT_SAMPLE_LIMIT && !o.latency.exact)).toBe(true);
    expect(stream.ops.some((o) => o.latency.exact)).toBe(true);
    expectSameAggregates(fast, stream, false);
    expectSameExtras(fast, stream);
  });

  it('and under a filter', async () => {
    const options: AnalyzeOptions = {
      top: 50,
      filter: { ops: ['read', 'write', 'getattr'], pathGlob: 'data/**/file1*' },
    };
    const stream = await analyzeTrace(file, options);
    expect(stream.totals.calls).toBeGreaterThan(0);
    const fast = await analyzeTracesSql([file], options);
    expectSameAggregates(fast, stream, false);
    expectSameExtras(fast, stream);
  });

  it('a report whose signal aborts stops (its query interrupted), and the session goes on', async () => {
    const session = await SqlSession.open([file]);
    try {
      const controller = new AbortController();
      const running = session.report({}, undefined, controller.signal);
      controller.abort();
      await expect(running).rejects.toThrow(/abort/i);
      expect((await session.report({})).totals.rows).toBe(120_000);
    } finally {
      session.close();
    }
  });

  it('a session previews the first rows, then reports the whole run', async () => {
    const session = await SqlSession.open([file]);
    try {
      expect(session.rowsTotal).toBe(120_000);
      const preview = await session.report({}, 20_000);
      expect(preview.totals.rowsScanned).toBe(20_000);
      expect(preview.totals.rows).toBe(20_000);
      const full = await session.report({});
      expect(full.totals.rows).toBe(120_000);
      expect(preview.totals.calls).toBeLessThan(full.totals.calls);
    } finally {
      session.close();
    }
  });
});

describe('sql session over several traces', () => {
  it('narrows to a source filter given per report, aligned like the stream analyzer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sql-sources-'));
    try {
      for (const [node, fixture] of [
        ['a', 'git'],
        ['b', 'tar'],
      ]) {
        mkdirSync(join(dir, `node=${node}`));
        copyFileSync(
          fileURLToPath(new URL(`../../fixtures/${fixture}.parquet`, import.meta.url)),
          join(dir, `node=${node}`, 'trace.parquet'),
        );
      }
      const session = await SqlSession.open([dir]);
      try {
        for (const sourceFilter of [undefined, { node: 'a' }, { node: 'b' }]) {
          const options = { top: 1000, ...(sourceFilter ? { sourceFilter } : {}) };
          const stream = await analyzeTraces([dir], options);
          const sql = await session.report(options);
          expect(sql.totals, JSON.stringify(sourceFilter)).toEqual(stream.totals);
          expect(sql.sources).toEqual(stream.sources);
        }
        await expect(session.report({ sourceFilter: { node: 'c' } })).rejects.toThrow(/no trace matches/);
      } finally {
        session.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('histogramIndex (the SQL side of LogHistogram.indexOf)', () => {
  it('agrees with indexOf for (floor(log2 d), mantissa), and repairs a logarithm rounded up', () => {
    for (const subBits of [4, 7]) {
      const h = new LogHistogram(subBits, 0);
      for (const d of [
        0,
        1,
        2,
        15,
        16,
        17,
        127,
        128,
        129,
        255,
        256,
        1000,
        123_456_789,
        2 ** 40 - 1,
        2 ** 50 + 3,
      ]) {
        const e = d < 1 ? 0 : Math.floor(Math.log2(d));
        const m = Math.floor(d / 2 ** Math.max(e - subBits, 0));
        expect(histogramIndex(subBits, e, m), `${subBits} ${d}`).toBe(h.indexOf(d));
      }
      // d = 2^49 - 1 with log2 rounded up to 49: m then lacks its top bit.
      const d = 2 ** 49 - 1;
      expect(histogramIndex(subBits, 49, Math.floor(d / 2 ** (49 - subBits)))).toBe(h.indexOf(d));
    }
  });
});

describe('slowestFloorNs (which rows the slowest-calls query reads)', () => {
  it('is at or below the top-th longest call, counted over every op, and undefined for fewer calls', () => {
    const durations = [
      [5, 1_000, 1_001, 250_000, 9_000_000],
      [7, 1_003, 1_004, 260_000, 8_999_999, 9_000_000],
    ];
    const ops = durations.map((ds) => {
      const h = new LogHistogram(7, 0);
      for (const d of ds) h.record(d);
      return h;
    });
    const all = durations.flat().sort((a, b) => b - a);
    for (let top = 1; top <= all.length; top++) {
      const floor = slowestFloorNs(ops, top)!;
      expect(floor, `top ${top}`).toBeLessThanOrEqual(all[top - 1]!);
      // The floor is a bucket's low end: within the histogram's precision of the top-th call.
      expect(floor, `top ${top}`).toBeGreaterThan(all[top - 1]! * (1 - 1 / 128));
    }
    expect(slowestFloorNs(ops, all.length + 1)).toBeUndefined();
  });
});

describe('the shipped SQL', () => {
  it('has one file per query, and the trace view uses the kernel-routine rule of kernel-routine.ts', () => {
    for (const name of SQL_QUERIES) expect(existsSync(`${SQL_DIR}${name}.sql`), name).toBe(true);
    const view = readFileSync(`${SQL_DIR}trace_view.sql`, 'utf8');
    expect(view).toContain(KERNEL_ROUTINE_SQL);
  });
});
