/**
 * The telemetry pipeline: OpenTelemetry providers, exporters and readers wired to the per-batch
 * aggregation and span emission. Loaded only when some telemetry is on (see index.ts).
 */
import { createRequire } from 'node:module';
import type { Logger } from '@opentelemetry/api-logs';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
  type Resource,
} from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type BufferConfig } from '@opentelemetry/sdk-trace-base';
import type { TraceBatch } from '../trace/batch.js';
import { BatchAggregate, DurationHistograms, aggregateBatch } from './aggregate.js';
import {
  otlpLogExporter,
  otlpMetricExporter,
  otlpSpanExporter,
  otlpTimeoutMillis,
  reportExportFailures,
  resolveProtocol,
  type Signal,
} from './exporters.js';
import { describeDropped, ExportLedger } from './export-ledger.js';
import { emitFaultLog } from './logs.js';
import { DurationHistogramProducer, INSTRUMENTATION_SCOPE, MetricsRecorder } from './metrics.js';
import { startPrometheusEndpoint, type PrometheusEndpoint } from './prometheus.js';
import { headSampler } from './sampling.js';
import { JsonlMetricSnapshotExporter } from './snapshot-file.js';
import { SpanEmitter } from './spans.js';
import type { FaultLogRecord, SpanOptions, Telemetry, TelemetryOptions } from './types.js';

export const DEFAULT_METRIC_EXPORT_INTERVAL_MS = 10_000;
/**
 * Bounds the whole shutdown (every signal flushes in parallel against one deadline) when a
 * collector is unreachable, so a recording ends promptly. With OTLP on, the deadline is the
 * longest OTLP export timeout (exporters.ts: 3 s unless OTEL_EXPORTER_OTLP_*TIMEOUT says
 * otherwise), which is also when the exporters' own retries end and let the process exit. What
 * could not be delivered by then is reported as dropped.
 */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 3_000;

function packageVersion(): string {
  try {
    // Same relative path from src/telemetry and dist/telemetry.
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Defaults < OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (SDK env detector) < explicit options. */
function buildResource(options: TelemetryOptions, version: string): Resource {
  const explicit: Record<string, string | number | boolean> = { ...options.resourceAttributes };
  if (options.serviceName) explicit['service.name'] = options.serviceName;
  return defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'interposer', 'service.version': version }))
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes(explicit));
}

/** Our defaults for a high-rate source, unless the user set the OTEL_BSP_* variable. */
function spanBufferConfig(spans: SpanOptions, env: NodeJS.ProcessEnv): BufferConfig {
  const pick = (explicit: number | undefined, envName: string, fallback: number) =>
    explicit ?? (env[envName] ? undefined : fallback);
  return {
    maxQueueSize: pick(spans.maxQueueSize, 'OTEL_BSP_MAX_QUEUE_SIZE', 32_768),
    maxExportBatchSize: pick(spans.maxExportBatchSize, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 4_096),
    scheduledDelayMillis: pick(spans.scheduledDelayMillis, 'OTEL_BSP_SCHEDULE_DELAY', 1_000),
  };
}

function metricExportInterval(explicit: number | undefined, env: NodeJS.ProcessEnv): number {
  if (explicit !== undefined) return explicit;
  const fromEnv = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_METRIC_EXPORT_INTERVAL_MS;
}

function periodicReader(
  exporter: PushMetricExporter,
  intervalMs: number,
  producer: DurationHistogramProducer,
) {
  return new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: intervalMs,
    exportTimeoutMillis: Math.min(30_000, intervalMs),
    metricProducers: [producer],
  });
}

class ShutdownTimeout extends Error {}

