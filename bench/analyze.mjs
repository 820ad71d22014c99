#!/usr/bin/env node
// node bench/analyze.mjs — how fast `interposer analyze` summarises big traces, against DuckDB
// running the same aggregations over the same Parquet file in the same run.
//
// For each size (ANALYZE_BENCH_ROWS, default "1000000,10000000"): generates a synthetic workload
// (src/analyze/generate.ts), writes it with TraceWriter, then times
//   1. analyzeTrace(file): read + decode + full report (streaming, bounded memory);
//   2. the analyzer alone on generated batches (no Parquet decoding), to split the cost;
//   3. DuckDB (@duckdb/node-api): per-op counts/bytes/errors/exact quantiles, errors by errno,
//      hot files, processes, timeline (ops, bytes, p50/p99 per bucket) and faults, over
//      read_parquet(file). It does not compute concurrency, access patterns or findings.
// Needs the compiled code (npm run build:ts; or ANALYZE_BENCH_DIST=path/to/dist).
// Markdown to stdout; JSON to $BENCH_JSON_OUT when set. Keeps files when ANALYZE_BENCH_KEEP=1.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs } from './fs/cli.mjs';

const DIST = process.env.ANALYZE_BENCH_DIST ?? fileURLToPath(new URL('../dist', import.meta.url));
if (!existsSync(join(DIST, 'analyze/index.js'))) {
  process.stderr.write('bench/analyze.mjs: dist/ is missing: run `npm run build:ts` first\n');
  process.exit(1);
}
const { analyzeTrace, TraceAnalyzer } = await import(join(DIST, 'analyze/index.js'));
const { generateTrace } = await import(join(DIST, 'analyze/generate.js'));
const { TraceWriter } = await import(join(DIST, 'trace/writer.js'));
const { DuckDBInstance } = await import('@duckdb/node-api');

benchArgs(`usage: node bench/analyze.mjs

Times interposer analyze against DuckDB on synthetic traces of ANALYZE_BENCH_ROWS rows
(comma-separated, default 1000000,10000000). Needs npm run build:ts.`);
const SIZES = (process.env.ANALYZE_BENCH_ROWS ?? '1000000,10000000').split(',').map(Number);
const GENERATOR = { seed: 42, faultRate: 0.005, processes: 6, threadsPerProcess: 4, files: 2000 };

