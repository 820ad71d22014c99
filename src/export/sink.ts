/**
 * Where an export writes: a file (written to a temporary name next to it and renamed into place
 * on success, so a failed export never leaves a half-written file behind) or stdout. Text is
 * gathered into ~256 KiB chunks and written with backpressure, so memory stays bounded however
 * large the trace.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { UserError } from '../errors.js';

const CHUNK_CHARS = 256 * 1024;

export interface TextSink {
  /**
   * Buffers `text` (strings are gathered into larger chunks) or writes `bytes` (UTF-8, already
   * chunked by the caller); resolves after the stream drained when it had to wait.
   */
  write(data: string | Uint8Array): Promise<void> | void;
  /** Flushes and, for files, moves the finished file into place. */
  close(): Promise<void>;
  /** Drops a file output (after a failure); no-op for stdout. */
  abort(): Promise<void>;
  /** True once the reader closed a pipe (`| head`): output is discarded, the export may stop. */
  readonly readerGone: boolean;
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  if (e.code === 'ENOENT') return 'directory does not exist';
  if (e.code === 'EISDIR') return 'is a directory';
  if (e.code === 'ENOSPC') return 'no space left on device';
  if (e.code === 'EROFS') return 'read-only file system';
  return e.message ?? String(err);
}

class StreamSink implements TextSink {
  private buffer: string[] = [];
  private buffered = 0;
  private failure: unknown;
  private gone = false;

  constructor(
    private readonly stream: Writable,
    private readonly describeFailure: (err: unknown) => UserError,
    /** A closed pipe ends the output quietly, like other Unix filters, instead of failing. */
    brokenPipeEndsOutput = false,
  ) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (brokenPipeEndsOutput && err.code === 'EPIPE') this.gone = true;
      else this.failure ??= err;
    });
  }

  get readerGone(): boolean {
    return this.gone;
  }

  write(data: string | Uint8Array): Promise<void> | void {
    if (this.gone) return;
    if (typeof data !== 'string') return this.writeBytes(data);
    this.buffer.push(data);
    this.buffered += data.length;
    if (this.buffered >= CHUNK_CHARS) return this.flush();
  }

  private async writeBytes(bytes: Uint8Array): Promise<void> {
    await this.flush();
    await this.put(bytes);
  }

  protected async flush(): Promise<void> {
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.buffered = 0;
    await this.put(chunk);
  }

  private async put(chunk: string | Uint8Array): Promise<void> {
    this.check();
    if (this.gone || chunk.length === 0) return;
    if (!this.stream.write(chunk)) await this.drained();
    this.check();
  }

  /** Resolves on 'drain', or on 'error'/'close' (then check() reports the failure). */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }

  protected check(): void {
    if (this.failure !== undefined) throw this.describeFailure(this.failure);
  }

  async close(): Promise<void> {
    await this.flush();
  }

  async abort(): Promise<void> {
    this.buffer = [];
    this.buffered = 0;
  }
}

class FileSink extends StreamSink {
  constructor(
    private readonly file: WriteStream,
    private readonly tempPath: string,
    private readonly finalPath: string,
  ) {
    super(file, (err) => new UserError(`export: cannot write ${finalPath}: ${describe(err)}`));
  }

  override async close(): Promise<void> {
    await this.flush();
    this.file.end();
    await Promise.race([once(this.file, 'close'), once(this.file, 'error')]).catch(() => undefined);
    this.check();
    try {
      await rename(this.tempPath, this.finalPath);
    } catch (err) {
      await unlink(this.tempPath).catch(() => undefined);
      throw new UserError(`export: cannot write ${this.finalPath}: ${describe(err)}`);
    }
  }

  override async abort(): Promise<void> {
    await super.abort();
    this.file.destroy();
    await unlink(this.tempPath).catch(() => undefined);
  }
}

/** Opens `path` for writing (fails fast with a UserError if it cannot be created). */
export async function openFileSink(path: string): Promise<TextSink> {
  const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  // Exports hold every path and process name of the trace: owner-only, like the trace itself.
  const file = createWriteStream(tempPath, { flags: 'wx', mode: 0o600 });
  try {
    await Promise.race([
      once(file, 'ready'),
      once(file, 'error').then(([err]) => {
        throw err;
      }),
    ]);
  } catch (err) {
    throw new UserError(`export: cannot write ${path}: ${describe(err)}`);
  }
  return new FileSink(file, tempPath, path);
}

/** Writes to stdout; a closed pipe (e.g. `| head`) quietly ends the output. */
export function stdoutSink(stream: Writable = process.stdout): TextSink {
  return new StreamSink(
    stream,
    (err) => new UserError(`export: cannot write to stdout: ${describe(err)}`),
    true,
  );
}

/** A sink collecting everything in memory (tests, small programmatic exports). */
export function memorySink(): TextSink & { text(): string } {
  const parts: Buffer[] = [];
  return {
    readerGone: false,
    write: (data) => {
      parts.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
    },
    close: async () => undefined,
    abort: async () => {
      parts.length = 0;
    },
    text: () => Buffer.concat(parts).toString('utf8'),
  };
}
