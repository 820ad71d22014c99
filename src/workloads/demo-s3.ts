/**
 * The MinIO-under-Warp capture without a cluster: an S3-compatible server (s3rver) keeps its
 * objects on an interposer mount, several clients drive a Warp-like mixed load through
 * @aws-sdk/client-s3, then the trace is analyzed. The mount runs as a child `interposer mount`
 * process; this process is only its client (it never serves the mount it touches).
 *
 *   bash scripts/demo-s3.sh [--clients 4] [--seconds 5] [--keep DIR]
 */
import { spawn, execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { readAllRows } from '../trace/reader.js';
import {
  formatObjectStoreProfile,
  profileObjectStore,
  type ObjectStoreProfile,
} from './object-store-profile.js';
import { runMixedLoad, type MixedLoadResult } from './s3-mixed.js';
import { S3RVER_CREDENTIALS, startLocalS3 } from './s3-server.js';

const DEFAULT_CLI = fileURLToPath(new URL('../cli/interposer.js', import.meta.url));

export interface S3DemoOptions {
  dir: string;
  clients: number;
  durationMs: number;
  objects: number;
  objectBytes: number;
  log?: (line: string) => void;
  /** The interposer CLI script (default: the built one next to this module). */
  cli?: string;
}

export interface S3DemoResult {
  tracePath: string;
  load: MixedLoadResult;
  profile: ObjectStoreProfile;
  analysis: string;
}

/** Starts `interposer mount` and resolves once it printed "mounted". */
async function mount(cli: string, backing: string, mountpoint: string, trace: string) {
  const child = spawn(process.execPath, [cli, 'mount', backing, mountpoint, '--trace', trace], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!/^mounted /m.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`interposer mount did not come up: ${output.trim().slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`interposer mount exited ${code}: ${output.trim().slice(-500)}`);
    },
  };
}

export async function runS3Demo(options: S3DemoOptions): Promise<S3DemoResult> {
  const log = options.log ?? (() => undefined);
  const backing = join(options.dir, 'backing');
  const mountpoint = join(options.dir, 'mnt');
  const tracePath = join(options.dir, 's3-trace.parquet');
  await mkdir(backing, { recursive: true });
  await mkdir(mountpoint, { recursive: true });
  const cli = options.cli ?? DEFAULT_CLI;
  const mounted = await mount(cli, backing, mountpoint, tracePath);
  let load: MixedLoadResult;
  try {
    const s3 = await startLocalS3({ directory: mountpoint, buckets: ['warp-benchmark-bucket'] });
    log(`s3rver on ${s3.endpoint}, objects in ${mountpoint} (interposer mount over ${backing})`);
    try {
      const client = new S3Client({
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: S3RVER_CREDENTIALS,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      log(
        `mixed load: ${options.clients} clients, ${options.durationMs / 1000} s, ${options.objects} objects of ${options.objectBytes} bytes (GET 45% STAT 30% PUT 15% DELETE 10%)`,
      );
      load = await runMixedLoad({
        client,
        bucket: 'warp-benchmark-bucket',
        clients: options.clients,
        durationMs: options.durationMs,
        objects: options.objects,
        objectBytes: options.objectBytes,
      });
      client.destroy();
    } finally {
      await s3.close();
    }
  } finally {
    await mounted.stop();
  }
  const profile = profileObjectStore(await readAllRows(tracePath));
  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'analyze', tracePath], {
    maxBuffer: 32 * 1024 * 1024,
  });
  return { tracePath, load, profile, analysis: stdout };
}

function formatLoad(load: MixedLoadResult): string {
  const lines = ['S3 operations (client side)'];
  for (const [op, s] of Object.entries(load.ops)) {
    const perSec = (s.count / (load.elapsedMs / 1000)).toFixed(1);
    const avg = s.count ? (s.totalMs / s.count).toFixed(2) : '-';
    lines.push(
      `  ${op.padEnd(7)} ${String(s.count).padStart(6)} ops  ${perSec.padStart(7)}/s  avg ${avg} ms  errors ${s.errors}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '4' },
      seconds: { type: 'string', default: '5' },
      objects: { type: 'string', default: '200' },
      'object-size': { type: 'string', default: '65536' },
      keep: { type: 'string' },
    },
  });
  const clients = Number(values.clients);
  const seconds = Number(values.seconds);
  const objects = Number(values.objects);
  const objectBytes = Number(values['object-size']);
  for (const [name, n] of Object.entries({ clients, seconds, objects, 'object-size': objectBytes })) {
    if (!Number.isFinite(n) || n <= 0) {
      console.error(`demo-s3: --${name} must be a positive number`);
      return 2;
    }
  }
  const dir = values.keep ?? (await mkdtemp(join(tmpdir(), 'interposer-s3-demo-')));
  try {
    const result = await runS3Demo({
      dir,
      clients,
      durationMs: seconds * 1000,
      objects,
      objectBytes,
      log: (line) => console.log(line),
    });
    console.log(`\n${formatLoad(result.load)}\n`);
    console.log(formatObjectStoreProfile(result.profile));
    const puts = objects + result.load.ops.PUT.count;
    console.log(
      `  per PUT                   ${(result.profile.objectsWritten / puts).toFixed(1)} files written (${puts} PUTs incl. ${objects} to prepare)`,
    );
    console.log(`\n${result.analysis}`);
    console.log(values.keep ? `trace kept: ${result.tracePath}` : '(pass --keep DIR to keep the trace)');
    return 0;
  } catch (err) {
    console.error(`demo-s3: ${(err as Error).message}`);
    return 1;
  } finally {
    if (!values.keep) await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then((code) => process.exit(code));
}
