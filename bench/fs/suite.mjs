// Runs every workload against every file system under test, side by side in one process run,
// and returns structured results. Each row is mounted over the same backing dir in turn and is
// always unmounted (finally), and the harness checks that nothing is left mounted.
import { availableParallelism, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { FIO_JOBS, MAX_NUMJOBS, fioArgs, parseFioJson } from './fio.mjs';
import { STORMS, runMetaStorm, runMetaStormParallel } from './meta-storm.mjs';
import { isFuseMounted } from './mounts.mjs';
import { runCommand } from './proc.mjs';
import { readCpuSeconds } from './cpu.mjs';
import { startRssSampler } from './rss.mjs';
import { layOutDataFiles, prewarm } from './workspace.mjs';

/**
 * @typedef {object} SuiteOptions
 * @property {object[]} specs            see specs.mjs
 * @property {import('./fio.mjs').FioJob[]} [jobs]
 * @property {{ backing: string, mnt: string, scratch: string }} workspace
 * @property {string} metaStormBinary
 * @property {number} sizeMiB            per data file
 * @property {number} runtimeS           cap per fio job
 * @property {number} metaFiles
 * @property {number} metaBytes
 * @property {number} repeat             rounds; the best figure of each cell is kept
 * @property {number} cacheTimeoutS      entry/attr timeout given to every FUSE row (for the record)
 * @property {boolean} [writeback]       interposer rows run with keep_cache + writeback cache
 * @property {string} backingDescription what file system the backing dir is (for the report)
 * @property {number} warmupFiles        files of an unmeasured storm run first in each row (0: none)
 * @property {(msg: string) => void} log
 */

/** @param {SuiteOptions} o */
export async function runSuite(o) {
  const jobs = o.jobs ?? FIO_JOBS;
  const startedAt = new Date().toISOString();
  const loadBefore = loadavg();
  o.log(`laying out ${MAX_NUMJOBS} x ${o.sizeMiB} MiB data files in ${o.workspace.backing}`);
  await layOutDataFiles(o.workspace.backing, MAX_NUMJOBS, o.sizeMiB);

  /** @type {Map<string, any>} */
  const rows = new Map();
  for (const spec of o.specs) {
    rows.set(spec.name, {
      name: spec.name,
      description: spec.description,
      status: 'ok',
      fio: {},
      meta: null,
      meta4: null,
    });
  }

  for (let round = 1; round <= o.repeat; round++) {
    for (const spec of o.specs) {
      const row = rows.get(spec.name);
      if (row.status !== 'ok') continue;
      const reason = await spec.unavailable();
      if (reason) {
        Object.assign(row, { status: 'skipped', reason });
        o.log(`skip ${spec.name}: ${reason}`);
        continue;
      }
      o.log(`[round ${round}/${o.repeat}] ${spec.name}: ${spec.description}`);
      // Other work on the machine skews every figure: keep the load each row started under.
      row.loadAtStart = [...(row.loadAtStart ?? []), Number(loadavg()[0].toFixed(2))];
      await runCommand('sync', [], { timeoutMs: 120_000 });
      await prewarm(o.workspace.backing, MAX_NUMJOBS);
      try {
        await runRow(spec, row, jobs, o);
      } catch (err) {
        Object.assign(row, { status: 'failed', reason: err.message.split('\n')[0], detail: err.message });
        o.log(`FAILED ${spec.name}: ${err.message}`);
      }
      if (isFuseMounted(o.workspace.mnt))
        throw new Error(`${o.workspace.mnt} is still mounted after ${spec.name}`);
    }
  }

  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    host: { cpus: availableParallelism(), kernel: release(), loadBefore, loadAfter: loadavg() },
    settings: {
      backing: o.backingDescription,
      sizeMiB: o.sizeMiB,
      runtimeS: o.runtimeS,
      metaFiles: o.metaFiles,
      metaBytes: o.metaBytes,
      warmupFiles: o.warmupFiles,
      repeat: o.repeat,
      fio:
        'ioengine=psync direct=0 invalidate=0, one pass per job, backing page cache pre-warmed; ' +
        'O_DIRECT jobs: direct=1 after a sync (device bound)',
      cacheTimeoutS: o.cacheTimeoutS,
      fuse: o.writeback
        ? 'allow_other,default_permissions; interposer rows with keep_cache and the writeback cache, ' +
          `as passthrough-hp rows (its own caching); entry/attr/negative timeout ${o.cacheTimeoutS} s`
        : 'allow_other,default_permissions; no kernel_cache/auto_cache/writeback cache; ' +
          `entry/attr/negative timeout ${o.cacheTimeoutS} s`,
    },
    jobs: jobs.map(({ id, label, unit }) => ({ id, label, unit })),
    rows: [...rows.values()],
  };
}

