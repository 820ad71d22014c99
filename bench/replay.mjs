#!/usr/bin/env node
// npm run bench:replay — replayer throughput and timing accuracy (needs `npm run build:ts`).
//
//  1. generates a 1M-op trace (8 threads, ~1000 files: 4 KiB reads/writes, stat/open/close,
//     temp files created/renamed/deleted, a few ENOENT lookups) and writes it as Parquet;
//  2. replays it --timing afap into a fresh directory: ops/s;
//  3. runs the same fs calls natively (one tight loop of synchronous node:fs calls in recorded
//     order, same pre-built tree), in the same run, for the ratio;
//  4. replays a paced trace (--timing original) and reports the issue-time error
//     (median/p99/max µs) and the lag behind the recorded schedule;
//  5. per-op latency of the same 4 KiB writes (one thread, 1 ms apart) replayed afap and with
//     recorded timing, alternating A B A B: what timed replay adds to each op.
// Markdown on stdout, progress on stderr; JSON next to it in bench/results/replay-latest.json.
import {
  closeSync,
  fstat,
  fstatSync,
  mkdtempSync,
  mkdirSync,
  openSync,
  read,
  readSync,
  rmSync,
  write,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './fs/cli.mjs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/', import.meta.url);
const load = (p) => import(new URL(p, dist).href);
let modules;
try {
  modules = {
    replay: await load('replay/index.js'),
    workload: await load('replay/workload.js'),
    plan: await load('replay/plan.js'),
    handles: await load('replay/handles.js'),
    tree: await load('replay/tree-requirements.js'),
    target: await load('replay/target.js'),
    content: await load('replay/content.js'),
    fsOps: await load('replay/fs-ops.js'),
    writer: await load('trace/writer.js'),
    batch: await load('trace/batch.js'),
  };
} catch (err) {
  process.stderr.write(`bench/replay.mjs: build first (npm run build:ts): ${err.message}\n`);
  process.exit(1);
}

const values = benchArgs(
  'usage: node bench/replay.mjs [--ops N (1000000)] [--paced-ops N (50000)] [--quick]',
  {
    ops: { type: 'string', default: '1000000' },
    'paced-ops': { type: 'string', default: '50000' },
    quick: { type: 'boolean', default: false },
  },
);
const OPS = values.quick ? 100_000 : Number(values.ops);
const PACED_OPS = values.quick ? 10_000 : Number(values['paced-ops']);
const log = (m) => process.stderr.write(`[replay bench] ${m}\n`);
const work = mkdtempSync(join(tmpdir(), 'interposer-bench-replay-'));

async function writeTrace(path, batches) {
  const w = await modules.writer.TraceWriter.open({
    path,
    wallClockAnchorNs: 0n,
    metadata: { 'interposer.source': 'record' },
  });
  for (const b of batches) await w.write(b);
  await w.close();
}

/** The same fs calls as the replay, one synchronous loop in recorded start order, no scheduling. */
async function runNative(batches, n, dir) {
  const { buildPlan } = modules.plan;
  const plan = await buildPlan(batches, n);
  const handles = modules.handles.resolveHandles(plan);
  const pool = modules.content.createContentPool(false);
  const root = modules.target.prepareTarget(dir, false);
  modules.target.buildTree(root, modules.tree.requiredTree(plan, handles), pool);
  const slotFd = new Int32Array(handles.count).fill(-1);
  const fsOps = new modules.fsOps.FsOps(slotFd, pool);
  const targetPaths = plan.paths.map((p) => modules.target.targetPath(root, p));
  const hashes = plan.paths.map((p) => modules.content.pathHash(p));
  const a = {
    code: 0,
    path: '',
    path2: null,
    offset: 0,
    size: 0,
    flags: 0,
    mode: 0,
    slot: -1,
    contentHash: 0,
    corrupt: null,
  };
  const OPENERS = new Set([12, 28, 23]); // open, create, opendir
  let errors = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < plan.n; i++) {
    const code = plan.op[i];
    const slot = handles.slotOf[i];
    const pathId = slot >= 0 && !OPENERS.has(code) ? handles.slotPath[slot] : plan.path[i];
    const p2 = plan.path2[i];
    a.code = code;
    a.path = targetPaths[pathId];
    a.path2 = p2 < 0 ? null : targetPaths[p2];
    a.offset = plan.offset[i];
    a.size = plan.size[i];
    a.flags = plan.flags[i];
    a.mode = plan.mode[i];
    a.slot = slot;
    a.contentHash = hashes[pathId];
    try {
      fsOps.run(a);
    } catch {
      errors++;
    }
  }
  const ns = Number(process.hrtime.bigint() - t0);
  for (const fd of slotFd) if (fd >= 0) closeSync(fd);
  return { opsPerSec: plan.n / (ns / 1e9), seconds: ns / 1e9, errors };
}

