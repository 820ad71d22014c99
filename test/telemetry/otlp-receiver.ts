/**
 * A minimal OTLP receiver on loopback for tests: HTTP (JSON or protobuf bodies) and gRPC, storing
 * every export request it gets. Protobuf bodies are decoded by a small wire-format reader that
 * knows just the OTLP fields the tests look at.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';

export type SignalPath = 'traces' | 'metrics' | 'logs';

export interface ReceivedRequest {
  signal: SignalPath;
  contentType: string;
  body: Buffer;
}

export interface OtlpReceiver {
  endpoint: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startHttpReceiver(): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const match = /^\/v1\/(traces|metrics|logs)$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) {
        res.statusCode = 404;
        res.end();
        return;
      }
      const contentType = req.headers['content-type'] ?? '';
      requests.push({ signal: match[1] as SignalPath, contentType, body });
      res.statusCode = 200;
      res.setHeader('content-type', contentType);
      res.end(contentType.includes('json') ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const GRPC_SERVICES: Record<SignalPath, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};

export async function startGrpcReceiver(): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = new grpc.Server();
  for (const [signal, path] of Object.entries(GRPC_SERVICES) as Array<[SignalPath, string]>) {
    const definition: grpc.ServiceDefinition = {
      Export: {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: (b: Buffer) => b,
        requestDeserialize: (b: Buffer) => b,
        // An empty message is a valid Export*ServiceResponse.
        responseSerialize: () => Buffer.alloc(0),
        responseDeserialize: (b: Buffer) => b,
      },
    };
    server.addService(definition, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        requests.push({ signal, contentType: 'application/grpc', body: call.request });
        callback(null, Buffer.alloc(0));
      },
    });
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

// ---- protobuf wire format, just enough for OTLP ----

export interface PbField {
  field: number;
  wire: number;
  /** varint / fixed values as bigint, length-delimited as bytes */
  int?: bigint;
  bytes?: Buffer;
}

export function decodeMessage(buf: Buffer): PbField[] {
  const out: PbField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, int: varint() });
    else if (wire === 1) {
      out.push({ field, wire, int: buf.readBigUInt64LE(pos) });
      pos += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      out.push({ field, wire, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 5) {
      out.push({ field, wire, int: BigInt(buf.readUInt32LE(pos)) });
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const sub = (fields: PbField[], n: number) =>
  fields.filter((f) => f.field === n).map((f) => decodeMessage(f.bytes!));
const str = (fields: PbField[], n: number) => fields.find((f) => f.field === n)?.bytes?.toString('utf8');

/** AnyValue: string_value=1, bool_value=2, int_value=3, double_value=4. */
function anyValue(fields: PbField[]): string | number | boolean | undefined {
  const f = fields[0];
  if (!f) return undefined;
  if (f.field === 1) return f.bytes!.toString('utf8');
  if (f.field === 2) return f.int === 1n;
  if (f.field === 3) return Number(BigInt.asIntN(64, f.int!));
  if (f.field === 4) return Buffer.from(new BigUint64Array([f.int!]).buffer).readDoubleLE(0);
  return undefined;
}

export function keyValues(fields: PbField[], n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of sub(fields, n)) out[str(kv, 1)!] = anyValue(sub(kv, 2)[0] ?? []);
  return out;
}

export interface DecodedSpan {
  name: string;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, unknown>;
  statusCode: number;
  resource: Record<string, unknown>;
}

/** ExportTraceServiceRequest -> spans (resource_spans=1 > scope_spans=2 > spans=2). */
export function decodeTraceRequest(body: Buffer): DecodedSpan[] {
  const spans: DecodedSpan[] = [];
  for (const rs of sub(decodeMessage(body), 1)) {
    const resource = keyValues(sub(rs, 1)[0] ?? [], 1);
    for (const ss of sub(rs, 2)) {
      for (const span of sub(ss, 2)) {
        const status = sub(span, 15)[0] ?? [];
        spans.push({
          name: str(span, 5)!,
          startNs: span.find((f) => f.field === 7)!.int!,
          endNs: span.find((f) => f.field === 8)!.int!,
          attributes: keyValues(span, 9),
          statusCode: Number(status.find((f) => f.field === 3)?.int ?? 0n),
          resource,
        });
      }
    }
  }
  return spans;
}

/** ExportMetricsServiceRequest -> metric names (resource_metrics=1 > scope_metrics=2 > metrics=2 > name=1). */
export function decodeMetricNames(body: Buffer): string[] {
  const names: string[] = [];
  for (const rm of sub(decodeMessage(body), 1))
    for (const sm of sub(rm, 2)) for (const m of sub(sm, 2)) names.push(str(m, 1)!);
  return names;
}

/** ExportLogsServiceRequest -> log records' attributes (resource_logs=1 > scope_logs=2 > log_records=2 > attributes=6). */
export function decodeLogAttributes(body: Buffer): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const rl of sub(decodeMessage(body), 1))
    for (const sl of sub(rl, 2)) for (const lr of sub(sl, 2)) out.push(keyValues(lr, 6));
  return out;
}
