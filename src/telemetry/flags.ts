/**
 * Telemetry command-line flags (and INTERPOSER_* environment fallbacks) shared by `mount` and
 * `replay`. Light on purpose: importing this loads no OpenTelemetry code.
 *
 *   const { values } = parseArgs({ args: normalizeTelemetryArgv(argv), options: { ...own, ...TELEMETRY_FLAGS }, allowPositionals: true });
 *   const telemetry = await createTelemetry(telemetryOptionsFromFlags(values, { wallClockAnchorNs, tracePath }));
 */
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from '../cli/errors.js';
import { OTLP_PROTOCOLS, type OtlpProtocol, type TelemetryOptions } from './types.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export const TELEMETRY_FLAGS = {
  'otel-spans': { type: 'string' },
  'otel-metrics': { type: 'boolean' },
  'otel-protocol': { type: 'string' },
  'prometheus-port': { type: 'string' },
  'prometheus-host': { type: 'string' },
  'metrics-file': { type: 'string' },
} as const satisfies OptionsConfig;

/** What parseArgs yields for TELEMETRY_FLAGS (a command's values object is assignable to it). */
export interface TelemetryFlagValues {
  'otel-spans'?: string | undefined;
  'otel-metrics'?: boolean | undefined;
  'otel-protocol'?: string | undefined;
  'prometheus-port'?: string | undefined;
  'prometheus-host'?: string | undefined;
  'metrics-file'?: string | undefined;
}

export const TELEMETRY_FLAGS_HELP = `Telemetry (OpenTelemetry; endpoints from OTEL_EXPORTER_OTLP_* variables):
  --otel-spans[=RATIO]     export one span per operation, head-sampled at RATIO (0..1 or N%;
                           default OTEL_TRACES_SAMPLER_ARG, else 1)
  --otel-metrics           push metrics over OTLP (every OTEL_METRIC_EXPORT_INTERVAL ms, default 10000)
  --otel-protocol P        grpc | http/protobuf | http/json (default OTEL_EXPORTER_OTLP_PROTOCOL,
                           else http/protobuf)
  --prometheus-port N      serve Prometheus metrics at http://HOST:N/metrics
  --prometheus-host H      address to bind the Prometheus endpoint (default 127.0.0.1;
                           0.0.0.0 in a container)
  --metrics-file PATH|none append metric snapshots as JSON lines (default when metrics are on:
                           TRACE.metrics.jsonl next to the trace)
  Environment fallbacks: INTERPOSER_OTEL_SPANS, INTERPOSER_OTEL_METRICS=1, INTERPOSER_PROMETHEUS_PORT,
  INTERPOSER_PROMETHEUS_HOST, INTERPOSER_METRICS_FILE; OTEL_SDK_DISABLED=true turns all of it off.`;

/**
 * `--otel-spans` takes an optional value, which parseArgs cannot express: a bare `--otel-spans`
 * becomes `--otel-spans=` (ratio from the environment or 1). `--otel-spans 0.1` (with a space)
 * is therefore not a ratio: write `--otel-spans=0.1`.
 */
export function normalizeTelemetryArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let afterTerminator = false;
  for (const arg of argv) {
    if (arg === '--') afterTerminator = true;
    out.push(!afterTerminator && arg === '--otel-spans' ? '--otel-spans=' : arg);
  }
  return out;
}

export function parseRatio(text: string, what: string): number {
  const trimmed = text.trim();
  const percent = trimmed.endsWith('%');
  const value = Number(percent ? trimmed.slice(0, -1) : trimmed) / (percent ? 100 : 1);
  if (trimmed === '' || trimmed === '%' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(
      `${what}: expected a sampling ratio between 0 and 1 (or a percentage), got "${text}"`,
    );
  }
  return value;
}