async function runRow(spec, row, jobs, o) {
  const handle = await spec.mount(o.workspace.backing, o.workspace.mnt, o.workspace.scratch);
  const sampler = handle.pid ? startRssSampler(handle.pid, 500) : null;
  try {
    if (o.warmupFiles > 0) {
      // Unmeasured: a fresh server's first seconds carry one-time costs (thread pools, JIT, the
      // recorder's row-group arrays growing page by page at 12-15 µs per fault on this VM) that
      // would otherwise all land in the first job. A storm, so no data file's pages are cached.
      const dir = join(handle.root, `warmup-${process.pid}`);
      const t0 = process.hrtime.bigint();
      await runMetaStorm(o.metaStormBinary, dir, { files: o.warmupFiles, bytes: o.metaBytes });
      o.log(
        `  warm-up storm      ${o.warmupFiles} files, ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`,
      );
    }
    for (const job of jobs) {
      // Dirty pages left by earlier buffered writes would otherwise be flushed inside this run.
      if (job.direct) await runCommand('sync', [], { timeoutMs: 120_000 });
      const cpuBefore = handle.pid ? readCpuSeconds(handle.pid) : null;
      const res = await runCommand('fio', fioArgs(job, handle.root, o), {
        timeoutMs: (o.runtimeS + 120) * 1000,
      });
      const cpuAfter = handle.pid ? readCpuSeconds(handle.pid) : null;
      let cell;
      try {
        if (res.timedOut) throw new Error('fio timed out');
        if (res.code !== 0)
          throw new Error(res.stderr.trim().split('\n').slice(-3).join(' ') || `fio exit ${res.code}`);
        cell = parseFioJson(res.stdout);
        // CPU the server spent per request: unlike throughput, barely moved by other load.
        if (cpuBefore !== null && cpuAfter !== null && cell.ios > 0)
          cell.serverCpuUsPerOp = ((cpuAfter - cpuBefore) * 1e6) / cell.ios;
      } catch (err) {
        cell = { error: err.message };
      }
      keepBest(row.fio, job, cell);
      o.log(`  ${job.label.padEnd(18)} ${formatCell(cell, job.unit)}`);
    }
    for (const storm of STORMS) {
      const dir = join(handle.root, `meta-storm-${storm.clients}-${process.pid}`);
      const stormOptions = { clients: storm.clients, files: o.metaFiles, bytes: o.metaBytes };
      let meta;
      try {
        meta =
          storm.clients === 1
            ? await runMetaStorm(o.metaStormBinary, dir, stormOptions)
            : await runMetaStormParallel(o.metaStormBinary, dir, stormOptions);
      } catch (err) {
        meta = { error: err.message };
      }
      const prev = row[storm.key];
      if (!prev || prev.error || (!meta.error && meta.totalS < prev.totalS)) row[storm.key] = meta;
      o.log(
        `  ${storm.label.padEnd(18)} ${meta.error ?? `${Math.round(meta.opsPerSec)} ops/s (${meta.totalS.toFixed(3)} s)`}`,
      );
    }
  } finally {
    const rss = sampler?.stop();
    const steps = await handle.unmount();
    if (steps.length) o.log(`  unmount: ${steps.join('; ')}`);
    if (rss) {
      const { series: _series, ...summary } = rss;
      if (!row.rss || (summary.peakHwmBytes ?? 0) > (row.rss.peakHwmBytes ?? 0)) row.rss = summary;
    }
    if (handle.info) Object.assign(row, handle.info());
  }
}

function keepBest(fio, job, cell) {
  const prev = fio[job.id];
  const score = (c) => (c && !c.error ? (job.unit === 'iops' ? c.iops : c.mbps) : -1);
  if (!prev || score(cell) > score(prev)) fio[job.id] = cell;
}

function formatCell(cell, unit) {
  if (cell.error) return `error: ${cell.error}`;
  return unit === 'iops'
    ? `${Math.round(cell.iops)} IOPS, p50 ${cell.clatUs.p50} us, p99 ${cell.clatUs.p99} us`
    : `${cell.mbps.toFixed(0)} MB/s`;
}
