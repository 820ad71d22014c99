/** The Prometheus scrape endpoint (scraped over HTTP, exposition text parsed) and the JSONL snapshot file. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '../../src/telemetry/index.js';
import type { SnapshotLine } from '../../src/telemetry/snapshot-file.js';
import { ANCHOR_NS, batchOf, row } from './fixtures.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition format (the subset exporters emit: no escapes in our labels). */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g))
      labels[pair[1]!] = pair[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

function value(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  // `le` is compared as a number: exporters differ in how they print 1e-05.
  const same = (k: string, want: string, got: string | undefined) =>
    got === want || (k === 'le' && got !== undefined && Number(got) === Number(want));
  return samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => same(k, v, s.labels[k])),
  )?.value;
}

const BATCH = batchOf([
  row({ seq: 0n, op: 'read', bytes: 4096n, durationNs: 20_000n }), // 20 us
  row({ seq: 1n, op: 'read', bytes: 4096n, durationNs: 2_000_000n }), // 2 ms
  row({ seq: 2n, op: 'read', errno: 5, faultKind: 'errno', faultErrno: 5, durationNs: 1_000n }),
  row({ seq: 3n, op: 'write', bytes: 100n, throttleWaitNs: 1_500_000_000n, durationNs: 1_600_000_000n }),
  // The kernel's own check before a write: ENODATA is its normal answer, not an application error.
  row({ seq: 4n, op: 'getxattr', path2: 'security.capability', errno: 61, durationNs: 3_000n }),
  row({ seq: 5n, op: 'getxattr', path2: 'user.app', errno: 61, durationNs: 3_000n }),
]);

async function started(options: Parameters<typeof createTelemetry>[0]): Promise<Telemetry> {
  const telemetry = await createTelemetry(options);
  if (!telemetry) throw new Error('telemetry expected');
  cleanups.push(() => telemetry.shutdown());
  return telemetry;
}

