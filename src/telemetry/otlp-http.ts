/** The OTLP exporters of one protocol, loaded together by exporters.ts when it is chosen. */
export { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
export { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
export { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
