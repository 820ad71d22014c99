#!/usr/bin/env node
// npm run bench:record — recording overhead: fio + metadata storm against the plain backing dir
// (the limit), our C libfuse3 passthrough, stock fuse-native with a JS passthrough, and the
// interposer with recording on / off / with an idle overlay, all side by side in one run.
// Markdown goes to stdout, progress to stderr; JSON + Markdown into bench/results/.
import { benchArgs } from './fs/cli.mjs';
import { fileURLToPath } from 'node:url';
import { buildTools } from './fs/build-tools.mjs';
import { FIO_JOBS, MAX_NUMJOBS } from './fs/fio.mjs';
import { exitOnSignals } from './fs/daemon-mount.mjs';
import { renderMarkdown, writeResults } from './fs/report.mjs';
import {
  DEFAULT_CACHE_TIMEOUT_S,
  cPassthroughSpec,
  directSpec,
  passthroughHpSpec,
  fuseNativeSpec,
  interposerSpec,
} from './fs/specs.mjs';
import { runSuite } from './fs/suite.mjs';
import { createWorkspace } from './fs/workspace.mjs';
import { TEMP_DIR_DESCRIPTION, chooseBackingKind, makeBackingFs } from './fs/backing-fs.mjs';
import { writeFile } from 'node:fs/promises';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const DEFAULT_ROWS = [
  'direct',
  'c-passthrough',
  'fuse-native',
  'interposer-record',
  'interposer-no-trace',
  'interposer-overlay',
  'passthrough-hp',
  'passthrough-hp-uring',
  'interposer-record-uring',
];
const ALL_ROWS = [
  ...DEFAULT_ROWS,
  'c-passthrough-st',
  'interposer-no-trace-uring',
  'interposer-overlay-uring',
  'baseline-record',
];

const HELP = `usage: node bench/record.mjs [options]

Measures FUSE overhead: fio (4k randread/randwrite, 1 MiB seq read/write buffered and with
O_DIRECT, numjobs 1 and 4) and a metadata storm, for each row, side by side in one run.

  --rows LIST            comma-separated rows (default: ${DEFAULT_ROWS.join(',')})
                         passthrough-hp[-uring]: libfuse 3.18's passthrough_hp --nopassthrough
                         (--nocache when --cache-timeout 0, else its own caching), over
                         /dev/fuse or io_uring; *-uring rows are skipped when the kernel's
                         enable_uring is off
                         also available: c-passthrough-st (single-threaded loop),
                         interposer-{no-trace,overlay}-uring
                         Rows are mounted in the order given, once per round.
  --jobs LIST            comma-separated fio job ids (default: all of
                         ${FIO_JOBS.map((j) => j.id).join(', ')})
  --size-mib N           size of each fio data file (default 256)
  --runtime S            cap per fio job in seconds (default 5)
  --meta-files N         files in the metadata storm (default 2000)
  --meta-bytes N         bytes written per storm file (default 100)
  --warmup-files N       an unmeasured storm of N files first in each row, so that one-time
                         start-up costs do not land in the first job (default 8000, 0 = none)
  --repeat N             rounds; keeps the best figure per cell (default 1)
  --cache-timeout S      entry/attr/negative timeout of every FUSE row (default 1, the
                         interposer's default and libfuse's)
  --writeback            interposer rows also keep the page cache across opens and use the
                         kernel's writeback cache: passthrough_hp's own caching (with
                         --cache-timeout 86400, exactly its settings), for a same-caching
                         comparison with the passthrough-hp rows
  --backing-fs KIND      what the rows serve: ext4 (default when root: a fresh ext4 with a
                         journal on a loop device, made for this run) or dir (a directory
                         in the temp dir, whatever file system that is)
  --quick                small and short: 64 MiB files, 2 s cap, 500 storm files
  --interposer-cli PATH  the product CLI (default dist/bin/interposer.js)
  --baseline-cli PATH    another build's CLI (say, a worktree of an older commit) for the
                         baseline-record row: recording with that build's own defaults
                         (no caching or transport flags), for before/after in one run
  --overlay-config PATH  overlay for interposer-overlay (default: a generated idle overlay)
  --results-dir DIR      where to write results (default bench/results)
  --no-write             print only, write no result files
  -h, --help

Rows that cannot run (not built, not installed) are skipped with the reason printed.
Set BENCH_JSON_OUT=<file> to also write the JSON results there (used by bench/run-all.mjs).`;

