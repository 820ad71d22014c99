// A long mixed run against one FUSE server while its memory is sampled every second: shows the
// peak RSS and whether it stays flat (a recorder that buffers without bound would grow).
import { join } from 'node:path';
import { fioArgs, parseFioJson } from './fio.mjs';
import { runMetaStorm } from './meta-storm.mjs';
import { runCommand } from './proc.mjs';
import { startRssSampler } from './rss.mjs';
import { layOutDataFiles, prewarm } from './workspace.mjs';

const MIXED_JOB = {
  id: 'long-randrw-4k',
  label: '4k randrw',
  rw: 'randrw',
  bs: '4k',
  numjobs: 1,
  unit: 'iops',
};

/**
 * Alternates a time-based 4k random read/write fio phase with a metadata storm until `seconds`
 * have passed or, with `ops`, until the workload has made that many calls (fio I/Os plus three
 * calls per storm file: a lower bound on the server's operations, which also serves the
 * kernel's own getattr/getxattr/flush/release requests).
 * @param {object} o
 * @param {object} o.spec          see specs.mjs
 * @param {{ backing: string, mnt: string, scratch: string }} o.workspace
 * @param {string} o.metaStormBinary
 * @param {number} o.seconds       time budget (the run stops at whichever limit comes first)
 * @param {number} [o.ops]         operation target
 * @param {number} [o.sizeMiB]
 * @param {(msg: string) => void} o.log
 */
export async function runLongRun(o) {
  const sizeMiB = o.sizeMiB ?? 128;
  const reason = await o.spec.unavailable();
  if (reason) return { row: o.spec.name, status: 'skipped', reason };
  await layOutDataFiles(o.workspace.backing, 1, sizeMiB);
  await prewarm(o.workspace.backing, 1);

  const handle = await o.spec.mount(o.workspace.backing, o.workspace.mnt, o.workspace.scratch);
  if (!handle.pid) {
    await handle.unmount();
    return { row: o.spec.name, status: 'skipped', reason: 'no server process to sample' };
  }
  const sampler = startRssSampler(handle.pid, 1000);
  const started = Date.now();
  const totals = { fioOps: 0, metaFiles: 0, cycles: 0, errors: [] };
  const opsDone = () => totals.fioOps + 3 * totals.metaFiles;
  const targetReached = () => o.ops !== undefined && opsDone() >= o.ops;
  let rss;
  let steps;
  try {
    for (;;) {
      const left = o.seconds - (Date.now() - started) / 1000;
      if (left < 1 || targetReached()) break;
      const runtimeS = Math.max(1, Math.min(10, Math.floor(left)));
      const res = await runCommand(
        'fio',
        [...fioArgs(MIXED_JOB, handle.root, { sizeMiB, runtimeS }), '--time_based', '--rwmixread=50'],
        { timeoutMs: (runtimeS + 60) * 1000 },
      );
      try {
        if (res.code !== 0) throw new Error(res.stderr.trim() || `fio exit ${res.code}`);
        const doc = JSON.parse(res.stdout.slice(res.stdout.indexOf('{')));
        const job = doc.jobs[0];
        totals.fioOps += job.read.total_ios + job.write.total_ios;
        parseFioJson(res.stdout); // same sanity checks as the suite (bytes moved, no job error)
      } catch (err) {
        totals.errors.push(`fio: ${err.message}`);
      }
      if ((Date.now() - started) / 1000 < o.seconds - 1 && !targetReached()) {
        try {
          const m = await runMetaStorm(o.metaStormBinary, join(handle.root, `long-meta-${totals.cycles}`), {
            files: 1000,
            bytes: 100,
          });
          totals.metaFiles += m.files;
        } catch (err) {
          totals.errors.push(`meta-storm: ${err.message}`);
        }
      }
      totals.cycles++;
      const now = sampler.peek();
      o.log(
        `  ${Math.round((Date.now() - started) / 1000)} s, ${opsDone()} ops: RSS ${(now / 1024 / 1024).toFixed(0)} MiB`,
      );
    }
  } finally {
    rss = sampler.stop();
    steps = await handle.unmount();
  }
  return {
    row: o.spec.name,
    status: 'ok',
    seconds: (Date.now() - started) / 1000,
    targetOps: o.ops ?? null,
    ...totals,
    rss,
    unmountSteps: steps,
    ...(handle.info ? handle.info() : {}),
  };
}