/** OTEL_TRACES_SAMPLER_ARG when the configured sampler is a ratio sampler (or none is set). */
function ratioFromEnv(env: NodeJS.ProcessEnv): number {
  const sampler = env.OTEL_TRACES_SAMPLER?.trim();
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratioSampler = !sampler || sampler === 'traceidratio' || sampler === 'parentbased_traceidratio';
  if (!arg || !ratioSampler) return 1;
  return parseRatio(arg, 'OTEL_TRACES_SAMPLER_ARG');
}

function parsePort(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65_535) {
    throw new UsageError(`${what}: expected a TCP port number (0-65535), got "${text}"`);
  }
  return port;
}

function truthy(text: string | undefined): boolean {
  return text !== undefined && /^(1|true|yes|on)$/i.test(text.trim());
}

export interface TelemetryContext {
  /** Wall-clock ns at start_ns = 0 of the trace being produced. */
  wallClockAnchorNs: bigint;
  /** The trace being written, if any: metric snapshots default to `${tracePath}.metrics.jsonl`. */
  tracePath?: string;
  env?: NodeJS.ProcessEnv;
  onError?: (message: string) => void;
}

/** Flags first, then INTERPOSER_* variables. Throws UsageError for malformed values. */
export function telemetryOptionsFromFlags(
  values: TelemetryFlagValues,
  context: TelemetryContext,
): TelemetryOptions {
  const env = context.env ?? process.env;
  const options: TelemetryOptions = { wallClockAnchorNs: context.wallClockAnchorNs, env };
  if (context.onError) options.onError = context.onError;
  if (truthy(env.OTEL_SDK_DISABLED)) return options;

  const spansFlag = values['otel-spans'] ?? env.INTERPOSER_OTEL_SPANS;
  if (spansFlag !== undefined) {
    const bare = spansFlag.trim() === '' || truthy(spansFlag);
    const ratio = bare ? ratioFromEnv(env) : parseRatio(spansFlag, '--otel-spans');
    if (ratio > 0) options.spans = { ratio };
  }

  const otlpMetrics = values['otel-metrics'] ?? truthy(env.INTERPOSER_OTEL_METRICS);
  const portText = values['prometheus-port'] ?? env.INTERPOSER_PROMETHEUS_PORT;
  const hostText = values['prometheus-host'] ?? env.INTERPOSER_PROMETHEUS_HOST;
  const fileText = values['metrics-file'] ?? env.INTERPOSER_METRICS_FILE;
  if (hostText !== undefined && portText === undefined) {
    throw new UsageError('--prometheus-host needs --prometheus-port');
  }
  const prometheus =
    portText === undefined
      ? undefined
      : { port: parsePort(portText, '--prometheus-port'), ...(hostText ? { host: hostText } : {}) };
  const explicitFile = fileText !== undefined && fileText !== 'none' ? fileText : undefined;
  if (fileText === '') throw new UsageError('--metrics-file: expected a path or "none"');
  if (otlpMetrics || prometheus || explicitFile) {
    const snapshotFile =
      explicitFile ??
      (fileText === undefined && context.tracePath ? `${context.tracePath}.metrics.jsonl` : undefined);
    options.metrics = {
      otlp: otlpMetrics,
      ...(prometheus ? { prometheus } : {}),
      ...(snapshotFile ? { snapshotFile } : {}),
    };
  }

  const protocol = values['otel-protocol'];
  if (protocol !== undefined) {
    if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) {
      throw new UsageError(
        `--otel-protocol: expected one of ${OTLP_PROTOCOLS.join(', ')}, got "${protocol}"`,
      );
    }
    options.protocol = protocol as OtlpProtocol;
  }
  return options;
}

/** True when `options` asks for any telemetry at all. */
export function telemetryEnabled(options: TelemetryOptions): boolean {
  if (truthy((options.env ?? process.env).OTEL_SDK_DISABLED)) return false;
  const m = options.metrics;
  return Boolean(
    (options.spans && options.spans.ratio > 0) ||
    (m && (m.otlp || m.prometheus || m.snapshotFile)) ||
    options.logs === true ||
    options.exporters?.spans ||
    options.exporters?.metricReaders ||
    options.exporters?.logs,
  );
}
