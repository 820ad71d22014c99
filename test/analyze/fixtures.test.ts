/**
 * Real traces captured by the recorder (fixtures/): the report must agree exactly with a plain
 * row-by-row recount of the same file.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeTrace } from '../../src/analyze/analyze.js';
import { readAllRows } from '../../src/trace/reader.js';
import { nearestRank } from './helpers.js';

const FIXTURES = ['tar', 'sqlite3', 'git', 'fio'].map((name) =>
  fileURLToPath(new URL(`../../fixtures/${name}.parquet`, import.meta.url)),
);

describe.each(FIXTURES.filter((f) => existsSync(f)))('fixture %s', (file) => {
  it('matches a row-by-row recount: totals, per-op counts, bytes, errors, percentiles, files', async () => {
    const report = await analyzeTrace(file, { top: 1000 });
    const rows = (await readAllRows(file)).filter((r) => r.op !== 'event');
    const num = (v: bigint) => Number(v);
    expect(report.totals.calls).toBe(rows.length);
    expect(report.totals.bytesRead).toBe(
      rows.filter((r) => r.op === 'read').reduce((s, r) => s + num(r.bytes), 0),
    );
    expect(report.totals.bytesWritten).toBe(
      rows
        .filter((r) => r.op === 'write' || r.op === 'copy_file_range')
        .reduce((s, r) => s + num(r.bytes), 0),
    );
    expect(report.totals.errors).toBe(rows.filter((r) => r.errno !== 0).length);
    expect(report.totals.ioTimeNs).toBe(rows.reduce((s, r) => s + num(r.durationNs), 0));

    for (const stats of report.ops) {
      const mine = rows.filter((r) => r.op === stats.op);
      expect(stats.count).toBe(mine.length);
      expect(stats.bytes).toBe(mine.reduce((s, r) => s + num(r.bytes), 0));
      const durations = mine.map((r) => num(r.durationNs));
      expect(stats.latency.exact).toBe(true);
      expect(stats.latency.p50Ns).toBe(nearestRank(durations, 0.5));
      expect(stats.latency.p99Ns).toBe(nearestRank(durations, 0.99));
      expect(stats.latency.maxNs).toBe(Math.max(...durations));
      const errnos: Record<string, number> = {};
      for (const r of mine) if (r.errno) errnos[r.errno] = (errnos[r.errno] ?? 0) + 1;
      expect(Object.values(stats.errorsByErrno).sort()).toEqual(Object.values(errnos).sort());
    }
    expect(report.ops.reduce((s, o) => s + o.count, 0)).toBe(rows.length);

    const byPath = new Map<string, number>();
    for (const r of rows) byPath.set(r.path, (byPath.get(r.path) ?? 0) + 1);
    expect(report.hotFiles.byOps.length).toBe(Math.min(1000, byPath.size));
    for (const entry of report.hotFiles.byOps) expect(entry.ops).toBe(byPath.get(entry.path));

    const byPid = new Map<number, number>();
    for (const r of rows) byPid.set(r.pid, (byPid.get(r.pid) ?? 0) + 1);
    expect(new Map(report.processes.map((p) => [p.pid, p.ops]))).toEqual(byPid);
  });
});

describe('fio fixture access pattern', () => {
  const fio = FIXTURES[3]!;
  it.skipIf(!existsSync(fio))('sees the 2 MiB sequential layout writes, then 4 KiB random I/O', async () => {
    const report = await analyzeTrace(fio);
    for (const path of ['/fx.0.0', '/fx.1.0']) {
      const p = report.accessPatterns.find((a) => a.path === path)!;
      // fio lays each 2 MiB file out with 512 sequential 4 KiB writes, then 1 MiB of random I/O.
      expect(p.reads + p.writes).toBe(768);
      expect(p.sequentialFraction).toBe(512 / 768);
      expect(p.sizeHistogram).toEqual([{ fromBytes: 4096, toBytes: 8192, count: 768 }]);
    }
  });
});
