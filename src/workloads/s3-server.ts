/**
 * A local S3-compatible server (s3rver, an npm dev dependency) on 127.0.0.1, storing objects as
 * files in a directory: the object store for the S3 demo and the trace-upload tests.
 */
import type { AddressInfo } from 'node:net';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

/** s3rver's fixed credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalS3 {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startLocalS3(options: {
  directory: string;
  buckets: string[];
  port?: number;
}): Promise<LocalS3> {
  let S3rver: S3rverClass;
  try {
    S3rver = ((await import('s3rver' as string)) as { default: S3rverClass }).default;
  } catch {
    throw new Error('s3rver is not installed (it is a dev dependency: npm install in the repository)');
  }
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    directory: options.directory,
    silent: true,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: () => server.close(),
  };
}
