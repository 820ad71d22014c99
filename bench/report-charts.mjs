#!/usr/bin/env node
/* global document, requestAnimationFrame -- page.evaluate callbacks run in the browser */
// node bench/report-charts.mjs — which way to draw the report's charts, by measurement: the
// report's hand-written SVG (drawn in Node at generation time) against uPlot and Chart.js drawing
// the same charts in the browser from inlined JSON. Same aggregates for all: those of a synthetic
// trace of REPORT_CHARTS_ROWS rows (default 10,000,000; the aggregates have a fixed size: about
// 100 timeline buckets and <= 64 histogram buckets per op, whatever the row count).
//
// Charts compared: one latency histogram per op (up to 12) and the two time series (throughput:
// 2 lines; IOPS: 3 lines). The heatmap is not part of the comparison (neither library has one
// built in). Measured per page, in Debian's headless Chromium, ROUNDS rounds alternating
// (ours, uPlot, Chart.js, ours, ...): inlined bytes (library + data + chart code, or our SVG),
// and the time from navigation to the second animation frame after the load event (charts
// built and painted). Also lists the minified bundle sizes of ECharts and Observable Plot (+d3)
// from their npm packages, which were not rendered.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchArgs } from './fs/cli.mjs';

const DIST = fileURLToPath(new URL('../dist', import.meta.url));
if (!existsSync(join(DIST, 'report/index.js'))) {
  process.stderr.write('bench/report-charts.mjs: dist/ is missing: run `npm run build:ts` first\n');
  process.exit(1);
}
benchArgs(`usage: node bench/report-charts.mjs

Compares the report's SVG charts with uPlot and Chart.js (size, render time in Chromium) on the
aggregates of a REPORT_CHARTS_ROWS-row synthetic trace (default 10000000).`);

const { chromium } = await import('playwright-core');
const { generateTrace } = await import(join(DIST, 'analyze/generate.js'));
const { TraceWriter } = await import(join(DIST, 'trace/writer.js'));
const { collectTrace } = await import(join(DIST, 'report/index.js'));
const { latencyHistogram } = await import(join(DIST, 'report/charts/histogram.js'));
const { timeSeries } = await import(join(DIST, 'report/charts/lines.js'));
const { formatBytes } = await import(join(DIST, 'analyze/units.js'));

const ROWS = Number(process.env.REPORT_CHARTS_ROWS ?? 10_000_000);
const ROUNDS = Number(process.env.REPORT_CHARTS_ROUNDS ?? 5);
const log = (msg) => process.stderr.write(`bench/report-charts: ${msg}\n`);
const dir = mkdtempSync(join(tmpdir(), 'report-charts-'));

/** A file of an installed package (their exports maps hide dist/ from require.resolve). */
function read(path) {
  return readFileSync(fileURLToPath(new URL(`../node_modules/${path}`, import.meta.url)), 'utf8');
}

/** The chart data every variant draws: histograms per op and two multi-line time series. */
function chartData(report) {
  const tl = report.timeline;
  const hist = report.latencyHistograms.slice(0, 12).map((h) => ({
    op: h.op,
    x: h.buckets.map((b) => b.fromNs),
    y: h.buckets.map((b) => b.count),
  }));
  const t = tl.buckets.map((b) => b.startNs / 1e9);
  return {
    hist,
    t,
    read: tl.buckets.map((b) => b.readBytesPerSec),
    write: tl.buckets.map((b) => b.writeBytesPerSec),
    ops: tl.buckets.map((b) => b.opsPerSec),
    errors: tl.buckets.map((b) => (b.errors * 1e9) / tl.bucketNs),
    faults: tl.buckets.map((b) => (b.faults * 1e9) / tl.bucketNs),
  };
}

const PAGE = (head, body) =>
  `<!doctype html><html><head><meta charset="utf-8"><style>body{font:12px sans-serif;margin:20px;width:960px}
.h{display:inline-block;width:460px;height:210px;margin:4px}.t{width:940px;height:230px}</style>${head}</head><body>${body}</body></html>`;

