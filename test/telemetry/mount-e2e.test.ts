/**
 * End to end through a real FUSE mount: `interposer mount --otel-spans --otel-metrics` in a child
 * process, a shell workload on the mount, and the spans and metrics arriving at an OTLP receiver
 * on loopback must agree with the Parquet trace the same mount wrote.
 *
 * Skipped (with the reason) until the CLI is built and `mount` accepts the telemetry flags.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SnapshotLine } from '../../src/telemetry/snapshot-file.js';
import { readAllRows } from '../../src/trace/reader.js';
import { CLI, ROOT, cleanupMounts, sh, startMount } from '../helpers/interposer-process.js';
import { startHttpReceiver, type OtlpReceiver } from './otlp-receiver.js';

function notReadyReason(): string | null {
  if (!existsSync(CLI) || !existsSync(join(ROOT, 'native/build/Release/interposer_fuse.node'))) {
    return 'CLI or native binding not built (npm run build)';
  }
  if (!existsSync('/dev/fuse')) return '/dev/fuse is missing';
  const help = spawnSync(process.execPath, [CLI, 'mount', '--help'], { encoding: 'utf8' });
  if (!help.stdout.includes('--otel-spans')) return '`interposer mount` does not take --otel-spans yet';
  return null;
}

const reason = notReadyReason();

interface JsonKv {
  key: string;
  value: { stringValue?: string; intValue?: string | number };
}
interface JsonSpan {
  name: string;
  attributes: JsonKv[];
}

describe.skipIf(reason !== null)('telemetry from a live mount', () => {
  const savedEnv = { ...process.env };
  let receiver: OtlpReceiver | undefined;
  afterEach(() => {
    process.env = { ...savedEnv };
  });
  afterAll(async () => {
    await cleanupMounts();
    await receiver?.close();
  });

  it('exports a span per operation and metrics that match the trace', async () => {
    receiver = await startHttpReceiver();
    // The child inherits these: the exporters read the standard variables.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    process.env.OTEL_SERVICE_NAME = 'interposer-e2e';
    const mount = await startMount(['--otel-spans', '--otel-metrics']);
    const work = sh(
      `set -e; echo hello > ${mount.mnt}/hello.txt; cat ${mount.mnt}/hello.txt > /dev/null; mkdir ${mount.mnt}/d; ls ${mount.mnt}/d; rm ${mount.mnt}/hello.txt`,
    );
    expect(work.code, work.err).toBe(0);
    expect(await mount.stop()).toBe(0);

    const rows = await readAllRows(mount.trace);
    expect(rows.length).toBeGreaterThan(5);

    const spans: JsonSpan[] = receiver.requests
      .filter((r) => r.signal === 'traces')
      .flatMap((r) =>
        (
          JSON.parse(r.body.toString()) as {
            resourceSpans: Array<{ scopeSpans: Array<{ spans: JsonSpan[] }> }>;
          }
        ).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
      );
    // Sampling ratio 1: one span per trace row, same ops in the same multiset.
    expect(spans.length).toBe(rows.length);
    expect(spans.map((s) => s.name).sort()).toEqual(rows.map((r) => r.op).sort());
    const attr = (s: JsonSpan, key: string) => s.attributes.find((a) => a.key === key)?.value;
    const write = spans.find((s) => s.name === 'write' && attr(s, 'fs.path')?.stringValue === '/hello.txt');
    expect(write).toBeDefined();
    expect(Number(attr(write!, 'fs.bytes')?.intValue)).toBe(6);

    // The last metric export (at shutdown) counts every row of the trace.
    const lastMetrics = receiver.requests.filter((r) => r.signal === 'metrics').at(-1);
    expect(lastMetrics).toBeDefined();
    const body = JSON.parse(lastMetrics!.body.toString()) as {
      resourceMetrics: Array<{
        scopeMetrics: Array<{
          metrics: Array<{ name: string; sum?: { dataPoints: Array<{ asInt?: string | number }> } }>;
        }>;
      }>;
    };
    const ops = body.resourceMetrics[0]!.scopeMetrics.flatMap((s) => s.metrics).find(
      (m) => m.name === 'interposer.ops',
    );
    const counted = ops!.sum!.dataPoints.reduce((n, p) => n + Number(p.asInt), 0);
    expect(counted).toBe(rows.length);

    // The JSONL snapshot next to the trace says the same.
    const snapshot = readFileSync(`${mount.trace}.metrics.jsonl`, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as SnapshotLine);
    // The last export's interposer.ops points: each point has its own end time (to the ms), so
    // the file's last line, another metric, may carry a different one.
    const opsLines = snapshot.filter((l) => l.metric === 'interposer.ops');
    const lastTime = opsLines.at(-1)!.time;
    const finalOps = opsLines.filter((l) => l.time === lastTime);
    expect(finalOps.reduce((n, l) => n + (l.value ?? 0), 0)).toBe(rows.length);
  });

  it('exports injected faults as log records, fault counters and error spans', async () => {
    receiver?.requests.splice(0);
    receiver ??= await startHttpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    const mount = await startMount([
      '--otel-spans',
      '--otel-metrics',
      '--fault',
      'op=read,path=/bad*,errno=EIO',
    ]);
    const work = sh(`echo x > ${mount.mnt}/bad.txt; cat ${mount.mnt}/bad.txt; echo "cat=$?"`);
    expect(work.out).toContain('cat=1');
    expect(await mount.stop()).toBe(0);

    const faultyReads = (await readAllRows(mount.trace)).filter(
      (r) => r.op === 'read' && r.faultKind === 'errno',
    );
    expect(faultyReads.length).toBeGreaterThan(0);

    const logs = receiver.requests
      .filter((r) => r.signal === 'logs')
      .flatMap((r) =>
        (
          JSON.parse(r.body.toString()) as {
            resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ attributes: JsonKv[] }> }> }>;
          }
        ).resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)),
      );
    expect(logs).toHaveLength(faultyReads.length);
    const logAttr = (key: string) => logs[0]!.attributes.find((a) => a.key === key)?.value.stringValue;
    expect(logAttr('fault.action')).toBe('errno EIO');
    expect(logAttr('fs.path')).toBe('/bad.txt');

    const spans: JsonSpan[] = receiver.requests
      .filter((r) => r.signal === 'traces')
      .flatMap((r) =>
        (
          JSON.parse(r.body.toString()) as {
            resourceSpans: Array<{ scopeSpans: Array<{ spans: JsonSpan[] }> }>;
          }
        ).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
      );
    const lastMetrics = JSON.parse(
      receiver.requests
        .filter((r) => r.signal === 'metrics')
        .at(-1)!
        .body.toString(),
    ) as {
      resourceMetrics: Array<{
        scopeMetrics: Array<{
          metrics: Array<{ name: string; sum?: { dataPoints: Array<{ asInt?: string | number }> } }>;
        }>;
      }>;
    };
    const faults = lastMetrics.resourceMetrics[0]!.scopeMetrics.flatMap((s) => s.metrics).find(
      (m) => m.name === 'interposer.faults',
    );
    expect(faults!.sum!.dataPoints.reduce((n, p) => n + Number(p.asInt), 0)).toBe(faultyReads.length);

    const faulted = spans.filter((s) => s.attributes.some((a) => a.key === 'fault.kind'));
    expect(faulted).toHaveLength(faultyReads.length);
    expect(
      faulted.every((s) => s.attributes.find((a) => a.key === 'fs.errno.name')?.value.stringValue === 'EIO'),
    ).toBe(true);
  });
});

// Only when it cannot run: a skipped test that says why.
if (reason !== null) {
  describe('telemetry from a live mount', () => {
    it.skip(`skipped: ${reason}`, () => {});
  });
}
