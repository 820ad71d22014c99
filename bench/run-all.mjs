#!/usr/bin/env node
// npm run bench — every benchmark in one report: bench/record.mjs plus whichever of the other
// bench scripts exist, one after another (they share two cores and must not overlap), then a
// long run with the interposer's RSS sampled every second. Each script's stdout (Markdown) is
// collected; its stderr streams through as progress. Results go to bench/results/.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { benchArgs } from './fs/cli.mjs';
import { buildTools } from './fs/build-tools.mjs';
import { exitOnSignals } from './fs/daemon-mount.mjs';
import { runLongRun } from './fs/long-run.mjs';
import { writeResults } from './fs/report.mjs';
import { rssTrend } from './fs/rss.mjs';
import { fuseNativeSpec, interposerSpec } from './fs/specs.mjs';
import { createWorkspace } from './fs/workspace.mjs';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const SCRIPTS = [
  'record.mjs',
  'parquet-libs.mjs',
  'replay.mjs',
  'analyze.mjs',
  'telemetry.mjs',
  'overlay.mjs',
  'export.mjs',
  'report.mjs',
  'report-charts.mjs',
];
const MiB = 1024 * 1024;

const HELP = `usage: node bench/run-all.mjs [options]

Runs ${SCRIPTS.map((s) => `bench/${s}`).join(', ')} (those that exist),
then a long run sampling the interposer's RSS, and writes one Markdown + JSON report into
bench/results/ (all-<timestamp>.{md,json} and latest.md).

  --quick             pass --quick to bench/record.mjs; 30 s long run, no op target
  --repeat N          pass --repeat N to bench/record.mjs (best of N rounds per cell)
  --long-ops N        the RSS long run goes on until the workload has made N calls
                      (default 10000000; 0 = run for --long-seconds only)
  --long-seconds N    time limit of the RSS long run (default 1800; 120 with --long-ops 0)
  --rss-row NAME      server sampled in the long run: interposer-record (default) or fuse-native
  --no-long-run       skip the long run
  --only LIST         comma-separated script names to run (e.g. record.mjs)
  --render FILE       run nothing: re-render an earlier all-*.json (its RSS trend recomputed
                      from the samples with the current check) as the latest report
  -h, --help`;

async function main() {
  exitOnSignals();
  const values = benchArgs(HELP, {
    quick: { type: 'boolean', default: false },
    repeat: { type: 'string' },
    'long-seconds': { type: 'string' },
    'long-ops': { type: 'string' },
    'rss-row': { type: 'string', default: 'interposer-record' },
    'no-long-run': { type: 'boolean', default: false },
    only: { type: 'string' },
    render: { type: 'string' },
  });
  const log = (msg) => process.stderr.write(`${msg}\n`);
  if (values.render) return rerender(values.render, log);
  const only = values.only?.split(',').map((s) => s.trim());
  const startedAt = new Date().toISOString();
  const sections = [];

  for (const script of SCRIPTS) {
    if (only && !only.includes(script)) continue;
    const path = join(BENCH_DIR, script);
    if (!existsSync(path)) {
      sections.push({ script, status: 'absent' });
      continue;
    }
    const args = [];
    if (script === 'record.mjs' && values.quick) args.push('--quick');
    if (script === 'record.mjs' && values.repeat) args.push('--repeat', values.repeat);
    log(`\n=== bench/${script} ${args.join(' ')}`);
    sections.push(await runScript(script, path, args));
  }

  let longRun = null;
  if (!values['no-long-run']) {
    const opsTarget = Number(values['long-ops'] ?? (values.quick ? 0 : 10_000_000));
    const ops = opsTarget > 0 ? opsTarget : undefined;
    const seconds = Number(values['long-seconds'] ?? (values.quick ? 30 : ops ? 1800 : 120));
    const goal = ops ? `${ops} calls (at most ${seconds} s)` : `${seconds} s`;
    log(`\n=== long run: ${values['rss-row']} for ${goal}, RSS sampled every second`);
    longRun = await longRunSection(values['rss-row'], seconds, ops, log);
  }

  const results = { startedAt, finishedAt: new Date().toISOString(), sections, longRun };
  const markdown = renderAll(results);
  process.stdout.write(markdown + '\n');
  const written = await writeResults(join(BENCH_DIR, 'results'), 'all', results, markdown);
  log(`wrote ${written.json} and ${written.md}`);
  const failed = sections.some((s) => s.status === 'failed') || longRun?.status === 'failed';
  return failed ? 1 : 0;
}

/** Re-renders saved results: the report format and the RSS check may have changed since. */
async function rerender(file, log) {
  const results = JSON.parse(await readFile(file, 'utf8'));
  const series = results.longRun?.rss?.series;
  if (Array.isArray(series)) Object.assign(results.longRun.rss, rssTrend(series));
  const markdown = renderAll(results);
  process.stdout.write(markdown + '\n');
  const written = await writeResults(join(BENCH_DIR, 'results'), 'all', results, markdown);
  log(`re-rendered ${file} as ${written.md}`);
  return 0;
}