function oursPage(agg) {
  const r = agg.report;
  const hist = r.ops.slice(0, 12).map((o) => {
    const h = r.latencyHistograms.find((x) => x.op === o.op);
    return latencyHistogram(o.op, h?.buckets ?? [], [
      { label: 'p50', valueNs: o.latency.p50Ns },
      { label: 'p99', valueNs: o.latency.p99Ns },
    ]);
  });
  const series = (field, name, slot) => ({
    name,
    slot,
    bucketNs: r.timeline.bucketNs,
    startsNs: r.timeline.buckets.map((b) => b.startNs),
    values: r.timeline.buckets.map((b) => b[field]),
  });
  const lines = [
    timeSeries([series('readBytesPerSec', 'read', 0), series('writeBytesPerSec', 'write', 1)], {
      label: 'throughput',
      yLabel: 'bytes/s',
      format: formatBytes,
    }),
    timeSeries(
      [series('opsPerSec', 'ops', 4), series('opsPerSec', 'errors', 3), series('opsPerSec', 'faults', 6)],
      {
        label: 'iops',
        yLabel: 'ops/s',
        format: String,
      },
    ),
  ];
  const css =
    '<style>svg{display:block;width:460px;float:left}.line{fill:none;stroke:#2563eb}.bar{fill:#2563eb}.hover{fill:transparent}</style>';
  return PAGE(css, [...hist, ...lines].join(''));
}

function uplotPage(data) {
  const code = `
const D = JSON.parse(document.getElementById('d').textContent);
const bars = uPlot.paths.bars({ size: [0.9, 100] });
for (const h of D.hist) {
  const el = document.createElement('div'); el.className = 'h'; document.body.appendChild(el);
  new uPlot({ width: 460, height: 210, title: h.op, scales: { x: { time: false, distr: 3 } },
    series: [{}, { label: 'calls', fill: '#2563eb', stroke: '#2563eb', paths: bars, points: { show: false } }] },
    [h.x, h.y], el);
}
const stepped = uPlot.paths.stepped({ align: 1 });
const line = (label, stroke) => ({ label, stroke, paths: stepped, points: { show: false } });
for (const [title, cols] of [['throughput', [['read', D.read, '#2563eb'], ['write', D.write, '#ea580c']]],
                            ['iops', [['ops', D.ops, '#7c3aed'], ['errors', D.errors, '#dc2626'], ['faults', D.faults, '#a16207']]]]) {
  const el = document.createElement('div'); document.body.appendChild(el);
  new uPlot({ width: 940, height: 230, title, scales: { x: { time: false } }, series: [{}, ...cols.map(([n, , c]) => line(n, c))] },
    [D.t, ...cols.map(([, v]) => v)], el);
}`;
  return PAGE(
    `<style>${read('uplot/dist/uPlot.min.css')}</style><script>${read('uplot/dist/uPlot.iife.min.js')}</script>`,
    `<script type="application/json" id="d">${JSON.stringify(data)}</script><script>${code}</script>`,
  );
}

function chartjsPage(data) {
  const code = `
const D = JSON.parse(document.getElementById('d').textContent);
Chart.defaults.animation = false;
const canvas = (cls) => { const d = document.createElement('div'); d.className = cls; const c = document.createElement('canvas'); d.appendChild(c); document.body.appendChild(d); return c; };
for (const h of D.hist) {
  new Chart(canvas('h'), { type: 'bar', data: { labels: h.x.map((v) => v < 1e3 ? v + ' ns' : v < 1e6 ? (v / 1e3).toFixed(1) + ' µs' : (v / 1e6).toFixed(1) + ' ms'),
    datasets: [{ label: h.op, data: h.y, backgroundColor: '#2563eb' }] }, options: { responsive: true, maintainAspectRatio: false } });
}
for (const [title, cols] of [['throughput', [['read', D.read, '#2563eb'], ['write', D.write, '#ea580c']]],
                            ['iops', [['ops', D.ops, '#7c3aed'], ['errors', D.errors, '#dc2626'], ['faults', D.faults, '#a16207']]]]) {
  new Chart(canvas('h t'), { type: 'line', data: { labels: D.t.map((v) => v.toFixed(2) + ' s'),
    datasets: cols.map(([label, v, c]) => ({ label, data: v, borderColor: c, stepped: true, pointRadius: 0, borderWidth: 1.5 })) },
    options: { responsive: true, maintainAspectRatio: false, plugins: { title: { display: true, text: title } } } });
}`;
  return PAGE(
    `<script>${read('chart.js/dist/chart.umd.min.js')}</script>`,
    `<script type="application/json" id="d">${JSON.stringify(data)}</script><script>${code}</script>`,
  );
}

