/**
 * Ships finished traces from a node's trace root to an S3-compatible bucket, keeping the hive
 * layout as the object key (<prefix>node=<n>/namespace=<ns>/pod=<p>/<volume>-<start>.parquet).
 *
 * Never loses a trace: a file is only marked uploaded (a `<trace>.uploaded` marker next to it)
 * after the bucket acknowledged it, and the local file is kept. Resumable: every pass rescans the
 * root, so traces left by an unreachable bucket, a crash or a driver restart go on the next pass
 * (with exponential backoff while the bucket keeps failing). Traces still being written (their
 * volume is published) or touched in the last `minAgeMs` are left alone.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface TraceUploaderOptions {
  root: string;
  client: S3Client;
  bucket: string;
  /** Key prefix, e.g. "runs/2026-12-01/" (may be empty). */
  prefix: string;
  /** Absolute paths of traces still being written. */
  activeTraces: () => Promise<Set<string>>;
  /** Files modified more recently than this are assumed in progress (a publish not yet recorded). */
  minAgeMs: number;
  intervalMs: number;
  maxBackoffMs?: number;
  log?: (message: string) => void;
}

export interface PassResult {
  uploaded: string[];
  failed: { path: string; error: string }[];
}

export const UPLOADED_SUFFIX = '.uploaded';

/** s3://bucket/some/prefix -> {bucket, prefix: 'some/prefix/'}. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match) throw new Error(`expected s3://bucket[/prefix], got "${url}"`);
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: match[1]!, prefix: prefix ? `${prefix}/` : '' };
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

export class TraceUploader {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PassResult> | undefined;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: TraceUploaderOptions) {}

  /** Traces that are finished and not uploaded yet. */
  async pending(): Promise<string[]> {
    const files = await walk(this.options.root);
    const names = new Set(files);
    const active = await this.options.activeTraces();
    const now = Date.now();
    const ready: string[] = [];
    for (const path of files.filter((f) => f.endsWith('.parquet')).sort()) {
      if (names.has(`${path}${UPLOADED_SUFFIX}`) || active.has(path)) continue;
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs >= this.options.minAgeMs) ready.push(path);
    }
    return ready;
  }

  /** One pass: uploads every pending trace; failures stay pending for the next pass. */
  async pass(): Promise<PassResult> {
    if (this.running) return this.running;
    this.running = this.doPass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async doPass(): Promise<PassResult> {
    const result: PassResult = { uploaded: [], failed: [] };
    for (const path of await this.pending()) {
      const key = this.options.prefix + relative(this.options.root, path).split(sep).join('/');
      try {
        const { size } = await stat(path);
        await this.options.client.send(
          new PutObjectCommand({
            Bucket: this.options.bucket,
            Key: key,
            Body: createReadStream(path),
            ContentLength: size,
            ContentType: 'application/vnd.apache.parquet',
          }),
        );
        await writeFile(`${path}${UPLOADED_SUFFIX}`, `s3://${this.options.bucket}/${key}\n`, { mode: 0o600 });
        result.uploaded.push(path);
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        result.failed.push({ path, error });
        // The bucket is likely down for all of them: stop this pass, keep everything local.
        break;
      }
    }
    if (result.failed.length > 0) {
      this.failures++;
      this.options.log?.(
        `trace upload: ${result.failed[0]!.path} kept on the node, will retry: ${result.failed[0]!.error}`,
      );
    } else {
      this.failures = 0;
    }
    return result;
  }

  /** The delay before the next pass: the interval, doubled per consecutive failing pass. */
  nextDelayMs(): number {
    const max = this.options.maxBackoffMs ?? 10 * 60_000;
    return Math.min(max, this.options.intervalMs * 2 ** Math.min(this.failures, 16));
  }

  start(): void {
    const schedule = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        void this.pass()
          .catch((err: unknown) => this.options.log?.(`trace upload: ${(err as Error).message}`))
          .finally(schedule);
      }, this.nextDelayMs());
      this.timer.unref();
    };
    schedule();
  }

  /** Stops the timer, then makes one last attempt (a driver shutting down ships what it can). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.pass().catch(() => undefined);
  }
}
