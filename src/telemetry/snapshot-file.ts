/**
 * Metric snapshots appended to a JSON Lines file: the no-server way to keep a time series of a
 * long run next to its trace. One line per data point per export, cumulative values, so a crash
 * loses at most the last interval and the file loads as a table, e.g. in DuckDB:
 *   SELECT time, attributes.op, value FROM read_json('run.metrics.jsonl') WHERE metric = 'interposer.ops'
 */
import type { FileHandle } from 'node:fs/promises';
import { appendOutputFile, PRIVATE_OUTPUT, type OutputAccess } from '../io/output-file.js';
import { DataPointType, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { HrTime } from '@opentelemetry/api';

/** ExportResultCode of @opentelemetry/core (not a direct dependency). */
const SUCCESS = 0;
const FAILED = 1;

export interface SnapshotLine {
  time: string;
  metric: string;
  unit: string;
  kind: 'sum' | 'gauge' | 'histogram';
  attributes: Record<string, unknown>;
  value?: number;
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
  boundaries?: number[];
  bucket_counts?: number[];
}

function isoOf(time: HrTime): string {
  return new Date(time[0] * 1000 + Math.floor(time[1] / 1e6)).toISOString();
}

export function snapshotLines(metrics: ResourceMetrics): SnapshotLine[] {
  const lines: SnapshotLine[] = [];
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const base = { metric: metric.descriptor.name, unit: metric.descriptor.unit };
      switch (metric.dataPointType) {
        case DataPointType.SUM:
        case DataPointType.GAUGE:
          for (const p of metric.dataPoints) {
            lines.push({
              time: isoOf(p.endTime),
              ...base,
              kind: metric.dataPointType === DataPointType.SUM ? 'sum' : 'gauge',
              attributes: p.attributes,
              value: p.value,
            });
          }
          break;
        case DataPointType.HISTOGRAM:
          for (const p of metric.dataPoints) {
            lines.push({
              time: isoOf(p.endTime),
              ...base,
              kind: 'histogram',
              attributes: p.attributes,
              count: p.value.count,
              sum: p.value.sum,
              min: p.value.min,
              max: p.value.max,
              boundaries: p.value.buckets.boundaries,
              bucket_counts: p.value.buckets.counts,
            });
          }
          break;
        case DataPointType.EXPONENTIAL_HISTOGRAM:
          break; // not produced by this package
      }
    }
  }
  return lines;
}

export class JsonlMetricSnapshotExporter implements PushMetricExporter {
  private pending: Promise<void> = Promise.resolve();

  private handle: Promise<FileHandle> | null = null;

  constructor(
    readonly path: string,
    private readonly access: OutputAccess = PRIVATE_OUTPUT,
  ) {}

  /** Opened on the first export, private by default: snapshots name paths and processes. */
  private file(): Promise<FileHandle> {
    this.handle ??= appendOutputFile(this.path, this.access, 'metric snapshot file');
    return this.handle;
  }

  export(metrics: ResourceMetrics, resultCallback: (result: { code: number; error?: Error }) => void): void {
    const lines = snapshotLines(metrics);
    if (lines.length === 0) {
      resultCallback({ code: SUCCESS });
      return;
    }
    const text = lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
    this.pending = this.pending.then(() =>
      this.file()
        .then((fh) => fh.appendFile(text))
        .then(
          () => resultCallback({ code: SUCCESS }),
          (error: Error) => resultCallback({ code: FAILED, error }),
        ),
    );
  }

  forceFlush(): Promise<void> {
    return this.pending;
  }

  async shutdown(): Promise<void> {
    await this.pending;
    const handle = this.handle;
    this.handle = null;
    if (handle) await (await handle.catch(() => null))?.close();
  }
}
