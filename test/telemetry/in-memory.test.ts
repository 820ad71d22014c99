import { SpanStatusCode } from '@opentelemetry/api';
import { type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry, type TelemetryOptions } from '../../src/telemetry/index.js';
import { headSampler } from '../../src/telemetry/sampling.js';
import { DURATION_BOUNDARIES_SECONDS } from '../../src/telemetry/aggregate.js';
import type { FaultRecord } from '../../src/overlay/fault-log.js';
import type { TraceBatch } from '../../src/trace/batch.js';
import {
  ANCHOR_NS,
  CollectingReader,
  KeepingLogExporter,
  KeepingSpanExporter,
  batchOf,
  pointValue,
  row,
} from './fixtures.js';

const open: Telemetry[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.shutdown()));
});

async function start(options: Omit<TelemetryOptions, 'wallClockAnchorNs'>): Promise<Telemetry> {
  const telemetry = await createTelemetry({ wallClockAnchorNs: ANCHOR_NS, ...options });
  if (!telemetry) throw new Error('expected telemetry to be on');
  open.push(telemetry);
  return telemetry;
}

function hrToNs([s, ns]: [number, number]): bigint {
  return BigInt(s) * 1_000_000_000n + BigInt(ns);
}

describe('createTelemetry', () => {
  it('returns null when nothing is asked for', async () => {
    expect(await createTelemetry({ wallClockAnchorNs: 0n })).toBeNull();
    expect(await createTelemetry({ wallClockAnchorNs: 0n, spans: { ratio: 0 } })).toBeNull();
    expect(await createTelemetry({ wallClockAnchorNs: 0n, metrics: { otlp: false } })).toBeNull();
  });

  it('returns null when OTEL_SDK_DISABLED is true', async () => {
    const spans = new KeepingSpanExporter();
    const t = await createTelemetry({
      wallClockAnchorNs: 0n,
      spans: { ratio: 1 },
      exporters: { spans },
      env: { OTEL_SDK_DISABLED: 'true' },
    });
    expect(t).toBeNull();
  });
});

