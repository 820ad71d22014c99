/**
 * Loads src/csi/proto/csi.proto at run time with @grpc/proto-loader, so the gRPC servers and the
 * test client share one definition and no generated code needs to be kept in sync.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Snake-case field names as on the wire; int64 as JS numbers (byte counts stay below 2^53). */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The .proto sits next to this module in src/; a build copies nothing, so look there too. */
export function csiProtoPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, 'proto', 'csi.proto'),
    join(here, '..', '..', 'src', 'csi', 'proto', 'csi.proto'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`csi.proto not found (looked in ${candidates.join(', ')})`);
  return found;
}

export interface CsiServices {
  Identity: grpc.ServiceClientConstructor;
  Controller: grpc.ServiceClientConstructor;
  Node: grpc.ServiceClientConstructor;
}

let cached: CsiServices | undefined;

export function loadCsiServices(): CsiServices {
  if (cached) return cached;
  const definition = protoLoader.loadSync(csiProtoPath(), PROTO_LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    csi: { v1: CsiServices };
  };
  cached = loaded.csi.v1;
  return cached;
}
