/**
 * Lost unsynced writes (power-loss simulation). While enabled, every data write through the
 * mount first saves the bytes it is about to overwrite (and the file's size) in an undo log;
 * fsync/fdatasync of a file forgets that file's log, because its data is now durable. "Drop"
 * applies the logs in reverse, so the backing directory holds what a crash could have left:
 * every file's content as of its last fsync.
 *
 * Options model the nastier crashes: `tornBytes` keeps a prefix of the most recent unsynced
 * write (a torn write), `keepFraction` keeps a random subset of unsynced writes (the disk
 * reordered them and some landed).
 *
 * Guarantees and limits: file data and size only. Names created, renamed or unlinked since the
 * last fsync of their directory are not rolled back; a file written through several names (hard
 * links) is tracked by the name used. The undo log lives in memory, capped by `maxBytes`; past
 * the cap, drop refuses rather than pretend. Writes in flight during a drop race with it:
 * stop or pause the application first, as a real crash would.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { Op } from '../trace/schema.js';
import { Prng } from '../overlay/prng.js';

interface UndoEntry {
  path: string;
  offset: number;
  /** What the range held before the write (shorter than the write when it extended the file). */
  before: Buffer;
  /** File size before the write. */
  sizeBefore: number;
  /** Length of the write, for torn-write modelling. */
  length: number;
}

export interface DropOptions {
  /** Keep this many leading bytes of the most recent unsynced write. */
  tornBytes?: number;
  /** Keep each unsynced write with this probability (seeded), instead of dropping all. */
  keepFraction?: number;
  seed?: number;
}

export interface DropResult {
  filesRestored: number;
  writesDropped: number;
  writesKept: number;
  bytesRestored: number;
}

/** The ops this layer must see before they run. */
export const POWER_LOSS_OPS: readonly Op[] = ['write', 'truncate', 'fallocate', 'copy_file_range', 'fsync'];

export class PowerLossLayer {
  private log: UndoEntry[] = [];
  private logBytes = 0;
  private overflowed = false;

  constructor(
    private readonly backing: string,
    private readonly maxBytes = 256 * 1024 * 1024,
  ) {}

  get unsyncedWrites(): number {
    return this.log.length;
  }

  /** Called (synchronously, before the op runs) for every op in POWER_LOSS_OPS. */
  beforeOp(op: Op, path: string, offset: number, size: number): void {
    if (op === 'fsync') {
      this.forget(path);
      return;
    }
    if (op === 'truncate') {
      // size is the new length: save what a shrink would cut off.
      this.save(path, size, Number.MAX_SAFE_INTEGER);
      return;
    }
    if (op === 'copy_file_range') return; // the destination is not known here; documented limit
    this.save(path, offset, size);
  }

  /** Restores every file to its last-fsynced content (see DropOptions). */
  drop(options: DropOptions = {}): DropResult {
    if (this.overflowed) {
      throw new UserError(
        `power-loss layer: more than ${this.maxBytes} unsynced bytes were written, so the undo log is incomplete; ` +
          'refusing to drop (raise the limit or fsync more often)',
      );
    }
    const prng = new Prng(options.seed ?? 1);
    const result: DropResult = { filesRestored: 0, writesDropped: 0, writesKept: 0, bytesRestored: 0 };
    const files = new Set<string>();
    for (let i = this.log.length - 1; i >= 0; i--) {
      const entry = this.log[i]!;
      const isLast = i === this.log.length - 1;
      if (options.keepFraction !== undefined && prng.next() < options.keepFraction) {
        result.writesKept++;
        continue;
      }
      const keepPrefix = isLast ? Math.min(options.tornBytes ?? 0, entry.length) : 0;
      result.bytesRestored += this.undo(entry, keepPrefix);
      result.writesDropped++;
      files.add(entry.path);
    }
    result.filesRestored = files.size;
    this.log = [];
    this.logBytes = 0;
    return result;
  }

  private forget(path: string): void {
    const kept = this.log.filter((e) => e.path !== path);
    if (kept.length === this.log.length) return;
    this.log = kept;
    this.logBytes = kept.reduce((sum, e) => sum + e.before.length, 0);
  }

  private save(path: string, offset: number, length: number): void {
    if (this.overflowed) return;
    let fd: number;
    try {
      fd = openSync(join(this.backing, path), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return; // the op will fail the same way; nothing to undo
    }
    try {
      const sizeBefore = fstatSync(fd).size;
      const readable = Math.max(0, Math.min(length, sizeBefore - offset));
      const before = Buffer.alloc(readable);
      let done = 0;
      while (done < readable) {
        const n = readSync(fd, before, done, readable - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      this.logBytes += readable;
      if (this.logBytes > this.maxBytes) {
        this.overflowed = true;
        this.log = [];
        return;
      }
      this.log.push({
        path,
        offset,
        before: before.subarray(0, done),
        sizeBefore,
        length: Math.min(length, 1 << 30),
      });
    } finally {
      closeSync(fd);
    }
  }

  /** Puts back what one write overwrote, except its first `keepPrefix` bytes. */
  private undo(entry: UndoEntry, keepPrefix: number): number {
    let fd: number;
    try {
      fd = openSync(join(this.backing, entry.path), constants.O_WRONLY | constants.O_NOFOLLOW);
    } catch {
      return 0; // unlinked since: the name's fate is the directory's, not modelled here
    }
    try {
      const restore = entry.before.subarray(Math.min(keepPrefix, entry.before.length));
      if (restore.length > 0)
        writeSync(fd, restore, 0, restore.length, entry.offset + (entry.before.length - restore.length));
      const keepEnd = entry.offset + keepPrefix;
      const size = fstatSync(fd).size;
      const target = Math.max(entry.sizeBefore, Math.min(size, keepPrefix > 0 ? keepEnd : entry.sizeBefore));
      if (size !== target) ftruncateSync(fd, target);
      return restore.length;
    } finally {
      closeSync(fd);
    }
  }
}