/**
 * Why replay workers make synchronous calls: the same 4 KiB read/write/fstat mix through node:fs
 * synchronously vs through libuv's threadpool (callbacks, 8 in flight), in this process.
 */
async function fsPathComparison(dir, n = 100_000) {
  mkdirSync(dir, { recursive: true });
  const fds = Array.from({ length: 64 }, (_, i) => {
    const fd = openSync(join(dir, `f${i}`), 'w+');
    writeSync(fd, Buffer.alloc(65_536));
    return fd;
  });
  const buf = Buffer.alloc(4096, 1);
  let t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const fd = fds[i % fds.length];
    const pos = (i % 16) * 4096;
    if (i % 3 === 0) readSync(fd, buf, 0, 4096, pos);
    else if (i % 3 === 1) writeSync(fd, buf, 0, 4096, pos);
    else fstatSync(fd);
  }
  const syncRate = n / (Number(process.hrtime.bigint() - t) / 1e9);
  t = process.hrtime.bigint();
  await new Promise((resolve) => {
    let issued = 0;
    let done = 0;
    const bufs = Array.from({ length: 8 }, () => Buffer.alloc(4096));
    const next = (slot) => {
      if (issued >= n) return void (done === n && resolve());
      const i = issued++;
      const fd = fds[i % fds.length];
      const pos = (i % 16) * 4096;
      const cb = () => {
        done++;
        next(slot);
      };
      if (i % 3 === 0) read(fd, bufs[slot], 0, 4096, pos, cb);
      else if (i % 3 === 1) write(fd, bufs[slot], 0, 4096, pos, cb);
      else fstat(fd, cb);
    };
    for (let s = 0; s < 8; s++) next(s);
  });
  const asyncRate = n / (Number(process.hrtime.bigint() - t) / 1e9);
  for (const fd of fds) closeSync(fd);
  return { syncRate, asyncRate };
}

/** One thread's 4 KiB writes 1 ms apart, replayed afap and timed alternately: write p50/p99 each. */
async function sameWritesLatency(dir) {
  const n = 2000;
  const b = new modules.batch.TraceBatchBuilder(n + 2);
  let seq = 0n;
  const row = (op, t, extra) => ({
    seq: seq++,
    op,
    path: '/same.bin',
    path2: null,
    fh: 1n,
    offset: null,
    size: null,
    bytes: 0n,
    errno: 0,
    flags: null,
    mode: null,
    startNs: BigInt(t),
    endNs: BigInt(t + 5000),
    durationNs: 5000n,
    pid: 1,
    tid: 1,
    uid: 0,
    gid: 0,
    comm: 'bench',
    faultKind: null,
    faultErrno: null,
    faultDelayNs: null,
    faultTruncatedTo: null,
    throttleWaitNs: null,
    ...extra,
  });
  b.append(row('open', 0, { flags: 2 }));
  for (let i = 0; i < n; i++)
    b.append(
      row('write', 100_000 + i * 1_000_000, { offset: BigInt((i % 16) * 4096), size: 4096n, bytes: 4096n }),
    );
  b.append(row('release', 100_000 + n * 1_000_000));
  const batch = b.take();
  const rows = [];
  for (let round = 1; round <= 2; round++) {
    for (const timing of ['afap', 'original']) {
      const { report } = await modules.replay.replayBatches([batch], {
        input: 'same-writes',
        target: join(dir, `${timing}-${round}`),
        out: null,
        timing,
      });
      const w = report.perOp.find((p) => p.op === 'write').replayed;
      rows.push({ timing, round, p50: w.p50, p99: w.p99 });
    }
  }
  return rows;
}

