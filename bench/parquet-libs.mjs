#!/usr/bin/env node
/**
 * `npm run bench:parquet`: which Parquet library should write interposer traces?
 *
 * Writes the same N rows (default 1M) of OUR schema (src/trace/schema.ts, realistic synthetic
 * data from src/trace/synthetic.ts) with each candidate, then reads them back, and prints rows/s
 * written, bytes/row on disk and rows/s read, with ratios to our own encoder. Each write starts
 * from TraceBatches (what the recorder hands the writer), so converting into a library's input
 * format counts as writing cost. Product targets: >= 200k rows/s written, <= 40 bytes/row.
 *
 * Options: --rows N; --slow-rows N caps the row-object libraries (parquetjs*, a few k rows/s:
 * 1M rows would take minutes; rates are per row so they compare); --only name[,name]; --json.
 * Rates are given per wall-clock second and per CPU second of this process (user+system, incl.
 * wasm and libuv threads): on a shared, loaded machine the CPU figure is the stable one.
 * @dsnp/parquetjs is not a dependency (it declares node >= 24 in recent releases); install it
 * aside with `npm install --no-save --prefix /tmp/dsnp @dsnp/parquetjs` or set DSNP_PARQUETJS.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs } from './fs/cli.mjs';
import { loadSources } from './fs/load-sources.mjs';
import * as candidates from './parquet/candidates.mjs';

const args = benchArgs(
  `usage: node bench/parquet-libs.mjs [--rows N (1000000)] [--slow-rows N (200000)] [--only LIST] [--json]

Writes and reads the same rows of the trace schema with each Parquet library; ratios to ours.
  --slow-rows  rows for the row-object libraries (parquetjs-lite, @dsnp/parquetjs)
  --only       comma-separated candidate names`,
  {
    rows: { type: 'string', default: '1000000' },
    'slow-rows': { type: 'string', default: '200000' },
    only: { type: 'string' },
    json: { type: 'boolean' },
  },
);
const ROWS = Number(args.rows);
const BATCH = 8192;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

const trace = await loadSources(root, 'trace', [
  'src/trace/writer.ts',
  'src/trace/reader.ts',
  'src/trace/synthetic.ts',
  'src/trace/schema.ts',
  'src/trace/batch.ts',
  'src/trace/crc32.ts',
]);
const gen = new trace.SyntheticTrace({ seed: 1 });
const batches = [];
for (let n = 0; n < ROWS; n += BATCH) batches.push(gen.next(Math.min(BATCH, ROWS - n)));

const work = mkdtempSync(join(tmpdir(), 'interposer-parquet-bench-'));
const ctx = { trace, batches, rows: ROWS, require, root, dir: work };

const all = [
  ['interposer (own encoder)', candidates.ours],
  ['hyparquet-writer', candidates.hyparquetWriter],
  ['parquet-wasm (arrow IPC)', candidates.parquetWasm],
  ['parquetjs-lite', candidates.parquetjsLite],
  ['@dsnp/parquetjs', candidates.dsnpParquetjs],
];
const selected = args.only ? all.filter(([name]) => args.only.split(',').some((o) => name.includes(o))) : all;

function fmtRate(r) {
  return r === undefined ? '-' : r >= 1e6 ? `${(r / 1e6).toFixed(2)}M` : `${(r / 1e3).toFixed(0)}k`;
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const results = [];
for (const [name, candidate] of selected) {
  const path = join(work, `${name.replace(/[^a-z0-9]+/gi, '_')}.parquet`);
  const cap = Math.min(ROWS, candidate.slow ? Number(args['slow-rows']) : ROWS);
  const own = { ...ctx, batches: cap === ROWS ? batches : batchesFor(cap) };
  const rows = own.batches.reduce((n, b) => n + b.length, 0);
  own.rows = rows;
  const result = { name, rows };
  try {
    globalThis.gc?.();
    const t0 = performance.now();
    const c0 = cpuSeconds();
    const note = await candidate.write(own, path);
    result.writeRowsPerS = rows / ((performance.now() - t0) / 1000);
    result.writeRowsPerCpuS = rows / (cpuSeconds() - c0);
    result.bytesPerRow = statSync(path).size / rows;
    result.note = note;
    globalThis.gc?.();
    const t1 = performance.now();
    const c1 = cpuSeconds();
    const readRows = await candidate.read(own, path);
    result.readRowsPerS = rows / ((performance.now() - t1) / 1000);
    result.readRowsPerCpuS = rows / (cpuSeconds() - c1);
    if (readRows !== rows) result.note = `${note ?? ''} READ ${readRows} ROWS`.trim();
    if (candidate === candidates.ours) result.checksum = checksumCost(path, result);
    if (candidate.readOther) {
      const c2 = cpuSeconds();
      const n = await candidate.readOther(own, path);
      result.otherReader = `${candidate.readOtherName} ${fmtRate(rows / (cpuSeconds() - c2))} rows/cpu-s (${n} rows)`;
    }
  } catch (err) {
    result.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
  }
  results.push(result);
  console.error(`done: ${name}${result.error ? ` (failed: ${result.error})` : ''}`);
}

/**
 * What the page checksums cost: CRC-32 over every byte of our file (pages are nearly all of it),
 * timed here in the same run, as a share of our write and read CPU time. The writer computes it
 * once per page and the reader once per page read, so this is the added work on each side.
 */
