/**
 * The fault log: one JSON line per injected fault, delay, or long throttle wait, so a run can be
 * explained afterwards (`interposer faults`). record() is synchronous and cheap (it is called
 * from decide()); the file implementation buffers lines and appends them asynchronously, on a
 * timer and on close, so the event loop serving FUSE requests never blocks on the log.
 */
import { appendOutputFile, PRIVATE_OUTPUT, type OutputAccess } from '../io/output-file.js';
import type { FileHandle } from 'node:fs/promises';
import type { FaultKind, Op } from '../trace/schema.js';

export interface FaultRecord {
  /** Wall clock, ISO 8601 (ms) and Unix-epoch ns as a decimal string. */
  time: string;
  timeNs: string;
  /** Capture-relative ns of the op's arrival (comparable with the trace's start_ns). */
  tNs: string;
  op: Op;
  path: string;
  path2?: string;
  pid: number;
  uid: number;
  gid: number;
  rule: string;
  kind: FaultKind;
  errno?: number;
  errnoName?: string;
  /** Bytes asked, and what the op was cut to (truncate). */
  size?: number;
  truncateTo?: number;
  delayNs?: number;
  when?: 'before' | 'after';
  throttleWaitNs?: number;
  /** Throttle records are sampled: ops over the threshold this record stands for, and their max wait. */
  throttledOps?: number;
  maxThrottleWaitNs?: number;
  /** Corruption: the mode and each byte changed (file offset as a decimal string, null if unknown). */
  corruptMode?: 'flip' | 'zero' | 'random';
  corrupt?: CorruptedByteRecord[];
  /** Signal sent to the caller (pid). */
  signal?: number;
  signalName?: string;
}

export interface CorruptedByteRecord {
  offset: string | null;
  /** The byte before corruption (reads, when the executor could read it), else null. */
  original: number | null;
  /** Mask xor-ed into the byte; -1 = set to zero. */
  xor: number;
}

export interface FaultLog {
  record(rec: FaultRecord): void;
  /** Writes out what is buffered. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export class MemoryFaultLog implements FaultLog {
  readonly records: FaultRecord[] = [];

  record(rec: FaultRecord): void {
    this.records.push(rec);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}

export interface FileFaultLogOptions {
  /** How often buffered lines are appended (default 250 ms). */
  flushIntervalMs?: number;
  /** Append early once this many bytes are buffered (default 64 KiB). */
  flushBytes?: number;
  /** Mode and group of the log (default 0600: it names every faulted path and process). */
  access?: OutputAccess;
}

export class FileFaultLog implements FaultLog {
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly fh: FileHandle,
    private readonly flushBytes: number,
    flushIntervalMs: number,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => {}), flushIntervalMs);
    this.timer.unref(); // a pending log flush must not keep the process alive
  }

  /** Appends to `path` (created if missing). */
  static async open(path: string, options: FileFaultLogOptions = {}): Promise<FileFaultLog> {
    const fh = await appendOutputFile(path, options.access ?? PRIVATE_OUTPUT, 'fault log');
    return new FileFaultLog(fh, options.flushBytes ?? 65_536, options.flushIntervalMs ?? 250);
  }

  record(rec: FaultRecord): void {
    if (this.closed) return; // late records after shutdown are dropped, not crashed on
    const line = JSON.stringify(rec) + '\n';
    this.buffer.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes >= this.flushBytes) void this.flush().catch(() => {});
  }

  flush(): Promise<void> {
    if (this.buffer.length > 0) {
      const chunk = this.buffer.join('');
      this.buffer = [];
      this.bufferedBytes = 0;
      // Chained so appends land in record order even when flushes overlap.
      this.writing = this.writing.then(async () => {
        try {
          await this.fh.appendFile(chunk, 'utf8');
        } catch (err) {
          this.failure ??= err;
        }
      });
    }
    return this.writing.then(() => {
      if (this.failure) throw this.failure;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await this.fh.close();
    }
  }
}
