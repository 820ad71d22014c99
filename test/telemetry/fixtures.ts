/** Test rows and batches for telemetry tests. */
import { TraceBatchBuilder, type TraceBatch } from '../../src/trace/batch.js';
import type { TraceRow } from '../../src/trace/schema.js';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  MetricReader,
  type MetricData,
  type MetricProducer,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

export const ANCHOR_NS = 1_700_000_000_123_456_789n;

export function row(partial: Partial<TraceRow> & { seq: bigint }): TraceRow {
  const startNs = partial.startNs ?? partial.seq * 1000n;
  const durationNs = partial.durationNs ?? 500n;
  return {
    op: 'getattr',
    path: '/a',
    path2: null,
    fh: null,
    offset: null,
    size: null,
    bytes: 0n,
    errno: 0,
    flags: null,
    mode: null,
    pid: 100,
    tid: 101,
    uid: 1000,
    gid: 1000,
    comm: 'cat',
    faultKind: null,
    faultErrno: null,
    faultDelayNs: null,
    faultTruncatedTo: null,
    throttleWaitNs: null,
    ...partial,
    startNs,
    durationNs,
    endNs: partial.endNs ?? startNs + durationNs,
  };
}

export function batchOf(rows: readonly TraceRow[]): TraceBatch {
  const builder = new TraceBatchBuilder(Math.max(1, rows.length));
  for (const r of rows) builder.append(r);
  return builder.take();
}

/** A pull reader the test collects from on demand. */
export class CollectingReader extends MetricReader {
  constructor(metricProducers: MetricProducer[]) {
    super({ metricProducers });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}

  async metrics(): Promise<Map<string, MetricData>> {
    const { resourceMetrics, errors } = await this.collect();
    if (errors.length > 0) throw new Error(`collect errors: ${String(errors)}`);
    return metricsByName(resourceMetrics);
  }
}

export function metricsByName(resourceMetrics: ResourceMetrics): Map<string, MetricData> {
  const out = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics)
    for (const m of scope.metrics) out.set(m.descriptor.name, m);
  return out;
}

/** Value of the data point whose attributes equal `attrs` (undefined if none). */
export function pointValue<T>(metric: MetricData | undefined, attrs: Record<string, string>): T | undefined {
  if (!metric) return undefined;
  const points = metric.dataPoints as unknown as Array<{ attributes: Record<string, unknown>; value: T }>;
  const match = points.find(
    (p) =>
      Object.keys(p.attributes).length === Object.keys(attrs).length &&
      Object.entries(attrs).every(([k, v]) => p.attributes[k] === v),
  );
  return match?.value;
}

/** The SDK's in-memory exporters forget everything on shutdown; these keep it for assertions. */
export class KeepingSpanExporter extends InMemorySpanExporter {
  override shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export class KeepingLogExporter extends InMemoryLogRecordExporter {
  override shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
