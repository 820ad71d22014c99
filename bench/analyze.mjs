#!/usr/bin/env node
// node bench/analyze.mjs — how fast `interposer analyze` summarises big traces, against DuckDB's
// own time for the aggregation issue 16 names, all as whole processes on the same file.
//
// For each size (ANALYZE_BENCH_ROWS, default "1000000,10000000"): generates a synthetic workload
// (src/analyze/generate.ts) written with TraceWriter, then runs, alternating (A B C D A B C D ...,
// ANALYZE_BENCH_ROUNDS rounds, default 2; best of the rounds reported):
//   A. `interposer analyze FILE --json` (stream engine: the full report, one core);
//   B. `interposer analyze FILE --engine sql --json` (the fast plan through embedded DuckDB);
//   C. bench/analyze-duckdb-reference.mjs FILE: DuckDB alone, per-op count/bytes/p50/p99 and the
//      top 20 paths by time;
//   D. bench/analyze-tui.mjs FILE: the TUI's first screen, the aggregates of all rows, and the
//      first and complete reports for a filter (op=read), from process start, in a fresh process;
//   E. the real interposer-tui in a pseudo-terminal (bench/tui-first-paint.mjs): ms until its
//      first screen with a report is drawn.
// Wall time and peak RSS come from /usr/bin/time. Clearing a filter in the TUI shows the kept
// report (nothing is read), so it is not timed.
// Needs the compiled code (npm run build:ts). Markdown to stdout; JSON to $BENCH_JSON_OUT.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs } from './fs/cli.mjs';
import { tuiFirstPaintMs } from './tui-first-paint.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = process.env.ANALYZE_BENCH_DIST ?? join(ROOT, 'dist');
if (!existsSync(join(DIST, 'analyze/index.js'))) {
  process.stderr.write('bench/analyze.mjs: dist/ is missing: run `npm run build:ts` first\n');
  process.exit(1);
}
benchArgs(`usage: node bench/analyze.mjs

Times interposer analyze (stream and sql engines) against DuckDB on synthetic traces of
ANALYZE_BENCH_ROWS rows (comma-separated, default 1000000,10000000). Needs npm run build:ts.`);
const { generateTrace } = await import(join(DIST, 'analyze/generate.js'));
const { TraceWriter } = await import(join(DIST, 'trace/writer.js'));

const SIZES = (process.env.ANALYZE_BENCH_ROWS ?? '1000000,10000000').split(',').map(Number);
const ROUNDS = Number(process.env.ANALYZE_BENCH_ROUNDS ?? 2);
const GENERATOR = { seed: 42, faultRate: 0.005, processes: 6, threadsPerProcess: 4, files: 2000 };
const CLI = join(DIST, 'bin/interposer.js');

async function writeTrace(path, rows) {
  const writer = await TraceWriter.open({ path, wallClockAnchorNs: 0n, flushIntervalMs: 0 });
  for (const batch of generateTrace({ ...GENERATOR, rows })) await writer.write(batch);
  await writer.close();
}

