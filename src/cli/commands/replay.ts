import { parseArgs } from 'node:util';
import {
  TELEMETRY_FLAGS,
  TELEMETRY_FLAGS_HELP,
  createTelemetry,
  normalizeTelemetryArgv,
  telemetryOptionsFromFlags,
} from '../../telemetry/index.js';
import { UsageError } from '../errors.js';
import {
  OVERLAY_FLAGS_HELP,
  OVERLAY_PARSE_ARGS_OPTIONS,
  overlayFlagsFromParsedArgs,
  resolveOverlayConfig,
} from '../../overlay/index.js';
import {
  defaultOutputPath,
  formatReportText,
  parseThreshold,
  replayFile,
  reportJson,
  type ReplayReport,
} from '../../replay/index.js';

export const summary = 'replay a recorded trace against a directory and compare timings';

const HELP = `usage: interposer replay <trace.parquet> --target DIR [options]

Re-executes every recorded operation against DIR (created if missing; must be empty unless
--force), after creating the files and directories the trace needs. Writes a replay trace in the
same schema and prints recorded vs replayed latency, throughput and error differences.

Options:
  --target DIR           directory to replay into (required)
  --out FILE             replay trace (default: <trace>.replay.parquet next to the input)
  --timing MODE          original: issue ops at their recorded times (default)
                         afap: as fast as possible, keeping only dependencies
  --speed X              original timing: play X times faster (default 1)
  --concurrency N        worker threads (default: recorded threads, at most 32)
  --fail-if EXPR         exit 3 when EXPR holds; repeatable. EXPR: METRIC(>|>=|<|<=)VALUE, e.g.
                         'p99.read>2x' 'total_time>1.5x' 'errors>0' 'p99.write>10ms'
                         'throughput<0.5x' 'issue_error.p99>200us' 'skipped>0'
  --json                 print the report as JSON
  --html FILE            also write a self-contained HTML comparison (recorded vs replayed:
                         percentiles, ratios, --fail-if results, throughput over time)
  --progress             progress on stderr even when it is not a terminal
  --force                replay into a non-empty target
  -h, --help             this help

${OVERLAY_FLAGS_HELP}

${TELEMETRY_FLAGS_HELP}
  (replay default for --fault-log: <out>.faults.jsonl whenever an overlay is active)

Exit codes: 0 ok, 1 error, 2 usage, 3 a --fail-if threshold was exceeded, 130 interrupted
(Ctrl-C: the partial replay trace and report are still written, marked partial).`;

function positiveNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag}: expected a positive number, got "${value}"`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: normalizeTelemetryArgv(argv),
      allowPositionals: true,
      options: {
        target: { type: 'string' },
        out: { type: 'string' },
        timing: { type: 'string' },
        speed: { type: 'string' },
        concurrency: { type: 'string' },
        'fail-if': { type: 'string', multiple: true },
        json: { type: 'boolean' },
        html: { type: 'string' },
        progress: { type: 'boolean' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...OVERLAY_PARSE_ARGS_OPTIONS,
        ...TELEMETRY_FLAGS,
      },
    });
  } catch (err) {
    throw new UsageError(`replay: ${(err as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('replay: give exactly one trace file (see --help)');
  if (!values.target) throw new UsageError('replay: --target DIR is required');
  const timing = values.timing ?? 'original';
  if (timing !== 'original' && timing !== 'afap') {
    throw new UsageError(`--timing: expected original or afap, got "${timing}"`);
  }
  const speed = positiveNumber('--speed', values.speed, 1);
  const concurrency =
    values.concurrency === undefined ? undefined : positiveNumber('--concurrency', values.concurrency, 1);
  if (concurrency !== undefined && !Number.isInteger(concurrency))
    throw new UsageError('--concurrency: expected an integer');
  const thresholds = (values['fail-if'] ?? []).map(parseThreshold);
  const overlayFlags = overlayFlagsFromParsedArgs(values);
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
          telemetryOptionsFromFlags(values, {
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
    if (values.html !== undefined) await writeReplayHtml(report, input, out, values.html);
    return outcome.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** --html: both traces' aggregates (timelines, heatmaps) next to the replay's own comparison. */
async function writeReplayHtml(
  report: ReplayReport,
  input: string,
  out: string,
  htmlPath: string,
): Promise<void> {
  const { collectTrace, comparisonReportHtml, replayComparison, writeReportFile } =
    await import('../../report/index.js');
  const recorded = await collectTrace(input);
  const replayed = await collectTrace(out);
  await writeReportFile(
    htmlPath,
    comparisonReportHtml(replayComparison(report, recorded, replayed), 'interposer replay'),
  );
  process.stderr.write(`interposer replay: wrote ${htmlPath}\n`);
}

function progress(done: number, total: number, elapsedMs: number, tty: boolean): void {
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const eta = rate > 0 ? (total - done) / rate : Infinity;
  const pct = total > 0 ? ((done / total) * 100).toFixed(1) : '100';
  const line =
    `replay: ${done}/${total} ops (${pct}%), ${rate >= 1000 ? `${(rate / 1000).toFixed(1)}k` : rate.toFixed(0)} ops/s, ` +
    `ETA ${Number.isFinite(eta) ? `${Math.ceil(eta)}s` : '?'}`;
  process.stderr.write(tty ? `\r${line.padEnd(70)}` : `${line}\n`);
}
