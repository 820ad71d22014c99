/**
 * The shipped SQL (sql/*.sql) run through embedded DuckDB must give the streaming analyzer's
 * numbers on every fixture, unfiltered and filtered.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeTrace } from '../../src/analyze/analyze.js';
import { KERNEL_ROUTINE_SQL } from '../../src/analyze/kernel-routine.js';
import { analyzeTracesSql, SQL_DIR, SQL_QUERIES } from '../../src/analyze/sql-engine.js';
import type { AnalyzeOptions, Report } from '../../src/analyze/types.js';

const FIXTURES = ['tar', 'sqlite3', 'git', 'fio'].map((name) =>
  fileURLToPath(new URL(`../../fixtures/${name}.parquet`, import.meta.url)),
);

function expectSameAggregates(sql: Report, stream: Report): void {
  expect(sql.meta.engine).toBe('sql');
  expect(sql.totals).toEqual(stream.totals);
  expect(sql.ops.map((o) => o.op)).toEqual(stream.ops.map((o) => o.op));
  for (const [i, o] of stream.ops.entries()) {
    const s = sql.ops[i]!;
    expect(o.latency.exact, o.op).toBe(true); // fixtures are below the sketch limit: exact percentiles
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

describe.each(FIXTURES.filter((f) => existsSync(f)))('sql engine on %s', (file) => {
  it('equals the streaming analyzer', async () => {
    const options: AnalyzeOptions = { top: 1000 };
    expectSameAggregates(await analyzeTracesSql([file], options), await analyzeTrace(file, options));
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

describe('the shipped SQL', () => {
  it('has one file per query, and the trace view uses the kernel-routine rule of kernel-routine.ts', () => {
    for (const name of SQL_QUERIES) expect(existsSync(`${SQL_DIR}${name}.sql`), name).toBe(true);
    const view = readFileSync(`${SQL_DIR}trace_view.sql`, 'utf8');
    expect(view).toContain(KERNEL_ROUTINE_SQL);
  });
});
