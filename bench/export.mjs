#!/usr/bin/env node
/**
 * Export benchmark: writes a synthetic trace of --rows rows (default 10M), then exports it to
 * Perfetto JSON and to CSV, each in a child process so its peak RSS is the export's own.
 * Prints rows/s (wall and per CPU second), output size and peak RSS, which must stay flat as
 * --rows grows (streaming export).
 *
 *   node bench/export.mjs [--rows 10000000] [--keep DIR]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs } from './fs/cli.mjs';
import { loadSources } from './fs/load-sources.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const loadModules = () =>
  loadSources(root, 'export', ['src/export/index.ts', 'src/trace/writer.ts', 'src/trace/synthetic.ts']);

const cpuSeconds = () => {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
};

/** Child: one export, result as JSON on stdout. */
async function childExport(format, input, output) {
  const m = await loadModules();
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const result = await m.exportTrace({ format, input, output });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - cpu0;
  process.stdout.write(
    JSON.stringify({
      rows: result.rowsExported,
      seconds,
      cpu,
      bytes: statSync(output).size,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
      perfetto: result.perfetto,
    }),
  );
}

async function main() {
  const values = benchArgs(
    `usage: node bench/export.mjs [--rows N (10000000)] [--keep DIR]

Writes a synthetic trace, exports it to Perfetto JSON and to CSV (each in a child process), and
prints rows/s, output size and peak RSS. --keep DIR keeps the files there.`,
    {
      rows: { type: 'string', default: '10000000' },
      keep: { type: 'string' },
      child: { type: 'string' },
      input: { type: 'string' },
      output: { type: 'string' },
    },
  );
  if (values.child) return childExport(values.child, values.input, values.output);

  const rows = Number(values.rows);
  const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'interposer-export-bench-'));
  mkdirSync(dir, { recursive: true });
  try {
    const m = await loadModules();
    const input = join(dir, 'synthetic.parquet');
    const gen = new m.SyntheticTrace({ seed: 1 });
    const writer = await m.TraceWriter.open({ path: input, wallClockAnchorNs: 1_700_000_000_000_000_000n });
    for (let left = rows; left > 0; left -= 65_536) await writer.write(gen.next(Math.min(65_536, left)));
    await writer.close();
    console.log(
      `trace: ${rows.toLocaleString('en')} rows, ${(statSync(input).size / 2 ** 20).toFixed(1)} MiB`,
    );

    const results = {};
    for (const [format, ext] of [
      ['perfetto', 'json'],
      ['csv', 'csv'],
    ]) {
      const output = join(dir, `out.${ext}`);
      const child = spawnSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--child', format, '--input', input, '--output', output],
        { encoding: 'utf8', maxBuffer: 1 << 20 },
      );
      if (child.status !== 0) throw new Error(`${format} export failed: ${child.stderr}`);
      const r = JSON.parse(child.stdout);
      results[format] = r;
      console.log(
        `${format.padEnd(8)} ${Math.round(r.rows / r.seconds / 1000)}k rows/s wall, ` +
          `${Math.round(r.rows / r.cpu / 1000)}k rows/CPU-s, ${(r.bytes / r.rows).toFixed(0)} B/row, ` +
          `${(r.bytes / 2 ** 30).toFixed(2)} GiB, peak RSS ${r.maxRssMiB.toFixed(0)} MiB` +
          (r.perfetto ? `, ${r.perfetto.overlapLanes} overlap lanes` : ''),
      );
      if (!values.keep) rmSync(output, { force: true });
    }
    console.log(`load average ${loadavg()[0].toFixed(1)} on this machine during the run`);
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
