/**
 * Public types of the telemetry sink. Kept free of runtime imports so that commands can import
 * them (and the flag helpers) without loading the OpenTelemetry SDK.
 */
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { FaultRecord } from '../overlay/fault-log.js';
import type { TraceBatch } from '../trace/batch.js';

export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';
export const OTLP_PROTOCOLS: readonly OtlpProtocol[] = ['grpc', 'http/protobuf', 'http/json'];

/**
 * One injected fault: the overlay's fault log record (src/overlay/fault-log.ts), exported as an
 * OpenTelemetry log record.
 */
export type FaultLogRecord = FaultRecord;

export interface SpanOptions {
  /** Head-sampling ratio in [0, 1]: fraction of rows exported as spans (decided by seq hash). */
  ratio: number;
  /** BatchSpanProcessor queue bound: spans beyond it are dropped rather than buffered. */
  maxQueueSize?: number;
  maxExportBatchSize?: number;
  scheduledDelayMillis?: number;
}

export interface MetricsOptions {
  /** Push metrics over OTLP every exportIntervalMillis. */
  otlp: boolean;
  exportIntervalMillis?: number;
  /** Serve a Prometheus scrape endpoint (GET /metrics). Port 0 picks a free port. */
  prometheus?: { port: number; host?: string };
  /** Append a JSON snapshot of every metric to this file each interval (JSON Lines). */
  snapshotFile?: string;
}

/** Exporters to use instead of OTLP ones: tests, benchmarks and embedders. */
export interface ExporterOverrides {
  spans?: SpanExporter;
  /** Readers to attach; must pass `metricProducers` to their MetricReader constructor. */
  metricReaders?: (metricProducers: MetricProducer[]) => MetricReader[];
  logs?: LogRecordExporter;
}

export interface TelemetryOptions {
  /** Spans per operation; absent or undefined = off. */
  spans?: SpanOptions;
  /** Aggregated metrics; absent = off. */
  metrics?: MetricsOptions;
  /** Fault log records over OTLP. Defaults to on when spans or OTLP metrics are on. */
  logs?: boolean;
  /** OTLP protocol for every signal; defaults to OTEL_EXPORTER_OTLP_[SIGNAL_]PROTOCOL, else http/protobuf. */
  protocol?: OtlpProtocol;
  /** service.name; OTEL_SERVICE_NAME wins over the default "interposer" but not over this. */
  serviceName?: string;
  /** Extra resource attributes (on top of OTEL_RESOURCE_ATTRIBUTES). */
  resourceAttributes?: Record<string, string | number | boolean>;
  /** Wall-clock ns at start_ns = 0: span times are anchor + start_ns / end_ns. */
  wallClockAnchorNs: bigint;
  /**
   * Called (rate-limited) when an export fails, e.g. the collector is unreachable, or telemetry
   * hit an internal error. Messages carry no prefix ("exporting spans over OTLP grpc failed: ...").
   * Default: export failures are silent, internal and shutdown errors go to stderr.
   */
  onError?: (message: string) => void;
  /**
   * The most shutdown() waits for every signal together (default 3000 ms); what was not
   * delivered by then is reported through onError as dropped.
   */
  shutdownTimeoutMillis?: number;
  exporters?: ExporterOverrides;
  /** Environment to read OTEL_* from (the exporters themselves read process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface Telemetry {
  /** Synchronous: aggregates and enqueues; never awaits export I/O, never keeps the batch. */
  onBatch(batch: TraceBatch): void;
  onFault(record: FaultLogRecord): void;
  /** Flushes every signal (final metric snapshot included) and releases ports and timers. */
  shutdown(): Promise<void>;
  /** http://host:port/metrics when the Prometheus endpoint is on. */
  readonly prometheusUrl: string | null;
}
