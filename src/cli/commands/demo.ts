/** `interposer demo`: a self-contained tour: mount, real programs, analysis. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { cliCommand, defineCommand } from '../args/index.js';
import { checkMountPaths } from '../../record/preflight.js';
import { InterposerMount } from '../../record/mount.js';
import { DEMO_WORKLOADS, PROJECT_SOURCE, runWorkload } from '../../record/workloads.js';
import { analyzeTrace, formatReportText } from '../../analyze/index.js';

const spec = defineCommand({
  name: 'demo',
  summary: 'mount a temp dir, run real programs through it, print the trace analysis',
  description:
    'Mounts a temporary directory through the interposer, runs real programs on it (tar, sqlite3,\n' +
    'git, fio: whichever are installed), unmounts, prints the analysis of the trace and writes an\n' +
    'HTML report next to it (<trace>.html).',
  positionals: [],
  options: {
    trace: {
      kind: 'path',
      pathKind: 'file',
      role: 'output',
      default: 'demo-trace.parquet',
      metavar: 'FILE',
      help: 'where to write the trace',
    },
    keep: { kind: 'flag', help: 'keep the temporary backing directory' },
  },
});

export const summary = spec.summary;

export const command = cliCommand(spec, async ({ options: values }) => {
  const tracePath = resolve(values.trace);
  const work = mkdtempSync(join(tmpdir(), 'interposer-demo-'));
  const backingArg = join(work, 'backing');
  const mountArg = join(work, 'mnt');
  mkdirSync(backingArg);
  mkdirSync(mountArg);
  const { backing, mountpoint } = checkMountPaths(backingArg, mountArg, false);
  const mount = await InterposerMount.start({
    backing,
    mountpoint,
    tracePath,
    allowOther: process.geteuid?.() === 0,
  });
  const interrupt = (): void => void mount.stop();
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  console.log(`demo: ${backing} mounted at ${mountpoint}, recording to ${tracePath}`);
  let failed = 0;
  try {
    for (const workload of DEMO_WORKLOADS) {
      const result = await runWorkload(workload, mountpoint, PROJECT_SOURCE);
      if (result.skipped) console.log(`  skipped  ${workload.name} (${workload.needs} not installed)`);
      else if (result.exitCode === 0)
        console.log(`  ok       ${workload.name} (${result.seconds.toFixed(1)} s)`);
      else {
        failed++;
        console.log(`  FAILED   ${workload.name}: exit ${result.exitCode}\n${result.stderr.trim()}`);
      }
    }
  } finally {
    await mount.stop();
    if (!values.keep) rmSync(work, { recursive: true, force: true });
  }
  const { operations } = mount.stats();
  console.log(`demo: unmounted; ${operations} operations recorded\n`);
  const report = await analyzeTrace(tracePath);
  console.log(formatReportText(report, Math.min(process.stdout.columns ?? 100, 120)));
  const { collectTrace, traceReportHtml, writeReportFile } = await import('../../report/index.js');
  const htmlPath = tracePath.replace(/\.parquet$/, '') + '.html';
  await writeReportFile(htmlPath, traceReportHtml([await collectTrace(tracePath)]));
  console.log(`\nReport (open in a browser): ${htmlPath}`);
  console.log(`Explore it: interposer-tui ${tracePath}    (or: interposer analyze ${tracePath} --json)`);
  if (failed) throw new UserError(`${failed} demo workload(s) failed through the mount`);
  return 0;
});

export const run = command.run;