async function renderMs(context, file) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const ms = await page.evaluate(
    () =>
      new Promise((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now()))),
      ),
  );
  const drawn = await page.evaluate(() => document.querySelectorAll('svg, canvas').length);
  await page.screenshot({ path: file.replace(/\.html$/, '.png'), fullPage: true });
  await page.close();
  if (errors.length) throw new Error(`${file}: ${errors.join('; ')}`);
  return { ms, drawn };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const trace = join(dir, 'trace.parquet');
  log(`writing ${ROWS.toLocaleString('en-US')} rows`);
  const writer = await TraceWriter.open({ path: trace, wallClockAnchorNs: 0n, flushIntervalMs: 0 });
  for (const batch of generateTrace({ rows: ROWS, seed: 42, faultRate: 0.005, processes: 8, files: 5000 }))
    await writer.write(batch);
  await writer.close();
  const agg = await collectTrace(trace);
  rmSync(trace);
  const data = chartData(agg.report);
  const variants = [
    ['hand-written SVG (ours)', oursPage(agg), 0],
    [
      'uPlot',
      uplotPage(data),
      Buffer.byteLength(read('uplot/dist/uPlot.iife.min.js')) +
        Buffer.byteLength(read('uplot/dist/uPlot.min.css')),
    ],
    ['Chart.js', chartjsPage(data), Buffer.byteLength(read('chart.js/dist/chart.umd.min.js'))],
  ].map(([name, html, libBytes]) => {
    const file = join(dir, `${name.split(' ')[0].replace(/\W/g, '')}.html`);
    writeFileSync(file, html);
    return { name, file, bytes: Buffer.byteLength(html), libBytes, times: [], drawn: 0 };
  });
  const profile = mkdtempSync(join(tmpdir(), 'report-charts-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    viewport: { width: 1000, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const loadBefore = loadavg()[0];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const v of variants) {
        const { ms, drawn } = await renderMs(context, v.file);
        v.times.push(ms);
        v.drawn = drawn;
      }
      log(
        `round ${round + 1}: ${variants.map((v) => `${v.name} ${v.times.at(-1).toFixed(0)} ms`).join(', ')}`,
      );
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  const loadAfter = loadavg()[0];
  const ours = median(variants[0].times);
  const lines = [
    `Aggregates of ${ROWS.toLocaleString('en-US')} rows; ${variants[0].drawn} charts per page; median of ${ROUNDS} alternating rounds in headless Chromium; load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}.`,
    '',
    '| drawing | library (min) | page | render ms (median) | vs ours |',
    '|---|---:|---:|---:|---:|',
    ...variants.map(
      (v) =>
        `| ${v.name} | ${Math.round(v.libBytes / 1024)} KiB | ${Math.round(v.bytes / 1024)} KiB | ${median(v.times).toFixed(0)} | ${(median(v.times) / ours).toFixed(2)}x |`,
    ),
    '| ECharts 5.6 (not rendered) | 1,010 KiB (echarts.min.js; 459 KiB "simple") | | | |',
    '| Observable Plot 0.6 + d3 7 (not rendered) | 204 + 274 KiB | | | |',
  ];
  console.log(lines.join('\n'));
  if (process.env.BENCH_JSON_OUT)
    writeFileSync(
      process.env.BENCH_JSON_OUT,
      JSON.stringify(
        variants.map(({ name, bytes, libBytes, times }) => ({ name, bytes, libBytes, times })),
        null,
        2,
      ),
    );
} finally {
  if (process.env.REPORT_CHARTS_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  else log(`pages kept in ${dir}`);
}
