#!/usr/bin/env node
// npm run bench:pgbench — PostgreSQL 15 under pgbench on the plain directory vs through the
// recording mount, in one run, alternating (plain, mount, plain, mount, ...). Each round gets a
// fresh cluster owned by postgres (initdb, pgbench -i -s SCALE), then `pgbench -c CLIENTS -j 2
// -T SECONDS` as postgres. Prints tps per run, the best mount/plain ratio, the rows the trace
// got and the load average at each run's start. Everything runs on a fresh journaled ext4 when root
// can make one (as bench:record; bench/fs/backing-fs.mjs says why), else in the temp dir.
//   node bench/pgbench.mjs [--rounds 2] [--scale 5] [--clients 4] [--seconds 30] [--backing-fs ext4|dir] [-- mount args]
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { mountDaemon, exitOnSignals } from './fs/daemon-mount.mjs';
import { runChecked } from './fs/proc.mjs';
import { REPO_ROOT } from './fs/specs.mjs';
import { chooseBackingKind, makeBackingFs } from './fs/backing-fs.mjs';

const CLI = join(REPO_ROOT, 'dist', 'bin', 'interposer.js');
const PG_BIN = '/usr/lib/postgresql/15/bin';
const PORT = 5498;

const asPostgres = (cmd, args, timeoutMs = 600_000) =>
  runChecked(
    'setpriv',
    ['--reuid=postgres', '--regid=postgres', '--init-groups', join(PG_BIN, cmd), ...args],
    {
      timeoutMs,
    },
  );

/** One pgbench run on a fresh cluster under `dir` (which postgres must own). Returns tps. */
async function pgbenchIn(dir, sock, o) {
  const data = join(dir, 'pgdata');
  mkdirSync(data);
  const pg = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const uid = Number(pg.stdout.trim());
  chownSync(data, uid, uid);
  await asPostgres('initdb', ['-D', data, '--auth=trust', '--no-instructions', '-E', 'UTF8']);
  await asPostgres('pg_ctl', [
    '-D',
    data,
    '-w',
    '-t',
    '120',
    '-l',
    join(sock, 'log'),
    '-o',
    `-k ${sock} -p ${PORT} -c listen_addresses=''`,
    'start',
  ]);
  try {
    await asPostgres('pgbench', [
      '-h',
      sock,
      '-p',
      String(PORT),
      '-i',
      '-s',
      String(o.scale),
      '-q',
      'postgres',
    ]);
    const run = await asPostgres('pgbench', [
      '-h',
      sock,
      '-p',
      String(PORT),
      '-c',
      String(o.clients),
      '-j',
      '2',
      '-T',
      String(o.seconds),
      'postgres',
    ]);
    const m = /tps = ([\d.]+)/.exec(run.stdout);
    if (!m) throw new Error(`no tps in pgbench output:\n${run.stdout}`);
    return Number(m[1]);
  } finally {
    await asPostgres('pg_ctl', ['-D', data, '-w', '-m', 'fast', 'stop']).catch(() => {});
  }
}

async function main() {
  exitOnSignals();
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rounds: { type: 'string' },
      scale: { type: 'string' },
      clients: { type: 'string' },
      seconds: { type: 'string' },
      'backing-fs': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      'usage: node bench/pgbench.mjs [--rounds 2] [--scale 5] [--clients 4] [--seconds 30] [--backing-fs ext4|dir] [-- extra mount args]',
    );
    return;
  }
  if (!existsSync(join(PG_BIN, 'pgbench')))
    throw new Error(`${PG_BIN}/pgbench missing (apt-get install postgresql)`);
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build`);
  const { readAllRows } = await import(join(REPO_ROOT, 'dist', 'trace', 'reader.js'));
  const backing = chooseBackingKind(values['backing-fs']);
  const o = {
    rounds: Number(values.rounds ?? 2),
    scale: Number(values.scale ?? 5),
    clients: Number(values.clients ?? 4),
    seconds: Number(values.seconds ?? 30),
  };
  const work = mkdtempSync(join(tmpdir(), 'interposer-pgbench-'));
  chmodSync(work, 0o755);
  const sock = join(work, 'sock');
  mkdirSync(sock);
  const pgUid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  chownSync(sock, pgUid, pgUid);
  const base = join(work, 'fs');
  mkdirSync(base);
  const runs = [];
  let backingFs;
  try {
    backingFs = await makeBackingFs(base, {
      kind: backing.kind,
      imageDir: work,
      sizeMiB: 2048,
      log: (msg) => process.stderr.write(`${msg}\n`),
    });
    chmodSync(base, 0o755);
    for (let round = 0; round < o.rounds; round++) {
      for (const where of ['plain', 'mount']) {
        const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
        const dir = join(base, `${where}-${round}`);
        mkdirSync(dir);
        let tps;
        let rows;
        if (where === 'plain') {
          tps = await pgbenchIn(dir, sock, o);
        } else {
          const backing = join(dir, 'backing');
          const mnt = join(dir, 'mnt');
          const trace = join(work, `trace-${round}.parquet`);
          mkdirSync(backing);
          mkdirSync(mnt);
          const handle = await mountDaemon({
            command: process.execPath,
            args: [CLI, 'mount', backing, mnt, '--trace', trace, ...positionals],
            mnt,
            stop: 'signal',
            readyLine: /^mounted /,
            stopTimeoutMs: 120_000,
          });
          try {
            tps = await pgbenchIn(mnt, sock, o);
          } finally {
            await handle.unmount();
          }
          const all = await readAllRows(trace);
          rows = {
            total: all.length,
            getattr: all.filter((r) => r.op === 'getattr').length,
            getxattr: all.filter((r) => r.op === 'getxattr').length,
          };
          rmSync(trace, { force: true });
        }
        rmSync(dir, { recursive: true, force: true });
        runs.push({ round, where, tps, load, rows });
        process.stderr.write(`round ${round + 1} ${where}: ${tps.toFixed(1)} tps (load ${load})\n`);
      }
    }
  } finally {
    await backingFs?.remove();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(
    `pgbench scale ${o.scale}, -c ${o.clients} -j 2 -T ${o.seconds}, as postgres, on ${backingFs.description}; ` +
      `mount args: ${positionals.join(' ') || '(defaults)'}\n`,
  );
  console.log(
    '| round | where | tps | mount/plain (this round) | trace rows (getattr, getxattr) | load at start |',
  );
  console.log('|---:|---|---:|---:|---|---:|');
  for (const r of runs) {
    const plain = runs.find((x) => x.round === r.round && x.where === 'plain');
    const ratio = r.where === 'mount' ? `${(r.tps / plain.tps).toFixed(2)}x` : '';
    const rows = r.rows ? `${r.rows.total} (${r.rows.getattr}, ${r.rows.getxattr})` : '';
    console.log(`| ${r.round + 1} | ${r.where} | ${r.tps.toFixed(1)} | ${ratio} | ${rows} | ${r.load} |`);
  }
  const bestRatio = Math.max(
    ...runs
      .filter((r) => r.where === 'mount')
      .map((r) => r.tps / runs.find((x) => x.round === r.round && x.where === 'plain').tps),
  );
  console.log(`\nbest round: ${bestRatio.toFixed(2)}x the plain directory's tps`);
}

main().catch((err) => {
  console.error(`pgbench: ${err.message}`);
  process.exit(1);
});
