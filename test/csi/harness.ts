/**
 * A kubelet-like CSI client: starts the driver's real gRPC server on a unix socket in a temp dir
 * and calls it with a real @grpc/grpc-js client, the way kubelet and csi-sanity do.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { IdentityServer } from '../../src/csi/identity.js';
import { NodeServer } from '../../src/csi/node.js';
import { loadCsiServices } from '../../src/csi/proto.js';
import { startCsiServer, type RunningServer } from '../../src/csi/server.js';
import { StateStore } from '../../src/csi/state-store.js';
import type { Mounter } from '../../src/csi/types.js';

export type Reply = Record<string, unknown>;
type UnaryMethod = (
  request: object,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, reply: Reply) => void,
) => void;

/** Calls one RPC with a deadline; resolves with the reply or rejects with the ServiceError. */
function call(client: grpc.Client, method: string, request: object, timeoutMs = 30_000): Promise<Reply> {
  const fn = (client as unknown as Record<string, UnaryMethod>)[method];
  if (!fn) throw new Error(`no such RPC ${method}`);
  return new Promise((resolve, reject) => {
    fn.call(client, request, { deadline: Date.now() + timeoutMs }, (err, reply) =>
      err ? reject(err) : resolve(reply),
    );
  });
}

/** The gRPC status code an RPC fails with (or "OK"). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (err) {
    const code = (err as grpc.ServiceError).code;
    return grpc.status[code] ?? String(code);
  }
}

export interface Driver {
  dir: string;
  socketPath: string;
  stateDir: string;
  identity: (method: string, request?: object) => Promise<Reply>;
  node: (method: string, request?: object) => Promise<Reply>;
  /** A raw call to any method path, for services the driver does not declare (Controller). */
  raw: (path: string) => Promise<unknown>;
  /** Stops the server and client (not the volumes: a real driver restart keeps them). */
  stop: () => Promise<void>;
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function startDriver<H extends object>(
  mounter: Mounter<H>,
  options: { dir?: string; nodeId?: string } = {},
): Promise<Driver> {
  const dir = options.dir ?? (await makeTempDir('csi-driver-'));
  const stateDir = join(dir, 'state');
  const node = new NodeServer<H>({
    nodeId: options.nodeId ?? 'test-node',
    mounter,
    state: new StateStore<H>(stateDir),
  });
  const identity = new IdentityServer({ mode: mounter.mode });
  const server: RunningServer = await startCsiServer(`unix://${join(dir, 'csi.sock')}`, {
    identity,
    node: node as unknown as NodeServer<object>,
  });
  const services = loadCsiServices();
  const address = `unix://${server.socketPath}`;
  const identityClient = new services.Identity(address, grpc.credentials.createInsecure());
  const nodeClient = new services.Node(address, grpc.credentials.createInsecure());
  const rawClient = new grpc.Client(address, grpc.credentials.createInsecure());
  return {
    dir,
    socketPath: server.socketPath,
    stateDir,
    identity: (method, request = {}) => call(identityClient, method, request),
    node: (method, request = {}) => call(nodeClient, method, request),
    raw: (path) =>
      new Promise((resolve, reject) =>
        rawClient.makeUnaryRequest(
          path,
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          (err, value) => (err ? reject(err) : resolve(value)),
        ),
      ),
    stop: async () => {
      identityClient.close();
      nodeClient.close();
      rawClient.close();
      await server.stop();
    },
  };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A mount-type capability as kubelet sends it for an ephemeral inline volume. */
export const MOUNT_CAPABILITY = {
  mount: { fs_type: '', mount_flags: [] },
  access_mode: { mode: 'SINGLE_NODE_WRITER' },
};

export function podContext(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'csi.storage.k8s.io/ephemeral': 'true',
    'csi.storage.k8s.io/pod.name': 'minio-0',
    'csi.storage.k8s.io/pod.namespace': 'bench',
    'csi.storage.k8s.io/pod.uid': '6f1c1d2e-0000-4000-8000-000000000001',
    'csi.storage.k8s.io/serviceAccount.name': 'default',
    ...extra,
  };
}
