#!/usr/bin/env node
// npm run bench:stress-ng — stress-ng's metadata stressors (rename, link, dentry, dir) on the
// plain directory, through the recording mount (its defaults, and over /dev/fuse) and through
// libfuse's passthrough_hp (its own caching, over /dev/fuse and io_uring: what any FUSE server
// pays here), alternating per stressor and round. Prints bogo ops/s and the ratio to plain (best
// round), with the load average at each run's start. Everything runs on a fresh journaled ext4
// when root can make one (as bench:record; bench/fs/backing-fs.mjs says why), else in the temp dir.
//   node bench/stress-ng.mjs [--rounds 2] [--seconds 5] [--backing-fs ext4|dir]
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mountDaemon, exitOnSignals } from './fs/daemon-mount.mjs';
import { runChecked } from './fs/proc.mjs';
import { chooseBackingKind, makeBackingFs } from './fs/backing-fs.mjs';
import { REPO_ROOT, passthroughHpSpec } from './fs/specs.mjs';

const CLI = join(REPO_ROOT, 'dist', 'bin', 'interposer.js');
const STRESSORS = ['rename', 'link', 'dentry', 'dir'];

/** The recording mount with `args` after its defaults. */
const interposer = (args) => ({
  unavailable: async () => (existsSync(CLI) ? null : `${CLI} missing: run npm run build`),
  mount: (backing, mnt, dir) =>
    mountDaemon({
      command: process.execPath,
      args: [CLI, 'mount', backing, mnt, '--trace', join(dir, 'trace.parquet'), ...args],
      mnt,
      stop: 'signal',
      readyLine: /^mounted /,
      stopTimeoutMs: 120_000,
    }),
});

/** name -> how to mount it (null: the plain directory). */
const TARGETS = [
  ['plain', null],
  ['interposer (defaults)', interposer([])],
  ['interposer, /dev/fuse', interposer(['--io-uring', 'off'])],
  ['passthrough_hp, /dev/fuse', passthroughHpSpec({ uring: false })],
  ['passthrough_hp, io_uring', passthroughHpSpec({ uring: true })],
];

/** Bogo ops per second (real time) of one stressor instance run in `dir`. */
async function stress(stressor, dir, seconds) {
  const r = await runChecked(
    'stress-ng',
    ['--temp-path', dir, `--${stressor}`, '1', '-t', `${seconds}s`, '--metrics-brief'],
    { timeoutMs: (seconds + 60) * 1000 },
  );
  const line = (r.stdout + r.stderr)
    .split('\n')
    .find((l) => new RegExp(`metrc:.*\\] ${stressor}\\s+\\d`).test(l));
  if (!line) throw new Error(`no metrics line for ${stressor}:\n${r.stderr}`);
  const fields = line.split(/\]\s+/)[1].trim().split(/\s+/);
  return Number(fields[5]); // stressor, bogo ops, real, usr, sys, ops/s real time
}

async function main() {
  exitOnSignals();
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      'backing-fs': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: node bench/stress-ng.mjs [--rounds 2] [--seconds 5] [--backing-fs ext4|dir]');
    return;
  }
  const backing = chooseBackingKind(values['backing-fs']);
  const targets = [];
  for (const [name, spec] of TARGETS) {
    const why = spec ? await spec.unavailable() : null;
    if (why) process.stderr.write(`skipping ${name}: ${why}\n`);
    else targets.push([name, spec]);
  }
  const rounds = Number(values.rounds ?? 2);
  const seconds = Number(values.seconds ?? 5);
  const work = mkdtempSync(join(tmpdir(), 'interposer-stress-'));
  const base = join(work, 'fs');
  mkdirSync(base);
  /** stressor -> target -> [ops/s per round] */
  const results = new Map(STRESSORS.map((s) => [s, new Map(targets.map(([t]) => [t, []]))]));
  const loads = [];
  let backingFs;
  try {
    backingFs = await makeBackingFs(base, {
      kind: backing.kind,
      imageDir: work,
      sizeMiB: 2048,
      log: (msg) => process.stderr.write(`${msg}\n`),
    });
    for (let round = 0; round < rounds; round++) {
      for (const [target, spec] of targets) {
        loads.push(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
        const dir = join(base, `run-${round}`);
        mkdirSync(dir);
        let root = dir;
        let handle = null;
        if (spec) {
          const backing = join(dir, 'backing');
          root = join(dir, 'mnt');
          mkdirSync(backing);
          mkdirSync(root);
          handle = await spec.mount(backing, root, dir);
        }
        try {
          for (const stressor of STRESSORS) {
            const opsPerS = await stress(stressor, root, seconds);
            results.get(stressor).get(target).push(opsPerS);
            process.stderr.write(`round ${round + 1} ${target} ${stressor}: ${opsPerS}\n`);
          }
        } finally {
          if (handle) await handle.unmount();
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await backingFs?.remove();
    rmSync(work, { recursive: true, force: true });
  }
  const best = (xs) => Math.max(...xs);
  console.log(
    `stress-ng, one instance, ${seconds} s per stressor, best of ${rounds} rounds, on ${backingFs.description} ` +
      `(load at run starts: ${loads.join(', ')})\n`,
  );
  console.log(
    `| stressor | ${targets.map(([t]) => `${t} ops/s`).join(' | ')} | ${targets
      .slice(1)
      .map(([t]) => `${t} / plain`)
      .join(' | ')} |`,
  );
  console.log(
    `|---|${targets.map(() => '---:').join('|')}|${targets
      .slice(1)
      .map(() => '---:')
      .join('|')}|`,
  );
  for (const s of STRESSORS) {
    const byTarget = results.get(s);
    const plain = best(byTarget.get('plain'));
    const cells = targets.map(([t]) => Number(best(byTarget.get(t)).toPrecision(3)));
    const ratios = targets.slice(1).map(([t]) => `${(best(byTarget.get(t)) / plain).toFixed(2)}x`);
    console.log(`| ${s} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
  }
}

main().catch((err) => {
  console.error(`stress-ng bench: ${err.message}`);
  process.exit(1);
});
