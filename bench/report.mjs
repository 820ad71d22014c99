#!/usr/bin/env node
// node bench/report.mjs — how big `interposer report` pages get and how long they take to write,
// against `interposer analyze` on the same file in the same run.
//
// For each size (REPORT_BENCH_ROWS, default "1000000,10000000"): generates a synthetic workload
// (src/analyze/generate.ts) with 5,000 files, 8 processes and 0.5% injected faults, writes it with
// TraceWriter, then alternates (A B A B ..., REPORT_BENCH_ROUNDS rounds, default 2):
//   A. analyze: analyzeTrace(file) + formatReportText (what `interposer analyze` does);
//   B. report:  collectTrace(file) (analysis + heatmap, one pass) + traceReportHtml + write.
// Prints the best time of each and their ratio (target: report < 1.5x analyze), the page size
// (target: < 5 MB) and the 1-minute load average at the start and end.
// Needs the compiled code (npm run build:ts). Markdown to stdout; JSON to $BENCH_JSON_OUT.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs } from './fs/cli.mjs';

const DIST = fileURLToPath(new URL('../dist', import.meta.url));
if (!existsSync(join(DIST, 'report/index.js'))) {
  process.stderr.write('bench/report.mjs: dist/ is missing: run `npm run build:ts` first\n');
  process.exit(1);
}
benchArgs(`usage: node bench/report.mjs

Times interposer report against interposer analyze on synthetic traces of REPORT_BENCH_ROWS rows
(comma-separated, default 1000000,10000000), REPORT_BENCH_ROUNDS alternating rounds (default 2).
Needs npm run build:ts.`);

const { analyzeTrace, formatReportText } = await import(join(DIST, 'analyze/index.js'));
const { generateTrace } = await import(join(DIST, 'analyze/generate.js'));
const { TraceWriter } = await import(join(DIST, 'trace/writer.js'));
const { collectTrace, traceReportHtml, writeReportFile } = await import(join(DIST, 'report/index.js'));

const SIZES = (process.env.REPORT_BENCH_ROWS ?? '1000000,10000000').split(',').map(Number);
const ROUNDS = Number(process.env.REPORT_BENCH_ROUNDS ?? 2);
const GENERATOR = { seed: 42, faultRate: 0.005, processes: 8, threadsPerProcess: 4, files: 5000 };
const log = (msg) => process.stderr.write(`bench/report: ${msg}\n`);

async function timed(fn) {
  const t0 = performance.now();
  const result = await fn();
  return { result, seconds: (performance.now() - t0) / 1000 };
}

const dir = mkdtempSync(join(tmpdir(), 'report-bench-'));
const results = [];
const loadBefore = loadavg()[0];
try {
  for (const rows of SIZES) {
    const file = join(dir, `trace-${rows}.parquet`);
    log(`writing ${rows.toLocaleString('en-US')} rows`);
    const writer = await TraceWriter.open({ path: file, wallClockAnchorNs: 0n, flushIntervalMs: 0 });
    for (const batch of generateTrace({ ...GENERATOR, rows })) await writer.write(batch);
    await writer.close();
    const html = join(dir, `report-${rows}.html`);
    const analyzeS = [];
    const reportS = [];
    for (let round = 0; round < ROUNDS; round++) {
      globalThis.gc?.();
      const a = await timed(async () => formatReportText(await analyzeTrace(file)));
      analyzeS.push(a.seconds);
      globalThis.gc?.();
      const r = await timed(async () => writeReportFile(html, traceReportHtml([await collectTrace(file)])));
      reportS.push(r.seconds);
      log(
        `${rows} rows, round ${round + 1}: analyze ${a.seconds.toFixed(2)} s, report ${r.seconds.toFixed(2)} s`,
      );
    }
    const bestA = Math.min(...analyzeS);
    const bestR = Math.min(...reportS);
    results.push({
      rows,
      fileMiB: +(statSync(file).size / 2 ** 20).toFixed(1),
      analyzeS: analyzeS.map((s) => +s.toFixed(2)),
      reportS: reportS.map((s) => +s.toFixed(2)),
      ratio: +(bestR / bestA).toFixed(2),
      reportKiB: Math.round(statSync(html).size / 1024),
    });
    rmSync(file, { force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const loadAfter = loadavg()[0];

const lines = [
  `Load average (1 min): ${loadBefore.toFixed(1)} at start, ${loadAfter.toFixed(1)} at end; best of ${ROUNDS} alternating rounds.`,
  '',
  '| rows | trace MiB | analyze s (rounds) | report s (rounds) | report / analyze (best) | report size |',
  '|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.rows.toLocaleString('en-US')} | ${r.fileMiB} | ${r.analyzeS.join(', ')} | ${r.reportS.join(', ')} | ` +
      `${r.ratio}x | ${r.reportKiB} KiB |`,
  ),
];
console.log(lines.join('\n'));
if (process.env.BENCH_JSON_OUT)
  await writeFile(
    process.env.BENCH_JSON_OUT,
    JSON.stringify({ report: results, loadBefore, loadAfter }, null, 2),
  );