describe('Prometheus endpoint', () => {
  it('serves op counters, byte counters and latency histogram buckets', async () => {
    const telemetry = await started({
      wallClockAnchorNs: ANCHOR_NS,
      metrics: { otlp: false, prometheus: { port: 0 } },
    });
    expect(telemetry.prometheusUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    telemetry.onBatch(BATCH);
    telemetry.onBatch(BATCH);

    const response = await fetch(telemetry.prometheusUrl!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const { samples, types } = parseExposition(text);

    expect(types.get('interposer_ops_total')).toBe('counter');
    const app = { origin: 'application' };
    expect(value(samples, 'interposer_ops_total', { ...app, op: 'read', errno: 'OK' })).toBe(4);
    expect(value(samples, 'interposer_ops_total', { ...app, op: 'read', errno: 'EIO' })).toBe(2);
    expect(value(samples, 'interposer_ops_total', { ...app, op: 'write', errno: 'OK' })).toBe(2);
    expect(value(samples, 'interposer_ops_total', { ...app, op: 'getxattr', errno: 'ENODATA' })).toBe(2);
    expect(
      value(samples, 'interposer_ops_total', { origin: 'kernel', op: 'getxattr', errno: 'ENODATA' }),
    ).toBe(2);
    expect(value(samples, 'interposer_bytes_total', { op: 'read', direction: 'read' })).toBe(16384);
    expect(value(samples, 'interposer_faults_total', { kind: 'errno', errno: 'EIO' })).toBe(2);
    // Prometheus conventions: the unit is in the name, and no OpenMetrics-only UNIT lines.
    expect(types.get('interposer_throttle_wait_seconds_total')).toBe('counter');
    expect(value(samples, 'interposer_throttle_wait_seconds_total', { op: 'write' })).toBeCloseTo(3, 9);
    expect(text).not.toMatch(/^# UNIT/m);
    expect([...types.keys()].filter((n) => n.startsWith('interposer_')).sort()).toEqual([
      'interposer_bytes_total',
      'interposer_faults_total',
      'interposer_inflight',
      'interposer_op_duration_seconds',
      'interposer_ops_total',
      'interposer_throttle_wait_seconds_total',
    ]);

    expect(types.get('interposer_op_duration_seconds')).toBe('histogram');
    const bucket = (le: string) =>
      value(samples, 'interposer_op_duration_seconds_bucket', { op: 'read', le });
    expect(bucket('1e-06')).toBe(2); // the 1 us reads: the lowest bucket is 1 us (upper bound inclusive)
    expect(bucket('2.5e-06')).toBe(2);
    expect(bucket('1e-05')).toBe(2);
    expect(bucket('2.5e-05')).toBe(4); // + the 20 us reads (buckets are cumulative)
    expect(bucket('0.001')).toBe(4);
    expect(bucket('0.0025')).toBe(6); // + the 2 ms reads
    expect(bucket('+Inf')).toBe(6);
    const getxattrBucket = (le: string) =>
      value(samples, 'interposer_op_duration_seconds_bucket', { op: 'getxattr', le });
    expect([getxattrBucket('2.5e-06'), getxattrBucket('5e-06')]).toEqual([0, 4]); // 3 us calls, resolved
    expect(value(samples, 'interposer_op_duration_seconds_count', { op: 'read' })).toBe(6);
    expect(value(samples, 'interposer_op_duration_seconds_sum', { op: 'read' })).toBeCloseTo(2 * 0.002021, 9);
    expect(value(samples, 'interposer_op_duration_seconds_bucket', { op: 'write', le: '1' })).toBe(0);
    expect(value(samples, 'interposer_op_duration_seconds_bucket', { op: 'write', le: '2.5' })).toBe(2);

    expect(samples.some((s) => s.name === 'interposer_inflight')).toBe(true);
    expect((await fetch(telemetry.prometheusUrl!.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('refuses a port that is taken with a user error', async () => {
    const first = await started({ wallClockAnchorNs: 0n, metrics: { otlp: false, prometheus: { port: 0 } } });
    const port = Number(new URL(first.prometheusUrl!).port);
    await expect(
      createTelemetry({ wallClockAnchorNs: 0n, metrics: { otlp: false, prometheus: { port } } }),
    ).rejects.toThrow(/already in use/);
  });

  it('releases the port on shutdown', async () => {
    const telemetry = await createTelemetry({
      wallClockAnchorNs: 0n,
      metrics: { otlp: false, prometheus: { port: 0 } },
    });
    const url = telemetry!.prometheusUrl!;
    await telemetry!.shutdown();
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe('metric snapshot file', () => {
  it('appends JSON lines per data point at every interval and on shutdown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'interposer-telemetry-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'trace.parquet.metrics.jsonl');
    const telemetry = await createTelemetry({
      wallClockAnchorNs: ANCHOR_NS,
      metrics: { otlp: false, snapshotFile: file, exportIntervalMillis: 60_000 },
    });
    telemetry!.onBatch(BATCH);
    await telemetry!.shutdown();

    const lines = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as SnapshotLine);
    const ops = lines.filter((l) => l.metric === 'interposer.ops');
    expect(ops.map((l) => [l.attributes, l.value])).toEqual(
      expect.arrayContaining([
        [{ op: 'read', errno: 'OK', origin: 'application' }, 2],
        [{ op: 'read', errno: 'EIO', origin: 'application' }, 1],
        [{ op: 'write', errno: 'OK', origin: 'application' }, 1],
        [{ op: 'getxattr', errno: 'ENODATA', origin: 'kernel' }, 1],
      ]),
    );
    expect(ops.every((l) => l.kind === 'sum' && !Number.isNaN(Date.parse(l.time)))).toBe(true);
    const readLatency = lines.find(
      (l) => l.metric === 'interposer.op.duration' && l.attributes.op === 'read',
    )!;
    expect(readLatency.kind).toBe('histogram');
    expect(readLatency.count).toBe(3);
    expect(readLatency.bucket_counts?.reduce((a, b) => a + b, 0)).toBe(3);
    expect(readLatency.boundaries).toHaveLength(22);
    expect(lines.find((l) => l.metric === 'interposer.inflight')?.kind).toBe('gauge');
  });
});
