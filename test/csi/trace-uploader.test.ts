/**
 * Trace upload against a real S3-compatible server (s3rver on 127.0.0.1): finished traces go up
 * under their hive keys, active ones stay, an unreachable bucket loses nothing and the next pass
 * (or a new uploader after a restart) ships what was left.
 */
import { mkdir, mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseS3Url, TraceUploader } from '../../src/csi/trace-uploader.js';
import { S3RVER_CREDENTIALS, startLocalS3, type LocalS3 } from '../../src/workloads/s3-server.js';
import { removeDir } from './harness.js';

let dir: string;
let s3: LocalS3 | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csi-upload-'));
});

afterEach(async () => {
  await s3?.close().catch(() => undefined);
  s3 = undefined;
  await removeDir(dir);
});

const clientFor = (endpoint: string) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });

async function trace(relative: string, body: string, ageMs = 60_000): Promise<string> {
  const path = join(dir, 'traces', relative);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, body);
  const then = new Date(Date.now() - ageMs);
  await utimes(path, then, then);
  return path;
}

function uploader(endpoint: string, active: Set<string> = new Set()): TraceUploader {
  return new TraceUploader({
    root: join(dir, 'traces'),
    client: clientFor(endpoint),
    bucket: 'traces',
    prefix: 'run-1/',
    activeTraces: async () => active,
    minAgeMs: 5_000,
    intervalMs: 1_000,
  });
}

async function keys(endpoint: string): Promise<string[]> {
  const listed = await clientFor(endpoint).send(new ListObjectsV2Command({ Bucket: 'traces' }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

describe('parseS3Url', () => {
  it('splits bucket and prefix and refuses other URLs', () => {
    expect(parseS3Url('s3://traces')).toEqual({ bucket: 'traces', prefix: '' });
    expect(parseS3Url('s3://traces/runs/a/')).toEqual({ bucket: 'traces', prefix: 'runs/a/' });
    expect(() => parseS3Url('http://x/y')).toThrow(/expected s3:\/\/bucket/);
  });
});

describe('TraceUploader with s3rver', () => {
  it('uploads finished traces under their hive keys, once, and leaves active and fresh ones', async () => {
    s3 = await startLocalS3({ directory: join(dir, 's3'), buckets: ['traces'] });
    const done = await trace(
      'node=n1/namespace=bench/pod=minio-0/data-20261201T010000.000Z.parquet',
      'PAR1 done',
    );
    const active = await trace(
      'node=n1/namespace=bench/pod=minio-1/data-20261201T010000.000Z.parquet',
      'PAR1 live',
    );
    const fresh = await trace(
      'node=n1/namespace=bench/pod=minio-2/data-20261201T010000.000Z.parquet',
      'PAR1 new',
      0,
    );
    const up = uploader(s3.endpoint, new Set([active]));
    const first = await up.pass();
    expect(first).toEqual({ uploaded: [done], failed: [] });
    expect(await keys(s3.endpoint)).toEqual([
      'run-1/node=n1/namespace=bench/pod=minio-0/data-20261201T010000.000Z.parquet',
    ]);
    const object = await clientFor(s3.endpoint).send(
      new GetObjectCommand({
        Bucket: 'traces',
        Key: 'run-1/node=n1/namespace=bench/pod=minio-0/data-20261201T010000.000Z.parquet',
      }),
    );
    expect(await object.Body!.transformToString()).toBe('PAR1 done');
    // Kept locally, marked, never uploaded twice.
    expect(await readFile(done, 'utf8')).toBe('PAR1 done');
    expect(await readFile(`${done}.uploaded`, 'utf8')).toMatch(/^s3:\/\/traces\/run-1\/node=n1/);
    expect((await up.pass()).uploaded).toEqual([]);
    expect(existsSync(`${active}.uploaded`)).toBe(false);
    expect(existsSync(`${fresh}.uploaded`)).toBe(false);
  });

  it('keeps traces on the node while the bucket is unreachable, backs off, and ships them later', async () => {
    const port = await (async () => {
      const probe = await startLocalS3({ directory: join(dir, 's3'), buckets: ['traces'] });
      await probe.close();
      return probe.port;
    })();
    const path = await trace('node=n1/namespace=bench/pod=minio-0/data-1.parquet', 'PAR1 precious');
    const down = uploader(`http://127.0.0.1:${port}`);
    const failed = await down.pass();
    expect(failed.uploaded).toEqual([]);
    expect(failed.failed.map((f) => f.path)).toEqual([path]);
    expect(down.nextDelayMs()).toBe(2_000);
    await down.pass();
    expect(down.nextDelayMs()).toBe(4_000);
    expect(await readFile(path, 'utf8')).toBe('PAR1 precious');
    expect(existsSync(`${path}.uploaded`)).toBe(false);

    // The bucket comes back (same port); a new uploader (a restarted driver) resumes from the files.
    s3 = await startLocalS3({ directory: join(dir, 's3'), buckets: ['traces'], port });
    const restarted = uploader(s3.endpoint);
    expect((await restarted.pass()).uploaded).toEqual([path]);
    expect(await keys(s3.endpoint)).toEqual(['run-1/node=n1/namespace=bench/pod=minio-0/data-1.parquet']);
    expect(restarted.nextDelayMs()).toBe(1_000);
  });
});
