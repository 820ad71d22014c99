/**
 * OpenTelemetry metric names to Prometheus conventions, as the OpenTelemetry-to-Prometheus
 * compatibility rules describe: the unit becomes a name suffix (`s` -> `_seconds`, `By` ->
 * `_bytes`; `{annotation}` units add nothing), counters then get `_total` from the serializer, and
 * no `# UNIT` line is written (UNIT is OpenMetrics-only, and `{operation}` or `By` are not units a
 * Prometheus text scrape knows). OTLP keeps the OpenTelemetry names and units as they are.
 */
import type { MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';

const UNIT_SUFFIXES: Readonly<Record<string, string>> = {
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  '1': 'ratio',
};

/** The base name (before `_total`/`_bucket`) Prometheus should see for an OTel name and unit. */
export function prometheusBaseName(name: string, unit: string | undefined): string {
  const suffix = unit ? UNIT_SUFFIXES[unit] : undefined;
  if (!suffix) return name;
  const words = name.split(/[._]/);
  return words.includes(suffix) ? name : `${name}_${suffix}`;
}

function renamed(metric: MetricData): MetricData {
  const { name, unit } = metric.descriptor;
  return { ...metric, descriptor: { ...metric.descriptor, name: prometheusBaseName(name, unit), unit: '' } };
}

/** A copy of a collection with every metric renamed for Prometheus. */
export function withPrometheusNames(rm: ResourceMetrics): ResourceMetrics {
  return {
    resource: rm.resource,
    scopeMetrics: rm.scopeMetrics.map((sm) => ({ ...sm, metrics: sm.metrics.map(renamed) })),
  };
}