async function main() {
  exitOnSignals();
  const values = benchArgs(HELP, {
    rows: { type: 'string' },
    jobs: { type: 'string' },
    'size-mib': { type: 'string' },
    runtime: { type: 'string' },
    'meta-files': { type: 'string' },
    'meta-bytes': { type: 'string' },
    'warmup-files': { type: 'string' },
    repeat: { type: 'string' },
    'cache-timeout': { type: 'string' },
    writeback: { type: 'boolean', default: false },
    'backing-fs': { type: 'string' },
    quick: { type: 'boolean', default: false },
    'interposer-cli': { type: 'string' },
    'baseline-cli': { type: 'string' },
    'overlay-config': { type: 'string' },
    'results-dir': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  });
  const int = (name, fallback) => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0)
      throw new UsageError(`--${name} must be a positive integer, got ${raw}`);
    return n;
  };
  const quick = values.quick;
  const rowNames = values.rows ? values.rows.split(',').map((s) => s.trim()) : DEFAULT_ROWS;
  const unknown = rowNames.filter((r) => !ALL_ROWS.includes(r));
  if (unknown.length)
    throw new UsageError(`unknown row(s) ${unknown.join(', ')}; known: ${ALL_ROWS.join(', ')}`);

  const jobIds = values.jobs ? values.jobs.split(',').map((s) => s.trim()) : FIO_JOBS.map((j) => j.id);
  const badJobs = jobIds.filter((id) => !FIO_JOBS.some((j) => j.id === id));
  if (badJobs.length) throw new UsageError(`unknown job(s) ${badJobs.join(', ')}`);

  const log = (msg) => process.stderr.write(`${msg}\n`);
  let backing;
  try {
    backing = chooseBackingKind(values['backing-fs']);
  } catch (err) {
    throw new UsageError(err.message);
  }
  if (backing.fallback) log(`backing: ${TEMP_DIR_DESCRIPTION} (no fresh ext4: ${backing.fallback})`);
  const sizeMiB = int('size-mib', quick ? 64 : 256);
  const ws = await createWorkspace();
  /** @type {import('./fs/backing-fs.mjs').BackingFs | undefined} */
  let backingFs;
  try {
    backingFs = await makeBackingFs(ws.backing, {
      kind: backing.kind,
      imageDir: ws.root,
      sizeMiB: MAX_NUMJOBS * sizeMiB + 1024,
      log,
    });
    log(`workspace ${ws.root}; building C helpers`);
    const tools = await buildTools(ws.tools);
    const cacheTimeoutS =
      values['cache-timeout'] === undefined ? DEFAULT_CACHE_TIMEOUT_S : Number(values['cache-timeout']);
    if (!(cacheTimeoutS >= 0))
      throw new UsageError(`--cache-timeout must be >= 0, got ${values['cache-timeout']}`);
    const interposerOpts = {
      cli: values['interposer-cli'],
      overlayConfig: values['overlay-config'],
      cacheTimeoutS,
      writeback: values.writeback,
    };
    if (values.writeback && cacheTimeoutS === 0)
      throw new UsageError(
        '--writeback needs --cache-timeout > 0 (passthrough_hp --nocache has no writeback)',
      );
    const factories = {
      direct: () => directSpec(),
      'c-passthrough': () => cPassthroughSpec(tools.cPassthrough, { cacheTimeoutS }),
      'c-passthrough-st': () => cPassthroughSpec(tools.cPassthrough, { singleThreaded: true, cacheTimeoutS }),
      'fuse-native': () => fuseNativeSpec({ cacheTimeoutS }),
      'interposer-record': () => interposerSpec('record', interposerOpts),
      'interposer-no-trace': () => interposerSpec('no-trace', interposerOpts),
      'interposer-overlay': () => interposerSpec('overlay', interposerOpts),
      'passthrough-hp': () => passthroughHpSpec({ cacheTimeoutS }),
      'passthrough-hp-uring': () => passthroughHpSpec({ uring: true, cacheTimeoutS }),
      'interposer-record-uring': () => interposerSpec('record', { ...interposerOpts, uring: true }),
      'interposer-no-trace-uring': () => interposerSpec('no-trace', { ...interposerOpts, uring: true }),
      'interposer-overlay-uring': () => interposerSpec('overlay', { ...interposerOpts, uring: true }),
      'baseline-record': () => {
        if (!values['baseline-cli']) throw new UsageError('row baseline-record needs --baseline-cli PATH');
        return interposerSpec('record', { cli: values['baseline-cli'], baseline: true });
      },
    };
    const results = await runSuite({
      specs: rowNames.map((r) => factories[r]()),
      jobs: FIO_JOBS.filter((j) => jobIds.includes(j.id)),
      workspace: ws,
      metaStormBinary: tools.metaStorm,
      sizeMiB,
      backingDescription: backingFs.description,
      runtimeS: int('runtime', quick ? 2 : 5),
      metaFiles: int('meta-files', quick ? 500 : 2000),
      metaBytes: values['meta-bytes'] === undefined ? 100 : Number(values['meta-bytes']),
      warmupFiles: values['warmup-files'] === '0' ? 0 : int('warmup-files', quick ? 1000 : 8000),
      repeat: int('repeat', 1),
      cacheTimeoutS,
      writeback: values.writeback,
      log,
    });
    const markdown = renderMarkdown(results, { title: 'Recording overhead (bench:record)' });
    process.stdout.write(markdown + '\n');
    if (!values['no-write']) {
      const dir = values['results-dir'] ?? RESULTS_DIR;
      const written = await writeResults(dir, 'record', results, markdown);
      log(`wrote ${written.json} and ${written.md}`);
    }
    if (process.env.BENCH_JSON_OUT)
      await writeFile(process.env.BENCH_JSON_OUT, JSON.stringify(results, null, 2));
    return results.rows.some((r) => r.status === 'failed') ? 1 : 0;
  } finally {
    await backingFs?.remove();
    await ws.remove();
  }
}

class UsageError extends Error {}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench:record: ${err instanceof UsageError ? err.message : err.stack}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
