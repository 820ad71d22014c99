/** `interposer replay`: re-execute a recorded trace against a directory and compare timings. */
import { createTelemetry, telemetryOptionsFromFlags } from '../../telemetry/index.js';
import { UsageError } from '../errors.js';
import { resolveOverlayConfig } from '../../overlay/index.js';
import {
  defaultOutputPath,
  formatReportText,
  parseThreshold,
  replayFile,
  reportJson,
} from '../../replay/index.js';
import { cliCommand, defineCommand } from '../args/index.js';
import { OVERLAY_OPTIONS, overlayFlagsFromOptions } from '../options/overlay.js';
import { TELEMETRY_OPTIONS, telemetryFlagValues } from '../options/telemetry.js';

const spec = defineCommand({
  name: 'replay',
  summary: 'replay a recorded trace against a directory and compare timings',
  synopsis: '<trace.parquet> --target DIR [options]',
  description:
    'Re-executes every recorded operation against DIR (created if missing; must be empty unless\n' +
    '--force), after creating the files and directories the trace needs. Writes a replay trace in the\n' +
    'same schema and prints recorded vs replayed latency, throughput and error differences.',
  positionals: [
    {
      name: 'trace.parquet',
      help: 'the recorded trace',
      path: { pathKind: 'file', role: 'input', noun: 'trace file' },
    },
  ],
  options: {
    target: {
      kind: 'path',
      pathKind: 'dir',
      role: 'output-dir',
      help: 'directory to replay into (required)',
    },
    out: {
      kind: 'path',
      pathKind: 'file',
      role: 'output',
      metavar: 'FILE',
      help: 'replay trace (default: <trace>.replay.parquet next to the input)',
    },
    timing: {
      kind: 'enum',
      choices: ['original', 'afap'],
      default: 'original',
      metavar: 'MODE',
      help: 'original: issue ops at their recorded times\nafap: as fast as possible, keeping only dependencies',
    },
    speed: {
      kind: 'number',
      min: 0,
      minExclusive: true,
      default: 1,
      metavar: 'X',
      help: 'original timing: play X times faster',
    },
    concurrency: {
      kind: 'number',
      integer: true,
      min: 1,
      help: 'worker threads (default: recorded threads, at most 32)',
    },
    'fail-if': {
      kind: 'custom',
      parse: parseThreshold,
      multiple: true,
      metavar: 'EXPR',
      help:
        'exit 3 when EXPR holds; repeatable. EXPR: METRIC(>|>=|<|<=)VALUE, e.g.\n' +
        "'p99.read>2x' 'total_time>1.5x' 'errors>0' 'p99.write>10ms'\n" +
        "'throughput<0.5x' 'issue_error.p99>200us' 'skipped>0'",
    },
    json: { kind: 'flag', help: 'print the report as JSON' },
    progress: { kind: 'flag', help: 'progress on stderr even when it is not a terminal' },
    force: { kind: 'flag', help: 'replay into a non-empty target' },
    ...OVERLAY_OPTIONS,
    ...TELEMETRY_OPTIONS,
  },
  footer:
    '(replay default for --fault-log: <out>.faults.jsonl whenever an overlay is active)\n' +
    '\n' +
    'Exit codes: 0 ok, 1 error, 2 usage, 3 a --fail-if threshold was exceeded, 130 interrupted\n' +
    '(Ctrl-C: the partial replay trace and report are still written, marked partial).',
});

export const summary = spec.summary;

export const command = cliCommand(spec, async ({ options: values, positionals }) => {
  if (values.target === undefined) throw new UsageError('--target DIR is required');
  const timing = values.timing;
  const speed = values.speed;
  const concurrency = values.concurrency;
  const thresholds = values['fail-if'];
  const overlayFlags = overlayFlagsFromOptions(values);
  const overlay = await resolveOverlayConfig(overlayFlags);
  const input = positionals[0]!;
  const out = values.out ?? defaultOutputPath(input);

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(
        '\ninterposer replay: stopping after the ops in progress (Ctrl-C again to abort)\n',
      );
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  const showProgress = values.progress === true || process.stderr.isTTY === true;
  const tty = process.stderr.isTTY === true;
  try {
    const outcome = await replayFile({
      input,
      target: values.target,
      out,
      timing,
      speed,
      concurrency,
      overlay,
      faultLog: overlayFlags.faultLog ?? null,
      force: values.force === true,
      thresholds,
      signal: controller.signal,
      onPhase: (message) => process.stderr.write(`interposer replay: ${message}\n`),
      createTelemetry: (wallClockAnchorNs) =>
        createTelemetry(
          telemetryOptionsFromFlags(telemetryFlagValues(values), {
            wallClockAnchorNs,
            ...(out ? { tracePath: out } : {}),
            onError: (message) => console.error(`interposer replay: telemetry: ${message}`),
          }),
        ),
      onProgress: showProgress ? (done, total, ms) => progress(done, total, ms, tty) : undefined,
    });
    if (showProgress && tty) process.stderr.write('\n');
    const { report } = outcome;
    console.log(values.json ? JSON.stringify(reportJson(report), null, 2) : formatReportText(report));
    return outcome.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
  }
});

export const run = command.run;

function progress(done: number, total: number, elapsedMs: number, tty: boolean): void {
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const eta = rate > 0 ? (total - done) / rate : Infinity;
  const pct = total > 0 ? ((done / total) * 100).toFixed(1) : '100';
  const line =
    `replay: ${done}/${total} ops (${pct}%), ${rate >= 1000 ? `${(rate / 1000).toFixed(1)}k` : rate.toFixed(0)} ops/s, ` +
    `ETA ${Number.isFinite(eta) ? `${Math.ceil(eta)}s` : '?'}`;
  process.stderr.write(tty ? `\r${line.padEnd(70)}` : `${line}\n`);
}
