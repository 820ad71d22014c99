/**
 * Telemetry settings from command-line flag values (parsed by src/cli/options/telemetry.ts) and
 * INTERPOSER_* environment fallbacks, shared by `mount` and `replay`. Light on purpose: importing
 * this loads no OpenTelemetry code.
 *
 *   const telemetry = await createTelemetry(telemetryOptionsFromFlags(values, { wallClockAnchorNs, tracePath }));
 */
import { UsageError } from '../errors.js';
import { OTLP_PROTOCOLS, type OtlpProtocol, type TelemetryOptions } from './types.js';

/** The telemetry flags as given on a command line (src/cli/options/telemetry.ts); absent = environment. */
export interface TelemetryFlagValues {
  'otel-spans'?: string | undefined;
  'otel-metrics'?: boolean | undefined;
  'otel-protocol'?: string | undefined;
  'prometheus-port'?: string | undefined;
  'prometheus-host'?: string | undefined;
  'metrics-file'?: string | undefined;
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
