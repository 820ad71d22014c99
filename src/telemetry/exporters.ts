/**
 * OTLP exporters per signal and protocol. Endpoints, headers, timeouts and compression come from
 * the standard OTEL_EXPORTER_OTLP_* variables, read by the exporters themselves; only the
 * protocol is chosen here, because each protocol is a different package. Packages load on demand
 * (otlp-grpc.ts, otlp-proto.ts, otlp-http.ts) so gRPC is never loaded unless asked for.
 */
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExportLedger } from './export-ledger.js';
import { OTLP_PROTOCOLS, type OtlpProtocol } from './types.js';

export type Signal = 'traces' | 'metrics' | 'logs';

/** Explicit choice, else OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf (the spec default). */
export function resolveProtocol(
  signal: Signal,
  explicit: OtlpProtocol | undefined,
  env: NodeJS.ProcessEnv,
): OtlpProtocol {
  if (explicit) return explicit;
  const raw = env[`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_PROTOCOL`] ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  const value = raw?.trim();
  if (!value) return 'http/protobuf';
  if ((OTLP_PROTOCOLS as readonly string[]).includes(value)) return value as OtlpProtocol;
  throw new Error(`unsupported OTLP protocol "${value}" (expected one of ${OTLP_PROTOCOLS.join(', ')})`);
}

/**
 * Export timeout (retries included) when OTEL_EXPORTER_OTLP_[<SIGNAL>_]TIMEOUT is not set. The
 * spec's 10 s keeps retrying an unreachable collector that long after every export, and those
 * retry timers keep the process alive after a recording ends; 3 s is still ample for a batch.
 */
export const DEFAULT_OTLP_TIMEOUT_MS = 3_000;

/** The export timeout a signal's exporter uses: the OTEL_* variables, else our default. */
export function otlpTimeoutMillis(signal: Signal, env: NodeJS.ProcessEnv): number {
  for (const name of [`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_TIMEOUT`, 'OTEL_EXPORTER_OTLP_TIMEOUT']) {
    const value = Number(env[name]);
    if (env[name]?.trim() && Number.isFinite(value) && value > 0) return value;
  }
  return DEFAULT_OTLP_TIMEOUT_MS;
}

interface OtlpExporters {
  OTLPTraceExporter: new (config: { timeoutMillis: number }) => SpanExporter;
  OTLPMetricExporter: new (config: { timeoutMillis: number }) => PushMetricExporter;
  OTLPLogExporter: new (config: { timeoutMillis: number }) => LogRecordExporter;
}

/**
 * The chosen protocol's exporter classes. Each protocol is one module of ours that imports its
 * packages statically, so only that protocol's packages load (and a bundler sees plain imports).
 */
function otlpProtocol(protocol: OtlpProtocol): Promise<OtlpExporters> {
  switch (protocol) {
    case 'grpc':
      return import('./otlp-grpc.js');
    case 'http/protobuf':
      return import('./otlp-proto.js');
    case 'http/json':
      return import('./otlp-http.js');
  }
}

export async function otlpSpanExporter(protocol: OtlpProtocol, timeoutMillis: number): Promise<SpanExporter> {
  return new (await otlpProtocol(protocol)).OTLPTraceExporter({ timeoutMillis });
}

export async function otlpMetricExporter(
  protocol: OtlpProtocol,
  timeoutMillis: number,
): Promise<PushMetricExporter> {
  return new (await otlpProtocol(protocol)).OTLPMetricExporter({ timeoutMillis });
}

export async function otlpLogExporter(
  protocol: OtlpProtocol,
  timeoutMillis: number,
): Promise<LogRecordExporter> {
  return new (await otlpProtocol(protocol)).OTLPLogExporter({ timeoutMillis });
}

/** ExportResultCode.SUCCESS of @opentelemetry/core (not a direct dependency). */
const EXPORT_SUCCESS = 0;
const REPORT_INTERVAL_MS = 60_000;

interface ExportResult {
  code: number;
  error?: Error;
}
interface Exporting<T> {
  export(items: T, resultCallback: (result: ExportResult) => void): void;
}

/**
 * Wraps an exporter's export() so failures reach `report`: the first at once, later ones at most
 * once a minute with a count, so a missing collector is visible but never floods the terminal.
 * With a ledger, every export's items are counted as delivered or failed.
 */
export function reportExportFailures<E extends Exporting<never>>(
  exporter: E,
  what: string,
  report: ((message: string) => void) | undefined,
  ledger?: ExportLedger,
): E {
  if (!report && !ledger) return exporter;
  const exportOriginal = exporter.export.bind(exporter) as Exporting<unknown>['export'];
  let lastReportMs = -Infinity;
  let suppressed = 0;
  (exporter as Exporting<unknown>).export = (items, resultCallback) => {
    const count = Array.isArray(items) ? items.length : 1;
    ledger?.handed(count);
    exportOriginal(items, (result) => {
      ledger?.settled(count, result.code === EXPORT_SUCCESS);
      if (result.code !== EXPORT_SUCCESS && report) {
        const now = Date.now();
        if (now - lastReportMs >= REPORT_INTERVAL_MS) {
          const more = suppressed > 0 ? ` (${suppressed} more failures since the last report)` : '';
          report(`exporting ${what} failed: ${result.error?.message ?? 'unknown error'}${more}`);
          lastReportMs = now;
          suppressed = 0;
        } else {
          suppressed++;
        }
      }
      resultCallback(result);
    });
  };
  return exporter;
}
