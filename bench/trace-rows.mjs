#!/usr/bin/env node
// npm run bench:rows — how much of a trace is the application's own work: `tar xf` of a real
// tree (this repository's node_modules subset) through the recording mount, under each kernel
// caching setting. Reports rows per system call tar made on the plain directory (strace -c),
// the rows by op, the extraction time next to the plain directory's (same run, alternating),
// and checks that the bytes written in the trace equal the bytes tar wrote.
//   node bench/trace-rows.mjs [--rounds N] [--dirs a,b,...]
import { mkdtempSync, rmSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mountDaemon, exitOnSignals } from './fs/daemon-mount.mjs';
import { runChecked } from './fs/proc.mjs';
import { REPO_ROOT } from './fs/specs.mjs';

const CLI = join(REPO_ROOT, 'dist', 'bin', 'interposer.js');
const DEFAULT_DIRS = ['typescript', '@esbuild', 'vite', '@vitest', 'ink', 'react', 'zod'];

/** Settings under test: name -> extra `interposer mount` arguments. */
const SETTINGS = [
  ['no caching (--cache-timeout 0)', ['--cache-timeout', '0']],
  ['default (1 s timeouts, keep_cache)', []],
  ['default + --writeback-cache', ['--writeback-cache']],
];

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** System calls tar makes extracting on a plain directory (strace -f -c total). */
async function countSyscalls(tarball, work) {
  const dest = join(work, 'strace-dest');
  mkdirSync(dest);
  const summary = join(work, 'strace.txt');
  await runChecked('strace', ['-f', '-c', '-o', summary, 'tar', '-C', dest, '-xf', tarball], {
    timeoutMs: 600_000,
  });
  rmSync(dest, { recursive: true, force: true });
  const total = readFileSync(summary, 'utf8')
    .split('\n')
    .find((l) => /\btotal$/.test(l.trim()));
  return Number(total.trim().split(/\s+/)[3]);
}

async function main() {
  exitOnSignals();
  const { values } = parseArgs({
    options: { rounds: { type: 'string' }, dirs: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(
      'usage: node bench/trace-rows.mjs [--rounds N (default 2)] [--dirs a,b (node_modules subdirs)]',
    );
    return;
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build`);
  const { readAllRows } = await import(join(REPO_ROOT, 'dist', 'trace', 'reader.js'));
  const rounds = Number(values.rounds ?? 2);
  const dirs = (values.dirs?.split(',') ?? DEFAULT_DIRS).filter((d) =>
    existsSync(join(REPO_ROOT, 'node_modules', d)),
  );
  const work = mkdtempSync(join(tmpdir(), 'interposer-rows-'));
  try {
    const tarball = join(work, 'tree.tar');
    await runChecked('tar', ['-C', join(REPO_ROOT, 'node_modules'), '-cf', tarball, ...dirs], {
      timeoutMs: 300_000,
    });
    const listing = await runChecked('tar', ['-tvf', tarball], { timeoutMs: 60_000 });
    const lines = listing.stdout.split('\n').filter((l) => l.startsWith('-'));
    const tarBytes = lines.reduce((sum, l) => sum + Number(l.split(/\s+/)[2]), 0);
    process.stderr.write(
      `tree: ${dirs.join(', ')}: ${lines.length} files, ${(tarBytes / 2 ** 20).toFixed(1)} MiB\n`,
    );
    const syscalls = await countSyscalls(tarball, work);
    const results = [];
    for (const [name, args] of SETTINGS) {
      const r = { name, plainS: [], mountS: [], rows: 0, byOp: {}, writtenBytes: 0, load: [] };
      for (let round = 0; round < rounds; round++) {
        // Alternating: the plain directory, then the mount, each into a fresh directory.
        const plain = join(work, `plain-${round}`);
        mkdirSync(plain);
        r.load.push(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
        r.plainS.push(
          await timed(() => runChecked('tar', ['-C', plain, '-xf', tarball], { timeoutMs: 600_000 })),
        );
        rmSync(plain, { recursive: true, force: true });
        const backing = join(work, 'backing');
        const mnt = join(work, 'mnt');
        const trace = join(work, 'trace.parquet');
        mkdirSync(backing);
        mkdirSync(mnt);
        const handle = await mountDaemon({
          command: process.execPath,
          args: [CLI, 'mount', backing, mnt, '--trace', trace, ...args],
          mnt,
          stop: 'signal',
          readyLine: /^mounted /,
          stopTimeoutMs: 120_000,
        });
        try {
          r.mountS.push(
            await timed(() => runChecked('tar', ['-C', mnt, '-xf', tarball], { timeoutMs: 600_000 })),
          );
        } finally {
          await handle.unmount();
        }
        const rows = (await readAllRows(trace)).filter((row) => row.op !== 'event');
        r.rows = rows.length;
        r.byOp = {};
        r.writtenBytes = 0;
        for (const row of rows) {
          r.byOp[row.op] = (r.byOp[row.op] ?? 0) + 1;
          if (row.op === 'write') r.writtenBytes += Number(row.bytes ?? 0);
        }
        rmSync(backing, { recursive: true, force: true });
        rmSync(mnt, { recursive: true, force: true });
        rmSync(trace, { force: true });
      }
      results.push(r);
    }
    const best = (xs) => Math.min(...xs);
    console.log(
      `\`tar xf\` of ${lines.length} files (${(tarBytes / 2 ** 20).toFixed(1)} MiB); tar made ${syscalls} system calls on the plain directory (strace -f -c).\n`,
    );
    console.log(
      '| setting | rows | rows per tar syscall | write bytes in trace = tar bytes | time vs plain (best of ' +
        rounds +
        ') | load (1 min) |',
    );
    console.log('|---|---:|---:|---|---:|---|');
    for (const r of results) {
      const ratio = best(r.plainS) / best(r.mountS);
      console.log(
        `| ${r.name} | ${r.rows} | ${(r.rows / syscalls).toFixed(2)} | ${r.writtenBytes === tarBytes ? 'yes' : `NO (${r.writtenBytes} vs ${tarBytes})`} | ${ratio.toFixed(2)}x (${best(r.mountS).toFixed(1)} s vs ${best(r.plainS).toFixed(1)} s) | ${r.load.join(', ')} |`,
      );
    }
    console.log('\nrows by op:\n');
    const ops = [...new Set(results.flatMap((r) => Object.keys(r.byOp)))].sort(
      (a, b) => (results[0].byOp[b] ?? 0) - (results[0].byOp[a] ?? 0),
    );
    console.log(`| op | ${results.map((r) => r.name).join(' | ')} |`);
    console.log(`|---|${results.map(() => '---:').join('|')}|`);
    for (const op of ops) console.log(`| ${op} | ${results.map((r) => r.byOp[op] ?? 0).join(' | ')} |`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`trace-rows: ${err.message}`);
  process.exit(1);
});