function checksumCost(path, r) {
  const bytes = new Uint8Array(readFileSync(path));
  const time = (fn) => {
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      fn(bytes);
      best = Math.min(best, performance.now() - t);
    }
    return best / 1000;
  };
  const native = time(trace.crc32);
  const portable = time(trace.crc32Portable);
  const writeS = r.rows / r.writeRowsPerCpuS;
  const readS = r.rows / r.readRowsPerCpuS;
  const pct = (s, of) => `${((100 * s) / of).toFixed(1)}%`;
  return `page CRC-32 over ${(bytes.length / 2 ** 20).toFixed(1)} MiB: ${(native * 1000).toFixed(1)} ms (${(bytes.length / native / 2 ** 30).toFixed(1)} GiB/s) = ${pct(native, writeS)} of write, ${pct(native, readS)} of read CPU time; table-driven fallback ${(portable * 1000).toFixed(1)} ms (${(bytes.length / portable / 2 ** 30).toFixed(2)} GiB/s)`;
}

function batchesFor(rows) {
  const out = [];
  let n = 0;
  for (const b of batches) {
    if (n >= rows) break;
    out.push(b);
    n += b.length;
  }
  return out;
}

const base = results.find((r) => r.name.startsWith('interposer') && !r.error);
const header = [
  'library',
  'rows',
  'write rows/s (cpu-s)',
  'bytes/row',
  'read rows/s (cpu-s)',
  'write/ours',
  'size/ours',
  'read/ours',
];
const ratio = (a, b) => (base ? `${(a / b).toFixed(2)}x` : '-');
const lines = results.map((r) =>
  r.error
    ? [r.name, r.rows, `FAILED: ${r.error}`, '', '', '', '', '']
    : [
        r.name,
        r.rows.toLocaleString('en'),
        `${fmtRate(r.writeRowsPerS)} (${fmtRate(r.writeRowsPerCpuS)})`,
        r.bytesPerRow.toFixed(1),
        `${fmtRate(r.readRowsPerS)} (${fmtRate(r.readRowsPerCpuS)})`,
        ratio(r.writeRowsPerCpuS, base?.writeRowsPerCpuS),
        ratio(r.bytesPerRow, base?.bytesPerRow),
        ratio(r.readRowsPerCpuS, base?.readRowsPerCpuS),
      ],
);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
const row = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
console.log(
  `\nParquet writers, ${trace.COLUMNS.length}-column trace schema, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs\n`,
);
console.log(row(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const l of lines) console.log(row(l));
console.log('\nratios use CPU-second rates; notes:');
for (const r of results)
  if (!r.error) console.log(`  ${r.name}: ${[r.note, r.otherReader, r.checksum].filter(Boolean).join('; ')}`);
if (base) {
  const ok = Math.min(base.writeRowsPerS, base.writeRowsPerCpuS) >= 200_000 && base.bytesPerRow <= 40;
  const okCpu = base.writeRowsPerCpuS >= 200_000 && base.bytesPerRow <= 40;
  console.log(
    `\ntargets (>= 200k rows/s, <= 40 B/row): interposer ${fmtRate(base.writeRowsPerS)} rows/s wall, ${fmtRate(base.writeRowsPerCpuS)} rows/cpu-s, ${base.bytesPerRow.toFixed(1)} B/row -> ${ok ? 'MET' : okCpu ? 'MET per CPU second (wall clock slowed by machine load)' : 'NOT MET'}`,
  );
}
if (args.json) console.log(JSON.stringify({ rows: ROWS, results }));
rmSync(work, { recursive: true, force: true });
