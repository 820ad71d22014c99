/**
 * A tiny Kubernetes API server on loopback HTTP, implementing just what the driver calls: create,
 * get and delete pods and PVCs in a namespace, and get a PV. It plays kubelet's and the volume
 * binder's parts too: tests decide, through `lifecycle`, what a created pod does (start Running,
 * stay Pending, fail...), and through `binding`, whether created PVCs bind and where.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface PodLifecycle {
  /** Called when the pod is created (a kubelet starting its containers). */
  onCreate?: (pod: V1Pod) => Promise<void> | void;
  /** Called on each GET of a pod; may change its status (e.g. to Running). */
  onGet?: (pod: V1Pod, gets: number) => Promise<void> | void;
  /** Called when the pod is deleted, before it disappears (the container's SIGTERM). */
  onDelete?: (pod: V1Pod) => Promise<void> | void;
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  readonly pods = new Map<string, V1Pod>();
  readonly deletedPods: V1Pod[] = [];
  /** Pre-existing claims, by "namespace/name" (served as Bound). */
  readonly pvcs = new Set<string>();
  /** Claims created through the API, by "namespace/name". */
  readonly claims = new Map<string, V1PersistentVolumeClaim>();
  lifecycle: PodLifecycle = {};
  /** Any other object, served on GET at its API path (e.g. /apis/storage.k8s.io/v1/storageclasses/x). */
  readonly objects = new Map<string, object>();
  /**
   * What happens to a created claim: bound at once to a PV (pinned to `node` by hostname
   * affinity if set, like a local volume), or left Pending (a WaitForFirstConsumer class).
   */
  binding: { mode: 'bind'; node?: string } | { mode: 'pending' } = { mode: 'bind' };
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
    const pvcList = /^\/api\/v1\/namespaces\/([^/]+)\/persistentvolumeclaims$/.exec(path);
    const pvItem = /^\/api\/v1\/persistentvolumes\/([^/]+)$/.exec(path);

    if (pvcList && method === 'POST') {
      const claim = body as V1PersistentVolumeClaim;
      const key = `${pvcList[1]}/${claim.metadata?.name}`;
      if (this.claims.has(key) || this.pvcs.has(key))
        return this.send(
          res,
          409,
          this.status(409, 'AlreadyExists', `persistentvolumeclaims "${key}" already exists`),
        );
      const bound = this.binding.mode === 'bind';
      const created: V1PersistentVolumeClaim = {
        ...claim,
        metadata: { ...claim.metadata, namespace: pvcList[1], uid: `uid-pvc-${this.claims.size + 1}` },
        spec: { ...claim.spec, ...(bound ? { volumeName: `pv-${pvcList[1]}-${claim.metadata?.name}` } : {}) },
        status: bound
          ? { phase: 'Bound', capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' } }
          : { phase: 'Pending' },
      };
      this.claims.set(key, created);
      return this.send(res, 201, created);
    }
    if (pvcItem && this.claims.has(`${pvcItem[1]}/${pvcItem[2]}`)) {
      const key = `${pvcItem[1]}/${pvcItem[2]}`;
      const claim = this.claims.get(key)!;
      if (method === 'GET') return this.send(res, 200, claim);
      if (method === 'DELETE') {
        this.claims.delete(key);
        return this.send(res, 200, claim);
      }
    }
    if (pvItem && method === 'GET') {
      const claim = [...this.claims.values()].find((c) => c.spec?.volumeName === pvItem[1]);
      if (!claim)
        return this.send(
          res,
          404,
          this.status(404, 'NotFound', `persistentvolumes "${pvItem[1]}" not found`),
        );
      const node = this.binding.mode === 'bind' ? this.binding.node : undefined;
      const pv: V1PersistentVolume = {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: pvItem[1] },
        spec: {
          capacity: claim.status?.capacity ?? {},
          ...(node
            ? {
                nodeAffinity: {
                  required: {
                    nodeSelectorTerms: [
                      {
                        matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }],
                      },
                    ],
                  },
                },
              }
            : {}),
        },
      };
      return this.send(res, 200, pv);
    }

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
      await this.lifecycle.onCreate?.(created);
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
    const object = this.objects.get(path);
    if (object && method === 'GET') return this.send(res, 200, object);
    return this.send(res, 404, this.status(404, 'NotFound', `${method} ${path} is not served by the fake`));
  }
}
