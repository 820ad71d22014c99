/**
 * Metric instruments fed from per-batch aggregates: a handful of SDK calls per (op, errno)
 * group per batch. The latency histogram is the exception: the OpenTelemetry API can only record
 * one value per call, so its buckets are accumulated in typed arrays (DurationHistograms) and
 * handed to every reader by a MetricProducer instead.
 */
import {
  ValueType,
  type Attributes,
  type Counter,
  type Gauge,
  type HrTime,
  type Meter,
} from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type Histogram,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { FAULT_KINDS, OPS } from '../trace/schema.js';
import {
  BUCKETS,
  DURATION_BOUNDARIES_SECONDS,
  ERRNO_SLOTS,
  groupParts,
  ORIGINS,
  type BatchAggregate,
  type DurationHistograms,
} from './aggregate.js';
import { errnoName } from './errno.js';

export const METRIC_NAMES = {
  ops: 'interposer.ops',
  bytes: 'interposer.bytes',
  duration: 'interposer.op.duration',
  faults: 'interposer.faults',
  throttleWait: 'interposer.throttle.wait',
  inflight: 'interposer.inflight',
} as const;

export const INSTRUMENTATION_SCOPE = 'interposer';

/** Wall-clock now as OpenTelemetry HrTime ([seconds, nanoseconds] since the epoch). */
function nowHrTime(): HrTime {
  const ms = Date.now();
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}

/** Attribute objects built once per group and reused: the SDK keys its storage by attributes. */
function memo<T>(build: (index: number) => T): (index: number) => T {
  const cache: T[] = [];
  return (index) => (cache[index] ??= build(index));
}

export class MetricsRecorder {
  private readonly ops: Counter;
  private readonly bytes: Counter;
  private readonly faults: Counter;
  private readonly throttleWait: Counter;
  private readonly inflight: Gauge;

  private readonly opErrnoAttrs = memo<Attributes>((g) => {
    const { origin, op, errno } = groupParts(g);
    return { op: OPS[op]!, errno: errnoName(errno), origin: ORIGINS[origin]! };
  });
  private readonly readAttrs = memo<Attributes>((op) => ({ op: OPS[op]!, direction: 'read' }));
  private readonly writeAttrs = memo<Attributes>((op) => ({ op: OPS[op]!, direction: 'write' }));
  private readonly opAttrs = memo<Attributes>((op) => ({ op: OPS[op]! }));
  private readonly faultAttrs = memo<Attributes>((f) => {
    const e = f % ERRNO_SLOTS;
    return { kind: FAULT_KINDS[Math.floor(f / ERRNO_SLOTS)]!, errno: e === 0 ? 'none' : errnoName(e) };
  });

  constructor(meter: Meter) {
    this.ops = meter.createCounter(METRIC_NAMES.ops, {
      description:
        'File-system operations completed, by op, errno and origin (application, or kernel: its own routine requests such as the security.capability check before writes)',
      unit: '{operation}',
      valueType: ValueType.INT,
    });
    this.bytes = meter.createCounter(METRIC_NAMES.bytes, {
      description: 'Data bytes moved by read/write/copy_file_range, by op and direction',
      unit: 'By',
      valueType: ValueType.INT,
    });
    this.faults = meter.createCounter(METRIC_NAMES.faults, {
      description: 'Operations an overlay injected a fault into, by fault kind and injected errno',
      unit: '{fault}',
      valueType: ValueType.INT,
    });
    this.throttleWait = meter.createCounter(METRIC_NAMES.throttleWait, {
      description: 'Time operations spent waiting on a throttle, by op',
      unit: 's',
      valueType: ValueType.DOUBLE,
    });
    this.inflight = meter.createGauge(METRIC_NAMES.inflight, {
      description: 'Mean operations in flight over the last batch window (estimated from start/end times)',
      unit: '{operation}',
      valueType: ValueType.DOUBLE,
    });
  }

  record(agg: BatchAggregate): void {
    for (let t = 0; t < agg.touchedCount; t++) {
      const g = agg.touchedGroups[t]!;
      this.ops.add(agg.opCount[g]!, this.opErrnoAttrs(g));
    }
    for (let op = 0; op < OPS.length; op++) {
      if (agg.readBytes[op]! > 0) this.bytes.add(agg.readBytes[op]!, this.readAttrs(op));
      if (agg.writeBytes[op]! > 0) this.bytes.add(agg.writeBytes[op]!, this.writeAttrs(op));
      if (agg.throttleWaitNs[op]! > 0) this.throttleWait.add(agg.throttleWaitNs[op]! / 1e9, this.opAttrs(op));
    }
    for (let f = 0; f < agg.faultCount.length; f++) {
      if (agg.faultCount[f]! > 0) this.faults.add(agg.faultCount[f]!, this.faultAttrs(f));
    }
    if (agg.rows > 0) this.inflight.record(agg.meanInflight());
  }
}

/** Serves the cumulative latency histograms to a MetricReader at each collection. */
export class DurationHistogramProducer implements MetricProducer {
  private readonly startTime: HrTime = nowHrTime();

  constructor(
    private readonly histograms: DurationHistograms,
    private readonly resource: Resource,
    private readonly scopeVersion: string,
  ) {}

  async collect(): Promise<CollectionResult> {
    const endTime = nowHrTime();
    const h = this.histograms;
    const dataPoints: DataPoint<Histogram>[] = [];
    for (let op = 0; op < OPS.length; op++) {
      if (h.count[op] === 0) continue;
      dataPoints.push({
        startTime: this.startTime,
        endTime,
        attributes: { op: OPS[op]! },
        value: {
          buckets: {
            boundaries: DURATION_BOUNDARIES_SECONDS.slice(),
            counts: Array.from(h.bucketCounts.subarray(op * BUCKETS, (op + 1) * BUCKETS)),
          },
          count: h.count[op]!,
          sum: h.sumNs[op]! / 1e9,
          min: h.minNs[op]! / 1e9,
          max: h.maxNs[op]! / 1e9,
        },
      });
    }
    return {
      resourceMetrics: {
        resource: this.resource,
        scopeMetrics:
          dataPoints.length === 0
            ? []
            : [
                {
                  scope: { name: INSTRUMENTATION_SCOPE, version: this.scopeVersion },
                  metrics: [
                    {
                      descriptor: {
                        name: METRIC_NAMES.duration,
                        description: 'Operation latency (end - start), by op',
                        unit: 's',
                        valueType: ValueType.DOUBLE,
                      },
                      aggregationTemporality: AggregationTemporality.CUMULATIVE,
                      dataPointType: DataPointType.HISTOGRAM,
                      dataPoints,
                    },
                  ],
                },
              ],
      },
      errors: [],
    };
  }
}
