/**
 * The telemetry command-line options, shared by `mount` and `replay`. Values are checked at parse
 * time; the INTERPOSER_* environment fallbacks are applied by telemetryOptionsFromFlags.
 */
import { OTLP_PROTOCOLS } from '../../telemetry/types.js';
import { parseRatio, type TelemetryFlagValues } from '../../telemetry/flags.js';
import { defineOptions, type OptionValues } from '../args/index.js';

const GROUP = 'Telemetry (OpenTelemetry; endpoints from OTEL_EXPORTER_OTLP_* variables)';

export const TELEMETRY_OPTIONS = defineOptions({
  'otel-spans': {
    kind: 'custom',
    group: GROUP,
    metavar: 'RATIO',
    help:
      'export one span per operation, head-sampled at RATIO (0..1 or N%;\n' +
      'bare: OTEL_TRACES_SAMPLER_ARG, else 1)',
    parse: (text: string): string => {
      parseRatio(text, '--otel-spans');
      return text;
    },
    // Bare `--otel-spans`: ratio from the environment, else 1.
    optionalValue: { bare: '' },
  },
  'otel-metrics': {
    kind: 'flag',
    group: GROUP,
    help: 'push metrics over OTLP (every OTEL_METRIC_EXPORT_INTERVAL ms, default 10000)',
  },
  'otel-protocol': {
    kind: 'enum',
    choices: OTLP_PROTOCOLS,
    metavar: 'P',
    group: GROUP,
    help: `${OTLP_PROTOCOLS.join(' | ')}\n(default: OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf)`,
  },
  'prometheus-port': {
    kind: 'number',
    integer: true,
    min: 0,
    max: 65_535,
    group: GROUP,
    help: 'serve Prometheus metrics at http://HOST:N/metrics',
  },
  'prometheus-host': {
    kind: 'string',
    metavar: 'H',
    group: GROUP,
    help: 'address to bind the Prometheus endpoint (default: 127.0.0.1;\n0.0.0.0 in a container)',
  },
  'metrics-file': {
    kind: 'path',
    pathKind: 'file',
    role: 'output',
    specials: ['none'],
    metavar: 'PATH|none',
    group: GROUP,
    help:
      'append metric snapshots as JSON lines (default when metrics are on:\n' +
      'TRACE.metrics.jsonl next to the trace)\n' +
      'Environment fallbacks: INTERPOSER_OTEL_SPANS, INTERPOSER_OTEL_METRICS=1,\n' +
      'INTERPOSER_PROMETHEUS_PORT, INTERPOSER_PROMETHEUS_HOST, INTERPOSER_METRICS_FILE;\n' +
      'OTEL_SDK_DISABLED=true turns all of it off.',
  },
});

export type TelemetryOptionValues = OptionValues<typeof TELEMETRY_OPTIONS>;

/** The parsed options in the shape telemetryOptionsFromFlags reads (absent = use the environment). */
export function telemetryFlagValues(values: TelemetryOptionValues): TelemetryFlagValues {
  const out: TelemetryFlagValues = {};
  if (values['otel-spans'] !== undefined) out['otel-spans'] = values['otel-spans'];
  if (values['otel-metrics']) out['otel-metrics'] = true;
  if (values['otel-protocol'] !== undefined) out['otel-protocol'] = values['otel-protocol'];
  if (values['prometheus-port'] !== undefined) out['prometheus-port'] = String(values['prometheus-port']);
  if (values['prometheus-host'] !== undefined) out['prometheus-host'] = values['prometheus-host'];
  if (values['metrics-file'] !== undefined) out['metrics-file'] = values['metrics-file'];
  return out;
}