function cpuSeconds(since) {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

async function timed(fn) {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  return { result, wallS: (performance.now() - t0) / 1000, cpuS: cpuSeconds(cpu) };
}

async function writeTrace(path, rows) {
  const writer = await TraceWriter.open({ path, wallClockAnchorNs: 0n, flushIntervalMs: 0 });
  for (const batch of generateTrace({ ...GENERATOR, rows })) await writer.write(batch);
  await writer.close();
}

function analyzerOnly(rows) {
  const analyzer = new TraceAnalyzer({});
  let addMs = 0;
  for (const batch of generateTrace({ ...GENERATOR, rows })) {
    const t0 = performance.now();
    analyzer.add(batch);
    addMs += performance.now() - t0;
  }
  const t0 = performance.now();
  const report = analyzer.finish();
  return { seconds: (addMs + performance.now() - t0) / 1000, report };
}

/** The aggregations of the report that SQL expresses directly. */
function duckQueries(file, bucketNs) {
  const src = `read_parquet('${file}')`;
  return {
    ops: `SELECT op, count(*) AS n, sum(bytes) AS bytes, sum(duration_ns) AS time, count(*) FILTER (errno <> 0) AS errors,
            quantile_disc(duration_ns, [0.5, 0.9, 0.99, 0.999]) AS q, max(duration_ns) AS max
          FROM ${src} WHERE op <> 'event' GROUP BY op ORDER BY time DESC`,
    errnos: `SELECT op, errno, count(*) FROM ${src} WHERE errno <> 0 GROUP BY ALL`,
    files: `SELECT path, count(*) AS n, sum(bytes) AS b, sum(duration_ns) AS t FROM ${src}
            GROUP BY path ORDER BY t DESC LIMIT 20`,
    processes: `SELECT pid, any_value(comm), count(*) AS n, sum(bytes), sum(duration_ns) AS t FROM ${src}
                GROUP BY pid ORDER BY t DESC LIMIT 20`,
    timeline: `SELECT start_ns // ${bucketNs} AS b, count(*), sum(bytes) FILTER (op = 'read'),
                 sum(bytes) FILTER (op = 'write'), quantile_disc(duration_ns, [0.5, 0.99])
               FROM ${src} GROUP BY b ORDER BY b`,
    faults: `SELECT fault_kind, count(*), sum(fault_delay_ns), sum(throttle_wait_ns) FROM ${src}
             WHERE fault_kind IS NOT NULL GROUP BY fault_kind`,
  };
}

async function duckdb(file, bucketNs) {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const out = {};
  for (const [name, sql] of Object.entries(duckQueries(file, bucketNs))) {
    out[name] = (await conn.runAndReadAll(sql)).getRows();
  }
  conn.closeSync?.();
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'analyze-bench-'));
const results = [];
try {
  for (const rows of SIZES) {
    const file = join(dir, `trace-${rows}.parquet`);
    const write = await timed(() => writeTrace(file, rows));
    const fileMiB = statSync(file).size / 2 ** 20;
    globalThis.gc?.();
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const ours = await timed(() => analyzeTrace(file));
    clearInterval(sampler);
    const only = analyzerOnly(rows);
    const duck = await timed(() => duckdb(file, ours.result.timeline.bucketNs));
    // Cross-check: both sides count the same rows and bytes.
    const duckCalls = duck.result.ops.reduce((s, r) => s + Number(r[1]), 0);
    const duckBytes = duck.result.ops.reduce((s, r) => s + Number(r[2]), 0);
    const agree =
      duckCalls === ours.result.totals.calls &&
      duckBytes === ours.result.ops.reduce((s, o) => s + o.bytes, 0) &&
      only.report.totals.calls === ours.result.totals.calls;
    results.push({
      rows,
      fileMiB: +fileMiB.toFixed(1),
      writeS: +write.wallS.toFixed(2),
      analyzeS: +ours.wallS.toFixed(2),
      analyzeCpuS: +ours.cpuS.toFixed(2),
      analyzerOnlyS: +only.seconds.toFixed(2),
      duckdbS: +duck.wallS.toFixed(2),
      duckdbCpuS: +duck.cpuS.toFixed(2),
      ratio: +(ours.wallS / duck.wallS).toFixed(2),
      peakRssMiB: Math.round(peakRss / 2 ** 20),
      rowsPerSec: Math.round(rows / ours.wallS),
      countsAgree: agree,
    });
    rmSync(file, { force: true });
  }
} finally {
  if (process.env.ANALYZE_BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
}

const lines = [
  '| rows | file MiB | write s | analyze s (cpu) | analyzer only s | DuckDB s (cpu) | ours/DuckDB | rows/s | peak RSS MiB | counts agree |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|:--|',
  ...results.map(
    (r) =>
      `| ${r.rows.toLocaleString('en-US')} | ${r.fileMiB} | ${r.writeS} | ${r.analyzeS} (${r.analyzeCpuS}) | ${r.analyzerOnlyS} | ` +
      `${r.duckdbS} (${r.duckdbCpuS}) | ${r.ratio}x | ${r.rowsPerSec.toLocaleString('en-US')} | ${r.peakRssMiB} | ${r.countsAgree ? 'yes' : 'NO'} |`,
  ),
];
console.log(lines.join('\n'));
if (process.env.BENCH_JSON_OUT)
  await writeFile(process.env.BENCH_JSON_OUT, JSON.stringify({ analyze: results }, null, 2));