describe('spans', () => {
  it('exports one span per row with the row as attributes and its own times', async () => {
    const exporter = new KeepingSpanExporter();
    const t = await start({ spans: { ratio: 1 }, exporters: { spans: exporter }, logs: false });
    t.onBatch(
      batchOf([
        row({
          seq: 0n,
          op: 'read',
          path: '/data/x',
          fh: 7n,
          offset: 4096n,
          size: 8192n,
          bytes: 8000n,
          startNs: 2_000_000_000n,
          durationNs: 1500n,
          pid: 42,
          tid: 43,
          uid: 1001,
          gid: 1002,
          comm: 'postgres',
          throttleWaitNs: 900n,
        }),
        row({ seq: 1n, op: 'rename', path: '/a', path2: '/b', errno: 2 }),
        row({
          seq: 2n,
          op: 'write',
          path: '/w',
          size: 100n,
          bytes: 10n,
          faultKind: 'truncate',
          faultTruncatedTo: 10n,
        }),
        row({
          seq: 3n,
          op: 'open',
          path: '/f',
          errno: 5,
          faultKind: 'errno',
          faultErrno: 5,
          faultDelayNs: 1000n,
        }),
      ]),
    );
    await t.shutdown();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['read', 'rename', 'write', 'open']);
    const [read, rename, write, openSpan] = spans as [ReadableSpan, ReadableSpan, ReadableSpan, ReadableSpan];

    expect(read.attributes).toEqual({
      'fs.op': 'read',
      'fs.path': '/data/x',
      'fs.bytes': 8000,
      'fs.size': 8192,
      'fs.offset': 4096,
      'fs.fh': 7,
      'fs.errno': 0,
      'process.pid': 42,
      'thread.id': 43,
      'fs.uid': 1001,
      'fs.gid': 1002,
      'process.command': 'postgres',
      'throttle.wait_ns': 900,
      'interposer.seq': 0,
    });
    expect(hrToNs(read.startTime)).toBe(ANCHOR_NS + 2_000_000_000n);
    expect(hrToNs(read.endTime)).toBe(ANCHOR_NS + 2_000_001_500n);
    expect(read.status.code).toBe(SpanStatusCode.UNSET);
    expect(read.parentSpanContext).toBeUndefined();

    expect(rename.attributes['fs.path2']).toBe('/b');
    expect(rename.attributes['fs.errno']).toBe(2);
    expect(rename.attributes['fs.errno.name']).toBe('ENOENT');
    expect(rename.status).toEqual({ code: SpanStatusCode.ERROR, message: 'ENOENT' });

    expect(write.attributes['fault.kind']).toBe('truncate');
    expect(write.attributes['fault.truncated_to']).toBe(10);
    expect(write.attributes).not.toHaveProperty('fault.errno');

    expect(openSpan.attributes).toMatchObject({
      'fault.kind': 'errno',
      'fault.errno': 5,
      'fault.delay_ns': 1000,
    });
    expect(openSpan.status.code).toBe(SpanStatusCode.ERROR);
    expect(read.resource.attributes['service.name']).toBe('interposer');
    expect(read.instrumentationScope.name).toBe('interposer');
    expect(read.duration).toEqual([0, 1500]);
    expect(read.ended).toBe(true);
    // Each operation is its own trace: distinct, well-formed, non-zero ids.
    const contexts = spans.map((s) => s.spanContext());
    for (const c of contexts) {
      expect(c.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(c.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(c.traceId).not.toMatch(/^0+$/);
      expect(c.traceFlags & 1).toBe(1); // sampled
    }
    expect(new Set(contexts.map((c) => c.traceId)).size).toBe(spans.length);
    expect(new Set(contexts.map((c) => c.spanId)).size).toBe(spans.length);
  });

  it('head-samples by seq: the ratio holds and the same rows are picked every time', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => row({ seq: BigInt(i), op: 'getattr' }));
    const batch = batchOf(rows);
    const pick = async () => {
      const exporter = new KeepingSpanExporter();
      const t = await start({
        spans: { ratio: 0.05, maxQueueSize: 100_000 },
        exporters: { spans: exporter },
        logs: false,
      });
      t.onBatch(batch);
      await t.shutdown();
      return exporter.getFinishedSpans().map((s) => s.attributes['interposer.seq'] as number);
    };
    const first = await pick();
    // Binomial(20000, 0.05): mean 1000, sd ~31; 6 sd either side.
    expect(first.length).toBeGreaterThan(1000 - 186);
    expect(first.length).toBeLessThan(1000 + 186);
    expect(await pick()).toEqual(first);
    const sampler = headSampler(0.05);
    expect(first).toEqual(rows.map((_, i) => i).filter((i) => sampler.sampled(i)));
  });

  it('honours service name and resource attributes, explicit over OTEL_* env', async () => {
    const exporter = new KeepingSpanExporter();
    const prev = { ...process.env };
    process.env.OTEL_SERVICE_NAME = 'from-env';
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment=test,team=storage';
    try {
      const t = await start({
        spans: { ratio: 1 },
        exporters: { spans: exporter },
        logs: false,
        resourceAttributes: { team: 'io' },
      });
      t.onBatch(batchOf([row({ seq: 0n })]));
      await t.shutdown();
      const t2 = await start({
        spans: { ratio: 1 },
        exporters: { spans: exporter },
        logs: false,
        serviceName: 'explicit',
      });
      t2.onBatch(batchOf([row({ seq: 1n })]));
      await t2.shutdown();
    } finally {
      process.env = prev;
    }
    const [a, b] = exporter.getFinishedSpans() as [ReadableSpan, ReadableSpan];
    expect(a.resource.attributes).toMatchObject({
      'service.name': 'from-env',
      'deployment.environment': 'test',
      team: 'io',
    });
    expect(b.resource.attributes['service.name']).toBe('explicit');
  });
});

