/**
 * A Warp-like "mixed" S3 load with @aws-sdk/client-s3: a prepared set of objects, then several
 * concurrent clients picking GET 45% / STAT 30% / PUT 15% / DELETE 10% (Warp's default mix) for
 * a fixed time. A DELETE removes an object and a later PUT may recreate it, as in Warp.
 */
import { randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

export type S3Op = 'GET' | 'STAT' | 'PUT' | 'DELETE';
export const WARP_MIX: Record<S3Op, number> = { GET: 45, STAT: 30, PUT: 15, DELETE: 10 };

export interface MixedLoadOptions {
  client: S3Client;
  bucket: string;
  clients: number;
  durationMs: number;
  objects: number;
  objectBytes: number;
  mix?: Record<S3Op, number>;
  /** Deterministic op choice for tests (default Math.random). */
  random?: () => number;
}

export interface OpStats {
  count: number;
  errors: number;
  bytes: number;
  totalMs: number;
}

export interface MixedLoadResult {
  ops: Record<S3Op, OpStats>;
  elapsedMs: number;
}

const emptyStats = (): OpStats => ({ count: 0, errors: 0, bytes: 0, totalMs: 0 });

export async function runMixedLoad(options: MixedLoadOptions): Promise<MixedLoadResult> {
  const { client, bucket } = options;
  const mix = options.mix ?? WARP_MIX;
  const random = options.random ?? Math.random;
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  const body = randomBytes(options.objectBytes);
  const ops: Record<S3Op, OpStats> = {
    GET: emptyStats(),
    STAT: emptyStats(),
    PUT: emptyStats(),
    DELETE: emptyStats(),
  };
  const keyOf = (i: number) => `obj/${(i % 7).toString()}/${i.toString().padStart(6, '0')}.bin`;
  // Which objects exist now: GET/STAT/DELETE pick among them, PUT among the missing ones.
  const present = new Set<number>();
  const missing = new Set<number>();

  const put = async (i: number) => {
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: keyOf(i), Body: body, ContentLength: body.length }),
    );
    present.add(i);
    missing.delete(i);
  };
  // Prepare, as Warp does before measuring.
  for (let i = 0; i < options.objects; i++) await put(i);

  const pick = (from: Set<number>): number | undefined => {
    if (from.size === 0) return undefined;
    const index = Math.floor(random() * from.size);
    let n = 0;
    for (const value of from) if (n++ === index) return value;
    return undefined;
  };
  const choose = (): S3Op => {
    let r = random() * total;
    for (const op of ['GET', 'STAT', 'PUT', 'DELETE'] as const) {
      r -= mix[op];
      if (r < 0) return op;
    }
    return 'GET';
  };

  const started = Date.now();
  const deadline = started + options.durationMs;
  const worker = async () => {
    while (Date.now() < deadline) {
      const op = choose();
      const target = op === 'PUT' ? (pick(missing) ?? pick(present)) : pick(present);
      if (target === undefined) continue;
      // Claimed by this client: no other client deletes it mid-GET.
      if (op === 'DELETE') {
        present.delete(target);
      }
      const t0 = performance.now();
      const stats = ops[op];
      try {
        if (op === 'GET') {
          const reply = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(target) }));
          stats.bytes += (await reply.Body!.transformToByteArray()).length;
        } else if (op === 'STAT') {
          await client.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(target) }));
        } else if (op === 'PUT') {
          await put(target);
          stats.bytes += body.length;
        } else {
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(target) }));
          missing.add(target);
        }
      } catch {
        // A GET racing a DELETE of the same object is a real 404; count it, keep going.
        stats.errors++;
      }
      stats.count++;
      stats.totalMs += performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: options.clients }, worker));
  return { ops, elapsedMs: Date.now() - started };
}
