/**
 * Prometheus scrape endpoint. The exporter's own server cannot report the port it bound (port 0
 * for tests and "pick any"), so we run the HTTP server and delegate GET /metrics to it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { UserError } from '../errors.js';

export interface PrometheusEndpoint {
  reader: PrometheusExporter;
  url: string;
  close(): Promise<void>;
}

export async function startPrometheusEndpoint(
  port: number,
  host: string,
  metricProducers: MetricProducer[],
): Promise<PrometheusEndpoint> {
  const reader = new PrometheusExporter({ preventServerStart: true, metricProducers });
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/metrics') {
      reader.getMetricsRequestHandler(req, res);
    } else {
      res.statusCode = 404;
      res.end('not found: the Prometheus endpoint is /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new UserError(
              `Prometheus port ${port} on ${host} is already in use (choose another with --prometheus-port)`,
            )
          : err,
      );
    });
    server.listen({ port, host }, () => resolve());
  });
  // A scrape endpoint must not keep a finished recording alive.
  server.unref();
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    reader,
    url: `http://${urlHost}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