describe('metrics', () => {
  async function metricsFor(batches: TraceBatch[]) {
    let reader: CollectingReader | undefined;
    const t = await start({
      exporters: { metricReaders: (producers) => [(reader = new CollectingReader(producers))] },
      logs: false,
    });
    for (const b of batches) t.onBatch(b);
    return reader!.metrics();
  }

  it('counts ops by op and errno name, bytes by direction, faults and throttle wait', async () => {
    const metrics = await metricsFor([
      batchOf([
        row({ seq: 0n, op: 'read', bytes: 100n }),
        row({ seq: 1n, op: 'read', bytes: 50n }),
        row({ seq: 2n, op: 'read', errno: 5, faultKind: 'errno', faultErrno: 5 }),
        row({ seq: 3n, op: 'write', bytes: 30n, throttleWaitNs: 250_000_000n, faultKind: 'throttle' }),
        row({ seq: 4n, op: 'copy_file_range', bytes: 7n }),
        row({ seq: 5n, op: 'getattr', errno: 2 }),
      ]),
      batchOf([
        row({ seq: 6n, op: 'read', bytes: 1n }),
        row({ seq: 7n, op: 'write', bytes: 2n, throttleWaitNs: 250_000_000n }),
        row({ seq: 8n, op: 'open', faultKind: 'delay', faultDelayNs: 5n }),
      ]),
    ]);
    const ops = metrics.get('interposer.ops');
    const app = { origin: 'application' };
    expect(pointValue(ops, { ...app, op: 'read', errno: 'OK' })).toBe(3);
    expect(pointValue(ops, { ...app, op: 'read', errno: 'EIO' })).toBe(1);
    expect(pointValue(ops, { ...app, op: 'getattr', errno: 'ENOENT' })).toBe(1);
    expect(pointValue(ops, { ...app, op: 'write', errno: 'OK' })).toBe(2);
    expect(ops?.dataPoints).toHaveLength(6);

    const bytes = metrics.get('interposer.bytes');
    expect(pointValue(bytes, { op: 'read', direction: 'read' })).toBe(151);
    expect(pointValue(bytes, { op: 'write', direction: 'write' })).toBe(32);
    expect(pointValue(bytes, { op: 'copy_file_range', direction: 'read' })).toBe(7);
    expect(pointValue(bytes, { op: 'copy_file_range', direction: 'write' })).toBe(7);
    expect(bytes?.dataPoints).toHaveLength(4);

    const faults = metrics.get('interposer.faults');
    expect(pointValue(faults, { kind: 'errno', errno: 'EIO' })).toBe(1);
    expect(pointValue(faults, { kind: 'throttle', errno: 'none' })).toBe(1);
    expect(pointValue(faults, { kind: 'delay', errno: 'none' })).toBe(1);

    expect(pointValue(metrics.get('interposer.throttle.wait'), { op: 'write' })).toBeCloseTo(0.5, 9);
    expect(metrics.get('interposer.throttle.wait')?.descriptor.unit).toBe('s');
  });

  it('builds per-op latency histograms with buckets from 1 us to 10 s', async () => {
    const durations = [500n, 1_000n, 1_001n, 1_000_000n, 3_000_000_000n, 20_000_000_000n];
    const metrics = await metricsFor([
      batchOf(durations.map((d, i) => row({ seq: BigInt(i), op: 'fsync', durationNs: d }))),
      batchOf([row({ seq: 100n, op: 'read', durationNs: 2_000n })]),
    ]);
    const duration = metrics.get('interposer.op.duration');
    expect(duration?.descriptor.unit).toBe('s');
    const fsync = pointValue<Histogram>(duration, { op: 'fsync' })!;
    expect(fsync.buckets.boundaries).toEqual(DURATION_BOUNDARIES_SECONDS);
    expect(fsync.buckets.boundaries[0]).toBe(0.000001);
    expect(fsync.buckets.boundaries.at(-1)).toBe(10);
    const expected = new Array(DURATION_BOUNDARIES_SECONDS.length + 1).fill(0);
    expected[0] = 2; // 0.5 us and exactly 1 us (upper bound inclusive)
    expected[1] = 1; // 1.001 us
    expected[DURATION_BOUNDARIES_SECONDS.indexOf(0.001)] = 1; // exactly 1 ms
    expected[DURATION_BOUNDARIES_SECONDS.indexOf(5)] = 1; // 3 s
    expected[DURATION_BOUNDARIES_SECONDS.length] = 1; // 20 s: overflow bucket
    expect(fsync.buckets.counts).toEqual(expected);
    expect(fsync.count).toBe(6);
    expect(fsync.sum).toBeCloseTo(23.001002501, 9);
    expect(fsync.min).toBeCloseTo(0.0000005, 12);
    expect(fsync.max).toBe(20);
    expect(pointValue<Histogram>(duration, { op: 'read' })?.count).toBe(1);
  });

  it('estimates in-flight operations from start/end overlap', async () => {
    // Four ops of 100 us over a 100 us window: four in flight on average.
    const rows = Array.from({ length: 4 }, (_, i) =>
      row({ seq: BigInt(i), startNs: 1000n, durationNs: 100_000n }),
    );
    const metrics = await metricsFor([batchOf(rows)]);
    expect(metrics.get('interposer.inflight')?.dataPoints[0]?.value).toBeCloseTo(4, 9);
  });

  it("counts the kernel's routine requests apart from the application's (same rule as the analyzer)", async () => {
    const metrics = await metricsFor([
      batchOf([
        row({ seq: 0n, op: 'getxattr', path2: 'security.capability', errno: 61 }), // before a write
        row({ seq: 1n, op: 'getxattr', path2: 'security.capability', errno: 61 }),
        row({ seq: 2n, op: 'getxattr', path2: 'user.mime', errno: 61 }), // the application asked
        row({ seq: 3n, op: 'getattr', fh: 7n }), // revalidating an open file
        row({ seq: 4n, op: 'getattr' }), // stat() by path
        row({ seq: 5n, op: 'release', pid: 0 }), // no caller: the last close
      ]),
    ]);
    const ops = metrics.get('interposer.ops');
    const kernel = { origin: 'kernel' };
    const app = { origin: 'application' };
    expect(pointValue(ops, { ...kernel, op: 'getxattr', errno: 'ENODATA' })).toBe(2);
    expect(pointValue(ops, { ...app, op: 'getxattr', errno: 'ENODATA' })).toBe(1);
    expect(pointValue(ops, { ...kernel, op: 'getattr', errno: 'OK' })).toBe(1);
    expect(pointValue(ops, { ...app, op: 'getattr', errno: 'OK' })).toBe(1);
    expect(pointValue(ops, { ...kernel, op: 'release', errno: 'OK' })).toBe(1);
    expect(ops?.dataPoints).toHaveLength(5);
  });

  it('maps op names through the batch dictionary, whatever its order', async () => {
    const batch = batchOf([row({ seq: 0n, op: 'read', bytes: 3n }), row({ seq: 1n, op: 'mkdir' })]);
    const opCol = batch.columns.op!;
    if (opCol.kind !== 'string') throw new Error('op column');
    // A reader may hand back a batch whose op dictionary holds only the ops present.
    const reordered: TraceBatch = {
      length: batch.length,
      columns: {
        ...batch.columns,
        op: { kind: 'string', dictionary: ['mkdir', 'read'], indices: Int32Array.from([1, 0]) },
      },
    };
    const ops = (await metricsFor([reordered])).get('interposer.ops');
    expect(pointValue(ops, { op: 'read', errno: 'OK', origin: 'application' })).toBe(1);
    expect(pointValue(ops, { op: 'mkdir', errno: 'OK', origin: 'application' })).toBe(1);
  });
});

