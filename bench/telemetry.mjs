#!/usr/bin/env node
/**
 * node bench/telemetry.mjs — what telemetry costs per batch of 64k trace rows (the recorder's
 * batch size), for: telemetry off (createTelemetry returns null), metrics only (aggregation +
 * the JSONL snapshot reader), spans at 1% and at 100% head sampling (real OTLP http/protobuf
 * exporter posting to a discarding HTTP sink on loopback, so serialization and HTTP count).
 *
 * Batches go back to back, yielding to the event loop between them (as the recorder does), and
 * the clock stops after shutdown() has flushed everything. Prints rows/s, ms per batch spent
 * inside onBatch() (the hot-path cost), rows/s ratio to "off", and spans exported vs dropped by
 * the span queue. Options: --batches N (default 40), --rows N per batch (default 65536).
 * Markdown to stdout; JSON to $BENCH_JSON_OUT when set. Bundles the TypeScript sources with
 * esbuild, so no build is needed.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs } from './fs/cli.mjs';
import { loadSources } from './fs/load-sources.mjs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = benchArgs(
  `usage: node bench/telemetry.mjs [--batches N (40)] [--rows N (65536)]

CPU cost of telemetry per batch of trace rows: off, metrics only, spans at 1% and 100%.`,
  { batches: { type: 'string', default: '40' }, rows: { type: 'string', default: '65536' } },
);
const BATCHES = Number(args.batches);
const ROWS = Number(args.rows);
const loadModules = () =>
  loadSources(ROOT, 'telemetry', [
    'src/telemetry/index.ts',
    "{ SyntheticTrace } from './src/trace/synthetic.ts'",
  ]);

/** An OTLP/HTTP endpoint that reads and discards request bodies. */
async function startSink() {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    get requests() {
      return requests;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Wraps the real OTLP exporter to count what reaches it (the rest was dropped by the queue). */
async function countingOtlpExporter() {
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  const inner = new OTLPTraceExporter();
  const counter = { exported: 0 };
  const exporter = {
    export(spans, done) {
      counter.exported += spans.length;
      inner.export(spans, done);
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
  return { exporter, counter };
}

const m = await loadModules();
const synthetic = new m.SyntheticTrace({ seed: 7 });
// A pool of distinct batches (distinct seqs), cycled: generating rows is not what we measure.
const pool = Array.from({ length: Math.min(BATCHES, 8) }, () => synthetic.next(ROWS));
const anchor = BigInt(Date.now()) * 1_000_000n;
const sink = await startSink();
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = sink.endpoint;
const dir = mkdtempSync(join(tmpdir(), 'interposer-bench-telemetry-'));

const scenarios = [
  { name: 'off (null)', options: () => ({ wallClockAnchorNs: anchor }) },
  {
    name: 'metrics only',
    options: () => ({
      wallClockAnchorNs: anchor,
      metrics: { otlp: false, snapshotFile: join(dir, 'm.jsonl') },
    }),
  },
  { name: 'spans 1%', spans: 0.01 },
  { name: 'spans 100%', spans: 1 },
  { name: 'metrics + spans 1%', spans: 0.01, metrics: true },
];

/** Runs `scenario` over `batches` batches; returns CPU and wall measurements. */
async function run(scenario, batches = BATCHES) {
  let counter = null;
  let options;
  if (scenario.options) options = scenario.options();
  else {
    const counting = await countingOtlpExporter();
    counter = counting.counter;
    options = {
      wallClockAnchorNs: anchor,
      spans: { ratio: scenario.spans },
      logs: false,
      exporters: { spans: counting.exporter },
      ...(scenario.metrics ? { metrics: { otlp: false, snapshotFile: join(dir, 'm2.jsonl') } } : {}),
    };
  }
  const telemetry = await m.createTelemetry(options);
  // CPU time (user + system) as well as wall time: CPU time is what telemetry takes from the
  // recorder, and it is far less disturbed than wall time by other processes on a shared machine.
  const cpuMicros = (u) => u.user + u.system;
  let inBatchCpuUs = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let b = 0; b < batches; b++) {
    const batch = pool[b % pool.length];
    const c0 = process.cpuUsage();
    telemetry?.onBatch(batch);
    inBatchCpuUs += cpuMicros(process.cpuUsage(c0));
    await yieldToLoop();
  }
  await telemetry?.shutdown();
  const totalCpuUs = cpuMicros(process.cpuUsage(cpuStart));
  const totalNs = Number(process.hrtime.bigint() - start);
  const rows = batches * ROWS;
  const sampled = scenario.spans === undefined ? 0 : Math.round(rows * scenario.spans);
  return {
    scenario: scenario.name,
    rows,
    rowsPerCpuSecond: rows / (totalCpuUs / 1e6),
    cpuMsPerBatchInOnBatch: inBatchCpuUs / 1e3 / batches,
    cpuMsPerBatchTotal: totalCpuUs / 1e3 / batches,
    wallRowsPerSecond: rows / (totalNs / 1e9),
    spansExported: counter?.exported ?? 0,
    spansSampledApprox: sampled,
  };
}

const results = [];
for (const scenario of scenarios) {
  process.stderr.write(`telemetry bench: ${scenario.name} ...\n`);
  await run(scenario, 4); // warm-up: JIT and first-use costs are not the steady state
  results.push(await run(scenario));
}
await sink.close();
rmSync(dir, { recursive: true, force: true });

const fmt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '∞');
// Budget: the recorder hands over one 64k batch every ~100 ms at full rate.
const budget = (r) => `${((r.cpuMsPerBatchTotal / 100) * (65_536 / ROWS) * 100).toFixed(1)}%`;
const lines = [
  `## Telemetry cost (${BATCHES} batches x ${ROWS.toLocaleString('en-US')} rows, synthetic trace)`,
  '',
  '| scenario | rows per CPU-second | CPU ms/batch in onBatch | CPU ms/batch incl. export | share of one core at 64k rows/100 ms | wall rows/s | spans exported (≈ sampled) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...results.map(
    (r) =>
      `| ${r.scenario} | ${fmt(r.rowsPerCpuSecond)} | ${r.cpuMsPerBatchInOnBatch.toFixed(2)} | ${r.cpuMsPerBatchTotal.toFixed(2)} | ${budget(r)} | ${fmt(r.wallRowsPerSecond)} | ${
        r.spansSampledApprox ? `${fmt(r.spansExported)} (≈ ${fmt(r.spansSampledApprox)})` : '-'
      } |`,
  ),
  '',
  `"off" is the loop with \`telemetry === null\`: its CPU is the benchmark loop alone. Load average while running: ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores.`,
  'Spans beyond the span queue (32k by default, OTEL_BSP_MAX_QUEUE_SIZE) are dropped, not buffered.',
];
console.log(lines.join('\n'));
if (process.env.BENCH_JSON_OUT)
  await writeFile(process.env.BENCH_JSON_OUT, JSON.stringify({ telemetry: results }, null, 2));
