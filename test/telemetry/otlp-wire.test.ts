/**
 * Spans, metrics and fault logs travel over the wire to a real OTLP receiver on loopback, for
 * each protocol, with the endpoint taken from OTEL_EXPORTER_OTLP_ENDPOINT as in production.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultRecord } from '../../src/overlay/fault-log.js';
import { createTelemetry, type OtlpProtocol } from '../../src/telemetry/index.js';
import { ANCHOR_NS, batchOf, row } from './fixtures.js';
import {
  decodeLogAttributes,
  decodeMetricNames,
  decodeTraceRequest,
  startGrpcReceiver,
  startHttpReceiver,
  type OtlpReceiver,
  type ReceivedRequest,
} from './otlp-receiver.js';

const savedEnv = { ...process.env };
const receivers: OtlpReceiver[] = [];
afterEach(async () => {
  process.env = { ...savedEnv };
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const FAULT: FaultRecord = {
  time: '2023-11-14T22:13:20.123Z',
  timeNs: '1700000000123000000',
  tNs: '1',
  op: 'write',
  path: '/w',
  pid: 9,
  uid: 0,
  gid: 0,
  rule: 'r1',
  kind: 'errno',
  errno: 28,
  errnoName: 'ENOSPC',
};

/** Runs one short recording's worth of telemetry against `receiver` with `protocol`. */
async function exportOnce(receiver: OtlpReceiver, protocol: OtlpProtocol): Promise<ReceivedRequest[]> {
  receivers.push(receiver);
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
  process.env.OTEL_SERVICE_NAME = `wire-${protocol}`;
  const errors: string[] = [];
  const telemetry = await createTelemetry({
    wallClockAnchorNs: ANCHOR_NS,
    protocol,
    spans: { ratio: 1 },
    metrics: { otlp: true, exportIntervalMillis: 60_000 },
    onError: (m) => errors.push(m),
  });
  telemetry!.onBatch(
    batchOf([
      row({ seq: 0n, op: 'read', path: '/r', bytes: 4096n, startNs: 1_000n, durationNs: 20_000n }),
      row({ seq: 1n, op: 'write', path: '/w', errno: 28, faultKind: 'errno', faultErrno: 28 }),
    ]),
  );
  telemetry!.onFault(FAULT);
  // Shutdown flushes every signal: the final metric collection included.
  await telemetry!.shutdown();
  expect(errors).toEqual([]);
  return receiver.requests;
}

function bySignal(requests: ReceivedRequest[], signal: string): ReceivedRequest[] {
  return requests.filter((r) => r.signal === signal);
}