try {
  log('fs call path: synchronous vs libuv threadpool');
  const fsPath = await fsPathComparison(join(work, 'fs-path'));
  log(`generating ${OPS} ops`);
  const batches = modules.workload.generateWorkload({ ops: OPS, threads: 8, files: 1000 });
  const input = join(work, 'input.parquet');
  await writeTrace(input, batches);

  log('replay --timing afap');
  const afap = await modules.replay.replayFile({
    input,
    target: join(work, 'afap'),
    out: join(work, 'afap.replay.parquet'),
    timing: 'afap',
    onPhase: log,
  });
  const ra = afap.report;
  const afapRate = ra.ops.replayed / (ra.totalTimeNs.replayed / 1e9);

  log('native loop of the same calls');
  const native = await runNative(batches, OPS, join(work, 'native'));

  // Paced trace: ~5k ops/s recorded (8 threads, 1.6 ms think time), replayed at its own times.
  log(`replay --timing original (${PACED_OPS} ops, paced)`);
  const paced = modules.workload.generateWorkload({
    ops: PACED_OPS,
    threads: 8,
    files: 1000,
    gapNs: 1_600_000,
    seed: 11,
  });
  const pacedInput = join(work, 'paced.parquet');
  await writeTrace(pacedInput, paced);
  const orig = await modules.replay.replayFile({
    input: pacedInput,
    target: join(work, 'original'),
    out: join(work, 'original.replay.parquet'),
    timing: 'original',
    onPhase: log,
  });
  const ro = orig.report;

  log('same writes, afap vs recorded timing (A B A B)');
  const sameWrites = await sameWritesLatency(join(work, 'same-writes'));

  const us = (ns) => (ns / 1e3).toFixed(1);
  const result = {
    ops: OPS,
    afap: {
      opsPerSec: Math.round(afapRate),
      workers: ra.workers,
      seconds: ra.totalTimeNs.replayed / 1e9,
      issueErrorUs: { median: ra.issueErrorNs.p50 / 1e3, p99: ra.issueErrorNs.p99 / 1e3 },
      errorsDiffer: ra.errors.differing,
    },
    native: { opsPerSec: Math.round(native.opsPerSec), seconds: native.seconds, errors: native.errors },
    afapVsNative: afapRate / native.opsPerSec,
    fsPath: {
      syncOpsPerSec: Math.round(fsPath.syncRate),
      asyncCallbacksOpsPerSec: Math.round(fsPath.asyncRate),
    },
    sameWrites,
    original: {
      ops: PACED_OPS,
      recordedSeconds: ro.totalTimeNs.recorded / 1e9,
      replayedSeconds: ro.totalTimeNs.replayed / 1e9,
      totalTimeRatio: ro.totalTimeNs.ratio,
      issueErrorUs: {
        median: ro.issueErrorNs.p50 / 1e3,
        p99: ro.issueErrorNs.p99 / 1e3,
        max: ro.issueErrorNs.max / 1e3,
      },
      lagUs: { median: ro.lagNs.p50 / 1e3, p99: ro.lagNs.p99 / 1e3, max: ro.lagNs.max / 1e3 },
    },
  };
  const md = [
    '## Replay',
    '',
    `Trace: ${OPS.toLocaleString('en')} ops, 8 threads, ~1000 files (4 KiB reads/writes + metadata).`,
    '',
    '| measure | value | target |',
    '|---|---|---|',
    `| afap replay | ${Math.round(afapRate).toLocaleString('en')} ops/s (${ra.workers} workers, ${(ra.totalTimeNs.replayed / 1e9).toFixed(1)} s) | >= 50,000 ops/s |`,
    `| native loop, same calls | ${Math.round(native.opsPerSec).toLocaleString('en')} ops/s (${native.seconds.toFixed(1)} s) | |`,
    `| afap / native | ${(afapRate / native.opsPerSec).toFixed(2)}x | |`,
    `| afap errors differing from trace | ${ra.errors.differing} | 0 |`,
    `| fs path, one thread: sync calls vs async callbacks (8 in flight, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4}) | ${Math.round(fsPath.syncRate).toLocaleString('en')} vs ${Math.round(fsPath.asyncRate).toLocaleString('en')} ops/s | |`,
    `| original timing: issue error median / p99 / max | ${us(ro.issueErrorNs.p50)} / ${us(ro.issueErrorNs.p99)} / ${us(ro.issueErrorNs.max)} µs | median < 100 µs |`,
    `| original timing: lag behind recorded times median / p99 | ${us(ro.lagNs.p50)} / ${us(ro.lagNs.p99)} µs | |`,
    ...sameWrites.map(
      (r) =>
        `| same 2000 4 KiB writes 1 ms apart, ${r.timing} (round ${r.round}): write latency p50 / p99 | ${us(r.p50)} / ${us(r.p99)} µs | original ≈ afap |`,
    ),
    `| original timing: total time recorded -> replayed | ${(ro.totalTimeNs.recorded / 1e9).toFixed(2)} s -> ${(ro.totalTimeNs.replayed / 1e9).toFixed(2)} s (${ro.totalTimeNs.ratio?.toFixed(3)}x) | ~1x |`,
    '',
  ].join('\n');
  process.stdout.write(md + '\n');
  const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'replay-latest.json'), JSON.stringify(result, null, 2));
} finally {
  rmSync(work, { recursive: true, force: true });
}