async function withTimeout(work: Promise<unknown>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ShutdownTimeout(`${what} did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const env = options.env ?? process.env;
  // Remember what was reported so shutdown does not repeat an export failure already shown.
  const reported: string[] = [];
  const onError = options.onError;
  const report = onError
    ? (message: string) => {
        reported.push(message);
        onError(message);
      }
    : undefined;
  const version = packageVersion();
  const resource = buildResource(options, version);
  const stoppers: Array<{ what: string; stop: () => Promise<unknown>; ledger?: ExportLedger }> = [];
  /** Longest OTLP export timeout in use: shutdown waits that long at most (by default). */
  let longestOtlpTimeout = 0;
  const otlpTimeout = (signal: Signal): number => {
    const ms = otlpTimeoutMillis(signal, env);
    longestOtlpTimeout = Math.max(longestOtlpTimeout, ms);
    return ms;
  };
  /** OTLP deliveries, to say what an unreachable collector made us drop. */
  const ledgers: ExportLedger[] = [];
  let lastExportError = '';
  let summarised = false;
  const noteExportError = (message: string) => {
    if (summarised) return; // the shutdown summary already said what was dropped
    lastExportError = message;
    report?.(message);
  };

  let spanEmitter: SpanEmitter | null = null;
  let spanLedger: ExportLedger | null = null;
  if (options.spans && options.spans.ratio > 0) {
    let exporter = options.exporters?.spans;
    if (!exporter) {
      const protocol = resolveProtocol('traces', options.protocol, env);
      spanLedger = new ExportLedger('spans');
      ledgers.push(spanLedger);
      exporter = reportExportFailures(
        await otlpSpanExporter(protocol, otlpTimeout('traces')),
        `spans over OTLP ${protocol}`,
        noteExportError,
        spanLedger,
      );
    }
    // Spans are built from finished rows and handed straight to the batch processor: no tracer,
    // no SDK-side sampler (head sampling already happened per row; a second one would compound).
    const processor = new BatchSpanProcessor(exporter, spanBufferConfig(options.spans, env));
    spanEmitter = new SpanEmitter(
      processor,
      headSampler(options.spans.ratio),
      options.wallClockAnchorNs,
      resource,
      {
        name: INSTRUMENTATION_SCOPE,
        version,
      },
    );
    stoppers.push({
      what: 'span export',
      stop: () => processor.shutdown(),
      ...(spanLedger ? { ledger: spanLedger } : {}),
    });
  }

  let recorder: MetricsRecorder | null = null;
  const aggregate = new BatchAggregate();
  const histograms = new DurationHistograms();
  let prometheus: PrometheusEndpoint | null = null;
  const metrics = options.metrics;
  const extraReaders = options.exporters?.metricReaders;
  let metricLedger: ExportLedger | null = null;
  if (metrics || extraReaders) {
    const producer = new DurationHistogramProducer(histograms, resource, version);
    const intervalMs = metricExportInterval(metrics?.exportIntervalMillis, env);
    const readers: MetricReader[] = [];
    if (metrics?.otlp) {
      const protocol = resolveProtocol('metrics', options.protocol, env);
      metricLedger = new ExportLedger('metric totals', true);
      ledgers.push(metricLedger);
      const exporter = reportExportFailures(
        await otlpMetricExporter(protocol, otlpTimeout('metrics')),
        `metrics over OTLP ${protocol}`,
        noteExportError,
        metricLedger,
      );
      readers.push(periodicReader(exporter, intervalMs, producer));
    }
    if (metrics?.snapshotFile) {
      const exporter = reportExportFailures(
        new JsonlMetricSnapshotExporter(metrics.snapshotFile),
        `metric snapshots to ${metrics.snapshotFile}`,
        report,
      );
      readers.push(periodicReader(exporter, intervalMs, producer));
    }
    if (metrics?.prometheus) {
      prometheus = await startPrometheusEndpoint(
        metrics.prometheus.port,
        metrics.prometheus.host ?? '127.0.0.1',
        [producer],
      );
      // The Prometheus exporter pins its own sdk-metrics patch release: same reader at runtime,
      // distinct private fields to the type checker.
      readers.push(prometheus.reader as unknown as MetricReader);
      const endpoint = prometheus;
      stoppers.push({ what: 'Prometheus endpoint', stop: () => endpoint.close() });
    }
    if (extraReaders) readers.push(...extraReaders([producer]));
    const provider = new MeterProvider({ resource, readers });
    recorder = new MetricsRecorder(provider.getMeter(INSTRUMENTATION_SCOPE, version));
    // Shutting the provider down runs a last collection, so the final totals are exported too.
    stoppers.unshift({
      what: 'metric export',
      stop: () => provider.shutdown(),
      ...(metricLedger ? { ledger: metricLedger } : {}),
    });
  }

  let logger: Logger | null = null;
  let logLedger: ExportLedger | null = null;
  const logsWanted = options.logs ?? Boolean(spanEmitter || metrics?.otlp);
  if (logsWanted || options.exporters?.logs) {
    let exporter = options.exporters?.logs;
    if (!exporter) {
      const protocol = resolveProtocol('logs', options.protocol, env);
      logLedger = new ExportLedger('fault log records');
      ledgers.push(logLedger);
      exporter = reportExportFailures(
        await otlpLogExporter(protocol, otlpTimeout('logs')),
        `fault logs over OTLP ${protocol}`,
        noteExportError,
        logLedger,
      );
    }
    const provider = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor({ exporter })],
    });
    logger = provider.getLogger(INSTRUMENTATION_SCOPE, version);
    stoppers.push({
      what: 'log export',
      stop: () => provider.shutdown(),
      ...(logLedger ? { ledger: logLedger } : {}),
    });
  }

  let stopped = false;
  let internalErrorReported = false;
  const internalError = (err: unknown) => {
    // A telemetry bug must not end a recording: report once, keep going.
    if (internalErrorReported) return;
    internalErrorReported = true;
    const message = `dropped data after an internal error: ${err instanceof Error ? err.message : String(err)}`;
    if (report) report(message);
    else console.error(`interposer: telemetry: ${message}`);
  };

  return {
    prometheusUrl: prometheus?.url ?? null,
    onBatch(batch: TraceBatch): void {
      if (stopped || batch.length === 0) return;
      try {
        if (recorder) {
          aggregate.reset();
          aggregateBatch(batch, aggregate, histograms);
          recorder.record(aggregate);
        }
        const emitted = spanEmitter?.emit(batch) ?? 0;
        if (spanLedger) spanLedger.offered += emitted;
      } catch (err) {
        internalError(err);
      }
    },
    onFault(record: FaultLogRecord): void {
      if (stopped || !logger) return;
      try {
        emitFaultLog(logger, record);
        if (logLedger) logLedger.offered++;
      } catch (err) {
        internalError(err);
      }
    },
    async shutdown(): Promise<void> {
      if (stopped) return;
      stopped = true;
      const budget =
        options.shutdownTimeoutMillis ??
        (longestOtlpTimeout > 0 ? longestOtlpTimeout : DEFAULT_SHUTDOWN_TIMEOUT_MS);
      const started = Date.now();
      const results = await Promise.allSettled(
        stoppers.map(({ what, stop }) => withTimeout(stop(), budget, what)),
      );
      const say = (message: string) => {
        if (report) report(message);
        else console.error(`interposer: telemetry: ${message}`);
      };
      let gaveUp = false;
      results.forEach((result, i) => {
        if (result.status !== 'rejected') return;
        if (result.reason instanceof ShutdownTimeout) {
          gaveUp = true;
          const ledger = stoppers[i]!.ledger;
          if (ledger?.cumulative) ledger.lastOk = false; // its final export never completed
          return;
        }
        const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
        if (reported.some((r) => r.includes(message))) return;
        say(`flushing at shutdown failed: ${message}`);
      });
      const dropped = describeDropped(ledgers);
      summarised = true;
      if (dropped || gaveUp) {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const why = lastExportError ? ` (last error: ${lastExportError})` : '';
        say(
          `${gaveUp ? `gave up on the collector after ${seconds} s at shutdown` : 'at shutdown'}; dropped ${dropped || 'what was still being sent'}${why}`,
        );
      }
    },
  };
}
