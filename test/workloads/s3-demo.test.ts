/**
 * The S3 demo end to end: s3rver with its objects on a real interposer mount, a Warp-like mixed
 * load from several @aws-sdk/client-s3 clients for a few seconds, then the trace: each S3
 * operation shows up as its file-system pattern (PUT = new files written whole, GET = reads
 * from offset 0, STAT = metadata calls, DELETE = unlinks), all under the bucket's directory.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runS3Demo } from '../../src/workloads/demo-s3.js';

const CLI = fileURLToPath(new URL('../../dist/bin/interposer.js', import.meta.url));
const skipReason = !existsSync(CLI)
  ? 'dist/bin/interposer.js is not built'
  : !existsSync('/dev/fuse')
    ? 'no /dev/fuse'
    : undefined;
if (skipReason) console.warn(`s3-demo skipped: ${skipReason}`);

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe.skipIf(skipReason !== undefined)(
  'S3 demo: s3rver on an interposer mount under a mixed load',
  { timeout: 180_000 },
  () => {
    it('records object-store patterns for every S3 operation', async () => {
      dir = await mkdtemp(join(tmpdir(), 's3-demo-'));
      const objects = 30;
      const result = await runS3Demo({
        dir,
        clients: 3,
        durationMs: 3_000,
        objects,
        objectBytes: 32 * 1024,
        cli: CLI,
      });
      const { ops } = result.load;
      for (const op of ['GET', 'STAT', 'PUT', 'DELETE'] as const)
        expect(ops[op].count, op).toBeGreaterThan(0);
      const total = Object.values(ops).reduce((sum, s) => sum + s.count, 0);
      const errors = Object.values(ops).reduce((sum, s) => sum + s.errors, 0);
      expect(errors).toBeLessThan(total * 0.05 + 1);

      const p = result.profile;
      expect(p.buckets).toEqual(['warp-benchmark-bucket']);
      // Every successful PUT (prepare + load) wrote one data file of the object's size, whole.
      const puts = objects + ops.PUT.count - ops.PUT.errors;
      expect(p.dataFilesWritten).toBe(puts);
      expect(p.medianObjectBytes).toBeGreaterThan(0);
      // s3rver keeps metadata next to each object: small files written per PUT too.
      expect(p.smallFilesWritten).toBeGreaterThanOrEqual(puts);
      // GETs read objects from offset 0; STATs are metadata calls; DELETEs unlink files.
      // Every GET opens its object; its reads may come from the kernel's page cache instead.
      expect(p.readOpens).toBeGreaterThanOrEqual(ops.GET.count - ops.GET.errors);
      expect(p.readStreams).toBeGreaterThan(0);
      expect(p.metadataCalls).toBeGreaterThan(ops.STAT.count);
      expect(p.deletes).toBeGreaterThanOrEqual(ops.DELETE.count - ops.DELETE.errors);
      // And `interposer analyze` reads the same trace.
      expect(result.analysis).toMatch(/^Operations$/m);
      expect(result.analysis).toMatch(/warp-benchmark-bucket/);
    });
  },
);
