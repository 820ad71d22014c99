/**
 * The gRPC server: Identity plus Node and/or Controller on one unix socket, as kubelet,
 * node-driver-registrar and external-provisioner expect. Handler errors become gRPC statuses (CsiError keeps its code; others are INTERNAL).
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { asCsiError } from './errors.js';
import type { ControllerServer } from './controller.js';
import type { IdentityServer } from './identity.js';
import type { NodeServer } from './node.js';
import { loadCsiServices } from './proto.js';

/** `unix:///csi/csi.sock`, `unix:/csi/csi.sock` or a bare absolute path -> the socket path. */
export function socketPathOf(endpoint: string): string {
  const path = endpoint.replace(/^unix:\/\//, '').replace(/^unix:/, '');
  if (!path.startsWith('/'))
    throw new Error(`endpoint must be a unix socket with an absolute path, got "${endpoint}"`);
  return path;
}

type Handler = (request: never) => Promise<object>;

function unaryHandlers(target: object, names: readonly string[]): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const name of names) {
    const method = (target as Record<string, Handler>)[name];
    if (!method) continue;
    const handle: grpc.handleUnaryCall<never, object> = (call, callback) => {
      method.call(target, call.request).then(
        (response) => callback(null, response),
        (err: unknown) => {
          const csi = asCsiError(err);
          callback({ code: csi.code, details: csi.message });
        },
      );
    };
    handlers[name] = handle as grpc.UntypedHandleCall;
  }
  return handlers;
}

export interface RunningServer {
  socketPath: string;
  stop(): Promise<void>;
}

/** The services one socket serves: Identity always, Node and/or Controller as deployed. */
export interface CsiServiceSet {
  identity: IdentityServer;
  node?: NodeServer<object>;
  controller?: ControllerServer;
}

export async function startCsiServer(endpoint: string, set: CsiServiceSet): Promise<RunningServer> {
  const socketPath = socketPathOf(endpoint);
  const services = loadCsiServices();
  const server = new grpc.Server();
  server.addService(
    services.Identity.service,
    unaryHandlers(set.identity, Object.keys(services.Identity.service)),
  );
  // A service that is not deployed here is not registered: gRPC answers UNIMPLEMENTED.
  if (set.node)
    server.addService(services.Node.service, unaryHandlers(set.node, Object.keys(services.Node.service)));
  if (set.controller) {
    server.addService(
      services.Controller.service,
      unaryHandlers(set.controller, Object.keys(services.Controller.service)),
    );
  }
  await mkdir(dirname(socketPath), { recursive: true });
  // A socket left by a previous instance makes bind fail with EADDRINUSE.
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  return {
    socketPath,
    stop: () =>
      new Promise<void>((resolve) => {
        // Lets in-flight RPCs finish, but a client holding its connection open must not block exit.
        const force = setTimeout(() => server.forceShutdown(), 3_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          void rm(socketPath, { force: true }).then(() => resolve());
        });
      }),
  };
}
