/**
 * OpenTelemetry export of trace rows: spans per sampled operation, aggregated metrics (OTLP,
 * Prometheus scrape, JSON-lines snapshots) and fault log records.
 *
 * This module and flags.ts load no OpenTelemetry code: the SDK is imported only when
 * createTelemetry() is asked for something, so telemetry off costs one `null` check per batch.
 */
import { telemetryEnabled } from './flags.js';
import type { Telemetry, TelemetryOptions } from './types.js';

export async function createTelemetry(options: TelemetryOptions): Promise<Telemetry | null> {
  if (!telemetryEnabled(options)) return null;
  const { startTelemetry } = await import('./pipeline.js');
  return startTelemetry(options);
}

export {
  parseRatio,
  telemetryEnabled,
  telemetryOptionsFromFlags,
  type TelemetryContext,
  type TelemetryFlagValues,
} from './flags.js';
export { teeFaultLog } from './fault-tee.js';
export type {
  ExporterOverrides,
  FaultLogRecord,
  MetricsOptions,
  OtlpProtocol,
  SpanOptions,
  Telemetry,
  TelemetryOptions,
} from './types.js';