describe('OTLP over the wire', () => {
  it('http/json: spans, metrics and logs arrive and decode', async () => {
    const requests = await exportOnce(await startHttpReceiver(), 'http/json');
    const traces = bySignal(requests, 'traces');
    expect(traces.length).toBeGreaterThan(0);
    expect(traces[0]!.contentType).toContain('application/json');

    interface JsonKv {
      key: string;
      value: { stringValue?: string; intValue?: string | number };
    }
    interface JsonSpan {
      name: string;
      startTimeUnixNano: string | number;
      attributes: JsonKv[];
      status?: { code?: number };
    }
    const spans: JsonSpan[] = traces.flatMap((r) =>
      (
        JSON.parse(r.body.toString()) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: JsonSpan[] }> }>;
        }
      ).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
    );
    expect(spans.map((s) => s.name).sort()).toEqual(['read', 'write']);
    const read = spans.find((s) => s.name === 'read')!;
    expect(BigInt(read.startTimeUnixNano)).toBe(ANCHOR_NS + 1_000n);
    const attr = (s: JsonSpan, key: string) => s.attributes.find((a) => a.key === key)?.value;
    expect(attr(read, 'fs.path')?.stringValue).toBe('/r');
    expect(Number(attr(read, 'fs.bytes')?.intValue)).toBe(4096);
    const write = spans.find((s) => s.name === 'write')!;
    expect(write.status?.code).toBe(2); // STATUS_CODE_ERROR
    expect(attr(write, 'fs.errno.name')?.stringValue).toBe('ENOSPC');

    const metricsBody = JSON.parse(bySignal(requests, 'metrics').at(-1)!.body.toString()) as {
      resourceMetrics: Array<{
        resource: { attributes: JsonKv[] };
        scopeMetrics: Array<{ metrics: Array<{ name: string; sum?: unknown; histogram?: unknown }> }>;
      }>;
    };
    const rm = metricsBody.resourceMetrics[0]!;
    expect(rm.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue).toBe(
      'wire-http/json',
    );
    const metrics = rm.scopeMetrics.flatMap((s) => s.metrics);
    const ops = metrics.find((m) => m.name === 'interposer.ops') as {
      sum: { isMonotonic: boolean; dataPoints: Array<{ asInt?: string | number; attributes: JsonKv[] }> };
    };
    expect(ops.sum.isMonotonic).toBe(true);
    const total = ops.sum.dataPoints.reduce((n, p) => n + Number(p.asInt), 0);
    expect(total).toBe(2);
    const duration = metrics.find((m) => m.name === 'interposer.op.duration') as {
      histogram: {
        dataPoints: Array<{ count: string | number; explicitBounds: number[]; bucketCounts: unknown[] }>;
      };
    };
    expect(duration.histogram.dataPoints).toHaveLength(2);
    expect(duration.histogram.dataPoints[0]!.explicitBounds).toHaveLength(22);

    const logs = JSON.parse(bySignal(requests, 'logs')[0]!.body.toString()) as {
      resourceLogs: Array<{
        scopeLogs: Array<{ logRecords: Array<{ severityText: string; attributes: JsonKv[] }> }>;
      }>;
    };
    const record = logs.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    expect(record.severityText).toBe('WARN');
    expect(record.attributes.find((a) => a.key === 'fault.rule_id')?.value.stringValue).toBe('r1');
  });

  it('http/protobuf: the same content, protobuf-encoded', async () => {
    const requests = await exportOnce(await startHttpReceiver(), 'http/protobuf');
    const traces = bySignal(requests, 'traces');
    expect(traces[0]!.contentType).toBe('application/x-protobuf');
    const spans = traces.flatMap((r) => decodeTraceRequest(r.body));
    expect(spans.map((s) => s.name).sort()).toEqual(['read', 'write']);
    const read = spans.find((s) => s.name === 'read')!;
    expect(read.startNs).toBe(ANCHOR_NS + 1_000n);
    expect(read.endNs).toBe(ANCHOR_NS + 21_000n);
    expect(read.attributes).toMatchObject({ 'fs.path': '/r', 'fs.bytes': 4096, 'fs.op': 'read' });
    expect(read.resource['service.name']).toBe('wire-http/protobuf');
    expect(spans.find((s) => s.name === 'write')!.statusCode).toBe(2);

    const names = decodeMetricNames(bySignal(requests, 'metrics').at(-1)!.body);
    expect(names).toEqual(
      expect.arrayContaining(['interposer.ops', 'interposer.op.duration', 'interposer.faults']),
    );
    expect(decodeLogAttributes(bySignal(requests, 'logs')[0]!.body)[0]).toMatchObject({
      'fault.action': 'errno ENOSPC',
      'fs.path': '/w',
    });
  });

  it('grpc: the same content over gRPC', async () => {
    const requests = await exportOnce(await startGrpcReceiver(), 'grpc');
    const spans = bySignal(requests, 'traces').flatMap((r) => decodeTraceRequest(r.body));
    expect(spans.map((s) => s.name).sort()).toEqual(['read', 'write']);
    expect(spans.find((s) => s.name === 'read')!.attributes['fs.path']).toBe('/r');
    expect(decodeMetricNames(bySignal(requests, 'metrics').at(-1)!.body)).toContain('interposer.bytes');
    expect(decodeLogAttributes(bySignal(requests, 'logs')[0]!.body)[0]).toMatchObject({
      'fault.rule_id': 'r1',
    });
  });

  it('reports an unreachable collector through onError instead of failing the recording', async () => {
    const receiver = await startHttpReceiver();
    const endpoint = receiver.endpoint;
    await receiver.close(); // nothing listens there any more
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
    process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '2000';
    const errors: string[] = [];
    const telemetry = await createTelemetry({
      wallClockAnchorNs: ANCHOR_NS,
      protocol: 'http/json',
      spans: { ratio: 1 },
      logs: false,
      onError: (m) => errors.push(m),
    });
    telemetry!.onBatch(batchOf([row({ seq: 0n })]));
    await telemetry!.shutdown();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/exporting spans over OTLP http\/json failed/);
    expect(errors[1]).toMatch(
      /dropped 1 of 1 spans \(last error: exporting spans over OTLP http\/json failed/,
    );
  });

  it('bounds the whole shutdown when the collector never answers, and says what was dropped', async () => {
    // Accepts connections and never replies: every export waits for its timeout.
    const sockets = new Set<Socket>();
    const blackHole = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { port } = blackHole.address() as AddressInfo;
    try {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
      const errors: string[] = [];
      const telemetry = await createTelemetry({
        wallClockAnchorNs: ANCHOR_NS,
        protocol: 'http/protobuf',
        spans: { ratio: 1 },
        metrics: { otlp: true, exportIntervalMillis: 60_000 },
        logs: true,
        shutdownTimeoutMillis: 400,
        onError: (m) => errors.push(m),
      });
      telemetry!.onBatch(batchOf(Array.from({ length: 50 }, (_, i) => row({ seq: BigInt(i) }))));
      telemetry!.onFault(FAULT);
      await telemetry!.shutdown();
      // One line naming everything that did not arrive, for all three signals together.
      expect(errors.at(-1)).toMatch(
        /^gave up on the collector after 0\.\d s at shutdown; dropped 50 of 50 spans, the final metric totals, 1 of 1 fault log records$/,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });
});