/** Runs one bench script; it may write JSON to BENCH_JSON_OUT, which is folded in when present. */
async function runScript(script, path, args) {
  const jsonOut = join(BENCH_DIR, 'results', 'tmp', `${script}.json`);
  await mkdir(dirname(jsonOut), { recursive: true });
  await rm(jsonOut, { force: true });
  const started = Date.now();
  const child = spawn(process.execPath, [path, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_JSON_OUT: jsonOut },
  });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const code = await new Promise((resolve) => child.on('close', (c, sig) => resolve(c ?? sig)));
  let json = null;
  if (existsSync(jsonOut)) json = JSON.parse(await readFile(jsonOut, 'utf8'));
  else if (stdout.trim().startsWith('{')) json = tryJson(stdout);
  return {
    script,
    status: code === 0 ? 'ok' : 'failed',
    exitCode: code,
    durationS: (Date.now() - started) / 1000,
    markdown: json && stdout.trim().startsWith('{') ? '' : stdout.trim(),
    json,
  };
}

function tryJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Rows in a finished trace, from its Parquet footer (the product's own reader). */
async function countTraceRows(traceFile) {
  const { openTrace } = await import(new URL('../dist/trace/reader.js', import.meta.url).href);
  return (await openTrace(traceFile)).numRows;
}

async function longRunSection(rowName, seconds, ops, log) {
  const ws = await createWorkspace('interposer-bench-long-');
  try {
    const tools = await buildTools(ws.tools);
    const spec =
      rowName === 'fuse-native' ? fuseNativeSpec() : interposerSpec(rowName.replace(/^interposer-/, ''));
    const result = await runLongRun({
      spec,
      workspace: ws,
      metaStormBinary: tools.metaStorm,
      seconds,
      ops,
      log,
    });
    if (result.traceFile) result.traceRows = await countTraceRows(result.traceFile);
    return result;
  } catch (err) {
    log(`long run failed: ${err.message}`);
    return { row: rowName, status: 'failed', reason: err.message };
  } finally {
    await ws.remove();
  }
}

function renderAll(r) {
  const lines = ['# interposer benchmarks', '', `${r.startedAt} → ${r.finishedAt}`, ''];
  for (const s of r.sections) {
    if (s.status === 'absent') continue;
    lines.push(`<!-- bench/${s.script}: ${s.status}, ${s.durationS.toFixed(0)} s -->`);
    if (s.status === 'failed') lines.push(`**bench/${s.script} failed (exit ${s.exitCode})**`, '');
    lines.push(s.markdown || `bench/${s.script}: see JSON results`, '');
  }
  const absent = r.sections.filter((s) => s.status === 'absent').map((s) => `bench/${s.script}`);
  if (absent.length) lines.push(`Not present (skipped): ${absent.join(', ')}.`, '');

  const lr = r.longRun;
  if (lr) {
    lines.push('## Server memory over a long run', '');
    if (lr.status !== 'ok') {
      lines.push(`${lr.row}: ${lr.status} — ${lr.reason}`, '');
    } else {
      const mib = (b) => (b === null || b === undefined ? '–' : `${(b / MiB).toFixed(1)} MiB`);
      lines.push(
        `${lr.row}, ${lr.seconds.toFixed(0)} s of alternating 4k randrw (fio) and metadata storms: ` +
          `${lr.fioOps} fio ops, ${lr.metaFiles} files created/stat'ed/unlinked` +
          (lr.traceRows ? `; the server recorded ${lr.traceRows} operations` : '') +
          (lr.traceBytes ? `, trace ${mib(lr.traceBytes)}` : '') +
          (lr.targetOps ? ` (target: ${lr.targetOps} workload calls)` : '') +
          '.',
        '',
        '| peak VmHWM | max RSS | first RSS | last RSS | growth after warm-up (peak of last third vs middle third) | flat |',
        '|---:|---:|---:|---:|---:|:---:|',
        `| ${mib(lr.rss.peakHwmBytes)} | ${mib(lr.rss.maxRssBytes)} | ${mib(lr.rss.firstRssBytes)} | ${mib(
          lr.rss.lastRssBytes,
        )} | ${mib(lr.rss.growthBytes)} | ${lr.rss.flat === null ? '–' : lr.rss.flat ? 'yes' : '**no**'} |`,
        '',
      );
      if (lr.errors.length) lines.push(...lr.errors.map((e) => `- ${e}`), '');
    }
  }
  return lines.join('\n');
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench: ${err.stack}\n`);
    process.exit(1);
  },
);