describe('fault logs', () => {
  it('emits a WARN log record per fault with the rule, action and caller', async () => {
    const logs = new KeepingLogExporter();
    const t = await start({ exporters: { logs } });
    const fault: FaultRecord = {
      time: '2023-11-14T22:13:20.123Z',
      timeNs: '1700000000123456789',
      tNs: '5000',
      op: 'read',
      path: '/db/x',
      pid: 77,
      uid: 0,
      gid: 0,
      rule: 'flaky-reads',
      kind: 'errno',
      errno: 5,
      errnoName: 'EIO',
    };
    t.onFault(fault);
    await t.shutdown();
    const [record] = logs.getFinishedLogRecords();
    expect(record).toBeDefined();
    expect(record!.severityText).toBe('WARN');
    expect(record!.eventName).toBe('interposer.fault');
    expect(hrToNs(record!.hrTime)).toBe(1_700_000_000_123_456_789n);
    expect(record!.attributes).toMatchObject({
      'fs.op': 'read',
      'fs.path': '/db/x',
      'process.pid': 77,
      'fault.rule_id': 'flaky-reads',
      'fault.kind': 'errno',
      'fault.action': 'errno EIO',
      'fault.errno': 5,
    });
    expect(record!.body).toContain('flaky-reads');
  });
});