/** Whole process: wall and CPU (user + system) seconds and peak RSS (MiB) from /usr/bin/time, and its stdout. */
function measure(args) {
  const out = join(tmpdir(), `analyze-bench-time-${process.pid}`);
  const r = spawnSync('/usr/bin/time', ['-o', out, '-f', '%e %M %U %S', process.execPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  const [wall, rssKb, user, sys] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  rmSync(out, { force: true });
  const cpuS = +(user + sys).toFixed(2);
  return { wallS: wall, cpuS, rssMiB: Math.round(rssKb / 1024), stdout: r.stdout.toString() };
}

const CASES = {
  stream: (file) => [CLI, 'analyze', file, '--json'],
  sql: (file) => [CLI, 'analyze', file, '--engine', 'sql', '--json'],
  duckdb: (file) => [join(ROOT, 'bench/analyze-duckdb-reference.mjs'), file],
  tui: (file) => [join(ROOT, 'bench/analyze-tui.mjs'), file],
};
const TUI_TIMES = ['firstScreenMs', 'aggregatesMs', 'filterFirstMs', 'filterAllMs'];
const TUI_CLI = join(DIST, 'bin/interposer-tui.js');

const dir = mkdtempSync(join(tmpdir(), 'analyze-bench-'));
const results = [];
const loadBefore = loadavg()[0];
try {
  for (const rows of SIZES) {
    const file = join(dir, `trace-${rows}.parquet`);
    await writeTrace(file, rows);
    const best = {};
    const tui = {};
    const reports = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, args] of Object.entries(CASES)) {
        const m = measure(args(file));
        const b = best[name];
        if (!b || m.wallS < b.wallS)
          best[name] = {
            wallS: m.wallS,
            cpuS: Math.min(m.cpuS, b?.cpuS ?? Infinity),
            rssMiB: Math.max(m.rssMiB, b?.rssMiB ?? 0),
          };
        else {
          b.rssMiB = Math.max(b.rssMiB, m.rssMiB);
          b.cpuS = Math.min(b.cpuS, m.cpuS);
        }
        if (name === 'tui') {
          const t = JSON.parse(m.stdout);
          for (const k of TUI_TIMES) tui[k] = Math.min(tui[k] ?? Infinity, t[k]);
          tui.previewRows = t.previewRows;
        }
        if (name === 'stream' || name === 'sql') reports[name] = JSON.parse(m.stdout);
      }
      tui.paintMs = Math.min(tui.paintMs ?? Infinity, await tuiFirstPaintMs(TUI_CLI, file));
    }
    // The two engines must agree on what both compute (the tests hold them to it exactly).
    const agree = ['calls', 'bytesRead', 'bytesWritten', 'errors', 'ioTimeNs'].every(
      (k) => reports.stream.totals[k] === reports.sql.totals[k],
    );
    results.push({
      rows,
      fileMiB: +(statSync(file).size / 2 ** 20).toFixed(1),
      streamS: best.stream.wallS,
      streamRssMiB: best.stream.rssMiB,
      sqlS: best.sql.wallS,
      sqlRssMiB: best.sql.rssMiB,
      duckdbS: best.duckdb.wallS,
      duckdbRssMiB: best.duckdb.rssMiB,
      sqlOverDuckdb: +(best.sql.wallS / best.duckdb.wallS).toFixed(2),
      streamCpuS: best.stream.cpuS,
      sqlCpuS: best.sql.cpuS,
      duckdbCpuS: best.duckdb.cpuS,
      sqlOverDuckdbCpu: +(best.sql.cpuS / best.duckdb.cpuS).toFixed(2),
      streamOverDuckdb: +(best.stream.wallS / best.duckdb.wallS).toFixed(2),
      tuiRssMiB: best.tui.rssMiB,
      tuiPreviewRows: tui.previewRows,
      tuiPaintMs: tui.paintMs,
      tuiFirstScreenMs: tui.firstScreenMs,
      tuiAggregatesMs: tui.aggregatesMs,
      tuiFilterFirstMs: tui.filterFirstMs,
      tuiFilterAllMs: tui.filterAllMs,
      enginesAgree: agree,
    });
    rmSync(file, { force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const loadAfter = loadavg()[0];

const lines = [
  `load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after; best of ${ROUNDS} alternating rounds`,
  '',
  'Wall seconds (peak RSS MiB) and, in brackets, CPU seconds (user + system), each the best of the rounds:',
  '',
  '| rows | file MiB | stream s (RSS) [CPU] | sql engine s (RSS) [CPU] | DuckDB alone s (RSS) [CPU] | sql/DuckDB wall | sql/DuckDB CPU | stream/DuckDB wall |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.rows.toLocaleString('en-US')} | ${r.fileMiB} | ${r.streamS} (${r.streamRssMiB}) [${r.streamCpuS}] | ` +
      `${r.sqlS} (${r.sqlRssMiB}) [${r.sqlCpuS}] | ${r.duckdbS} (${r.duckdbRssMiB}) [${r.duckdbCpuS}] | ` +
      `${r.sqlOverDuckdb}x | ${r.sqlOverDuckdbCpu}x | ${r.streamOverDuckdb}x |`,
  ),
  '',
  'TUI, ms: first screen drawn by the real program in a 200x50 pty, from spawning it; the rest in',
  'process, from process start (filter: from the key; a preview is of the first rows):',
  '',
  '| rows | first screen drawn | first report ready | all rows aggregated | filter: first screen | filter: all rows | peak RSS MiB |',
  '|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.rows.toLocaleString('en-US')} | ${r.tuiPaintMs} | ${r.tuiFirstScreenMs}${r.tuiPreviewRows ? ` (preview, ${r.tuiPreviewRows.toLocaleString('en-US')} rows)` : ''} | ` +
      `${r.tuiAggregatesMs} | ${r.tuiFilterFirstMs} | ${r.tuiFilterAllMs} | ${r.tuiRssMiB} |`,
  ),
  '',
  `engines agree on totals: ${results.every((r) => r.enginesAgree) ? 'yes' : 'NO'}`,
];
console.log(lines.join('\n'));
if (process.env.BENCH_JSON_OUT)
  await writeFile(
    process.env.BENCH_JSON_OUT,
    JSON.stringify({ analyze: results, loadBefore, loadAfter }, null, 2),
  );
