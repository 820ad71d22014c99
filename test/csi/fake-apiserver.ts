/**
 * A tiny Kubernetes API server on loopback HTTP, implementing just what the driver calls: create,
 * get and delete a pod in a namespace, and get a PVC. It plays kubelet's part too: tests decide,
 * through `lifecycle`, what a created pod does (start Running, stay Pending, fail...).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface PodLifecycle {
  /** Called on each GET of a pod; may change its status (e.g. to Running). */
  onGet?: (pod: V1Pod, gets: number) => Promise<void> | void;
  /** Called when the pod is deleted, before it disappears (the container's SIGTERM). */
  onDelete?: (pod: V1Pod) => Promise<void> | void;
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  readonly pods = new Map<string, V1Pod>();
  readonly deletedPods: V1Pod[] = [];
  readonly pvcs = new Set<string>();
  lifecycle: PodLifecycle = {};
  private readonly gets = new Map<string, number>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => {
        this.send(res, 500, this.status(500, 'InternalError', String(err)));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Writes a kubeconfig pointing at this server and returns its path. */
  async writeKubeconfig(dir: string): Promise<string> {
    const path = join(dir, 'kubeconfig');
    await writeFile(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        // client-node only speaks plain HTTP with skipTLSVerify set.
        'clusters: [{name: fake, cluster: {server: "' + this.url + '", insecure-skip-tls-verify: true}}]',
        'users: [{name: driver, user: {token: fake-token}}]',
        'contexts: [{name: fake, context: {cluster: fake, user: driver}}]',
        'current-context: fake',
        '',
      ].join('\n'),
    );
    return path;
  }

  private status(code: number, reason: string, message: string): object {
    return { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code };
  }

  private send(res: ServerResponse, code: number, body: object): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.url).pathname;
    const method = req.method ?? 'GET';
    const body = await this.readBody(req);
    this.requests.push({ method, path, body });
    if (req.headers.authorization !== 'Bearer fake-token') {
      return this.send(res, 401, this.status(401, 'Unauthorized', 'no token'));
    }
    const podList = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path);
    const podItem = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(path);
    const pvcItem = /^\/api\/v1\/namespaces\/([^/]+)\/persistentvolumeclaims\/([^/]+)$/.exec(path);

    if (podList && method === 'POST') {
      const pod = body as V1Pod;
      const key = `${podList[1]}/${pod.metadata?.name}`;
      if (this.pods.has(key))
        return this.send(res, 409, this.status(409, 'AlreadyExists', `pods "${key}" already exists`));
      const created: V1Pod = {
        ...pod,
        metadata: { ...pod.metadata, namespace: podList[1], uid: `uid-${this.pods.size + 1}` },
        status: { phase: 'Pending' },
      };
      this.pods.set(key, created);
      return this.send(res, 201, created);
    }
    if (podItem) {
      const key = `${podItem[1]}/${podItem[2]}`;
      const pod = this.pods.get(key);
      if (!pod) return this.send(res, 404, this.status(404, 'NotFound', `pods "${podItem[2]}" not found`));
      if (method === 'GET') {
        if (pod.metadata?.deletionTimestamp) {
          // Graceful deletion completes between two reads, like a pod whose container exited.
          this.pods.delete(key);
          return this.send(res, 404, this.status(404, 'NotFound', `pods "${podItem[2]}" not found`));
        }
        const gets = (this.gets.get(key) ?? 0) + 1;
        this.gets.set(key, gets);
        await this.lifecycle.onGet?.(pod, gets);
        return this.send(res, 200, pod);
      }
      if (method === 'DELETE') {
        pod.metadata = { ...pod.metadata, deletionTimestamp: new Date() };
        this.deletedPods.push(pod);
        await this.lifecycle.onDelete?.(pod);
        return this.send(res, 200, pod);
      }
    }
    if (pvcItem && method === 'GET') {
      const key = `${pvcItem[1]}/${pvcItem[2]}`;
      if (!this.pvcs.has(key)) {
        return this.send(
          res,
          404,
          this.status(404, 'NotFound', `persistentvolumeclaims "${pvcItem[2]}" not found`),
        );
      }
      return this.send(res, 200, {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: pvcItem[2], namespace: pvcItem[1] },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        status: { phase: 'Bound' },
      });
    }
    return this.send(res, 404, this.status(404, 'NotFound', `${method} ${path} is not served by the fake`));
  }
}
