/**
 * End to end with a real Prometheus server (Debian's `prometheus` package): it scrapes our
 * endpoint on loopback, and every query of the Grafana dashboard is run against its HTTP API.
 * Skipped when the binary is absent (install with `apt-get install -y prometheus`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '../../src/telemetry/index.js';
import { ANCHOR_NS, batchOf, row } from './fixtures.js';

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const HAVE_PROMETHEUS = existsSync(PROMETHEUS);
const DASHBOARD = new URL('../../deploy/grafana/interposer-dashboard.json', import.meta.url);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface QueryResult {
  status: string;
  error?: string;
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

describe.skipIf(!HAVE_PROMETHEUS)(`with a real Prometheus server (${PROMETHEUS})`, () => {
  let dir: string;
  let prometheus: ChildProcess | undefined;
  let telemetry: Telemetry | null = null;
  let api: string;
  let prometheusLog = '';

  const query = async (expr: string): Promise<QueryResult> => {
    const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await response.json()) as QueryResult;
  };

  /** Polls until `expr` has a result (bounded: Prometheus needs a scrape or two). */
  const waitFor = async (expr: string, seconds = 30): Promise<QueryResult> => {
    let last: QueryResult | undefined;
    for (let i = 0; i < seconds * 4; i++) {
      try {
        last = await query(expr);
        if (last.status === 'success' && last.data.result.length > 0) return last;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    throw new Error(
      `no result for ${expr} (last: ${JSON.stringify(last)})\nprometheus log:\n${prometheusLog}`,
    );
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'interposer-prom-'));
    telemetry = await createTelemetry({
      wallClockAnchorNs: ANCHOR_NS,
      metrics: { otlp: false, prometheus: { port: 0, host: '127.0.0.1' } },
    });
    const target = new URL(telemetry!.prometheusUrl!).host;
    await writeFile(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: interposer',
        '    static_configs:',
        `      - targets: ['${target}']`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr!.on('data', (chunk: Buffer) => {
      prometheusLog = (prometheusLog + chunk.toString()).slice(-4000);
    });
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (prometheus.exitCode === null) prometheus.kill('SIGKILL');
    }
    await telemetry?.shutdown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('scrapes op counters and latency histograms', async () => {
    const rows = (seq0: number) =>
      Array.from({ length: 100 }, (_, i) =>
        row({
          seq: BigInt(seq0 + i),
          op: i % 4 === 0 ? 'write' : 'read',
          bytes: 4096n,
          errno: i % 10 === 9 ? 5 : 0,
          durationNs: BigInt(10_000 + i * 1000),
          faultKind: i % 10 === 9 ? 'errno' : null,
          faultErrno: i % 10 === 9 ? 5 : null,
        }),
      );
    // The kernel's capability check before writes: counted, but apart from the application's ops.
    const kernelRows = (seq0: number) =>
      Array.from({ length: 10 }, (_, i) =>
        row({ seq: BigInt(seq0 + i), op: 'getxattr', path2: 'security.capability', errno: 61 }),
      );
    telemetry!.onBatch(batchOf([...rows(0), ...kernelRows(1000)]));
    const ops = await waitFor('sum by (op) (interposer_ops_total{job="interposer", origin="application"})');
    const byOp = Object.fromEntries(ops.data.result.map((r) => [r.metric.op, Number(r.value[1])]));
    expect(byOp).toEqual({ read: 75, write: 25 });

    const inf = await waitFor('interposer_op_duration_seconds_bucket{op="read", le="+Inf"}');
    expect(Number(inf.data.result[0]!.value[1])).toBe(75);

    // A second batch, so rates over two or more scrapes are non-zero.
    await sleep(1500);
    telemetry!.onBatch(batchOf([...rows(100), ...kernelRows(1100)]));
    await waitFor('sum(interposer_ops_total{origin="application"}) == 200');
    await waitFor('sum(interposer_ops_total{origin="kernel", op="getxattr", errno="ENODATA"}) == 20');
    await sleep(1500);
  });

  it('answers every query of the Grafana dashboard', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr })));
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    for (const { title, expr } of exprs) {
      const concrete = expr
        .replaceAll('$__rate_interval', '1m')
        .replaceAll('$job', '.*')
        .replaceAll('$instance', '.*');
      const result = await query(concrete);
      expect(result.status, `${title}: ${concrete}: ${result.error ?? ''}`).toBe('success');
      if (!/throttle/.test(expr)) {
        // Every panel but throttle wait (no throttled rows here) must show data.
        expect(result.data.result.length, `${title}: ${concrete}`).toBeGreaterThan(0);
      }
    }
    // The error ratio is the application's: 10% EIO, the kernel's ENODATA answers left out.
    const ratio = dashboard.panels.find((p) => p.title === 'Error ratio')!.targets[0]!.expr;
    const r = await query(
      ratio.replaceAll('$__rate_interval', '1m').replaceAll('$job', '.*').replaceAll('$instance', '.*'),
    );
    expect(Number(r.data.result[0]!.value[1])).toBeCloseTo(0.1, 6);
    const p99 = await query(
      'histogram_quantile(0.99, sum by (le, op) (rate(interposer_op_duration_seconds_bucket{op="read"}[1m])))',
    );
    const seconds = Number(p99.data.result[0]!.value[1]);
    // Read latencies are 11..110 us: p99 lies in the 100..250 us bucket.
    expect(seconds).toBeGreaterThan(0.0001);
    expect(seconds).toBeLessThanOrEqual(0.00025);
  });
});

// Only when it cannot run: a skipped test that says why.
if (!HAVE_PROMETHEUS) {
  describe('with a real Prometheus server', () => {
    it.skip(`skipped: ${PROMETHEUS} not found (apt-get install -y prometheus)`, () => {});
  });
}
