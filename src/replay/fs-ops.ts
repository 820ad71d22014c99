/**
 * Performs one recorded op on the target with synchronous node:fs calls (inside a replay
 * worker thread: a blocking call blocks only that worker, like the recorded thread it stands
 * for). Returns the bytes moved; throws the fs error, whose errno the caller records.
 *
 * Ops without a Node.js equivalent are approximated and documented: flush (what close(2) of a
 * duplicated fd sends) is a no-op, fallocate extends the file with ftruncate, rename flags other
 * than RENAME_NOREPLACE are ignored, chown keeps the owner (the trace does not hold the new
 * one), utimens sets the current time.
 */
import {
  accessSync,
  chmodSync,
  chownSync,
  closeSync,
  fchmodSync,
  fchownSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  futimesSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  statfsSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { applyCorruption, type CorruptByte } from '../overlay/index.js';
import { OP_CODE } from '../trace/schema.js';
import { MAX_VIEW, contentView } from './content.js';
import { NULL32 } from './plan.js';

const O_CREAT = 0o100;
const O_DIRECTORY = 0o200000;
const S_IFMT = 0o170000;
const RENAME_NOREPLACE = 1;

/** An error carrying a positive errno (for conditions detected without a syscall). */
export class ReplayErrno extends Error {
  constructor(readonly errnoValue: number) {
    super(`errno ${errnoValue}`);
  }
}

/** The positive errno of an fs error thrown by node:fs (or ReplayErrno); EIO when unknown. */
export function errnoOf(err: unknown): number {
  if (err instanceof ReplayErrno) return err.errnoValue;
  const e = (err as { errno?: unknown }).errno;
  return typeof e === 'number' && e !== 0 ? Math.abs(e) : 5;
}

export interface OpArgs {
  code: number;
  /** Absolute target path of the op's path (for handle ops: the path the handle was opened on). */
  path: string;
  /** Absolute target path of path2 (rename/link), or the raw symlink target. */
  path2: string | null;
  offset: number;
  size: number;
  flags: number;
  mode: number;
  /** Slot of the handle the op uses/opens, -1 if none. */
  slot: number;
  /** Content hash of the file's name when its handle was opened (writes). */
  contentHash: number;
  /** Overlay corruption of the data moved (read/write), or null. */
  corrupt: readonly CorruptByte[] | null;
}

/** The corruption entries that fall in [from, from + length), re-based to the chunk. */
function corruptionIn(bytes: readonly CorruptByte[], from: number, length: number): CorruptByte[] {
  return bytes
    .filter((b) => b.index >= from && b.index < from + length)
    .map((b) => ({ index: b.index - from, xor: b.xor }));
}

export class FsOps {
  private readBuffer = Buffer.allocUnsafe(1 << 16);

  constructor(
    private readonly slotFd: Int32Array,
    private readonly pool: Uint8Array,
  ) {}

  private fd(slot: number): number {
    const fd = slot >= 0 ? this.slotFd[slot]! : -1;
    if (fd < 0) throw new ReplayErrno(9); // EBADF: the replayed open failed or was never made
    return fd;
  }

  private setFd(slot: number, fd: number): void {
    if (slot >= 0) this.slotFd[slot] = fd;
    else closeSync(fd); // an open the trace saw fail but that succeeded now: do not leak it
  }

  /** Runs the op; returns bytes moved (read/write), 0 otherwise. */
  run(a: OpArgs): number {
    const mode = a.mode === NULL32 ? -1 : a.mode & 0o7777;
    switch (a.code) {
      case OP_CODE.getattr:
        if (a.slot >= 0) fstatSync(this.fd(a.slot));
        else lstatSync(a.path);
        return 0;
      case OP_CODE.readlink:
        readlinkSync(a.path);
        return 0;
      case OP_CODE.mknod:
        if (a.mode !== NULL32 && (a.mode & S_IFMT) !== 0 && (a.mode & S_IFMT) !== 0o100000) {
          throw new ReplayErrno(1); // EPERM: only regular files can be made without mknod(2)
        }
        closeSync(openSync(a.path, 'wx', mode < 0 ? 0o644 : mode));
        return 0;
      case OP_CODE.mkdir:
        mkdirSync(a.path, mode < 0 ? 0o777 : mode);
        return 0;
      case OP_CODE.unlink:
        unlinkSync(a.path);
        return 0;
      case OP_CODE.rmdir:
        rmdirSync(a.path);
        return 0;
      case OP_CODE.symlink:
        symlinkSync(a.path2 ?? '', a.path);
        return 0;
      case OP_CODE.rename:
        if (a.flags !== NULL32 && (a.flags & RENAME_NOREPLACE) !== 0 && exists(a.path2!))
          throw new ReplayErrno(17);
        renameSync(a.path, a.path2!);
        return 0;
      case OP_CODE.link:
        linkSync(a.path, a.path2!);
        return 0;
      case OP_CODE.chmod:
        if (a.slot >= 0) fchmodSync(this.fd(a.slot), mode < 0 ? 0o644 : mode);
        else chmodSync(a.path, mode < 0 ? 0o644 : mode);
        return 0;
      case OP_CODE.chown:
        if (a.slot >= 0) fchownSync(this.fd(a.slot), -1, -1);
        else chownSync(a.path, -1, -1);
        return 0;
      case OP_CODE.truncate: {
        const size = Number.isNaN(a.size) ? 0 : a.size;
        if (a.slot >= 0) ftruncateSync(this.fd(a.slot), size);
        else truncateSync(a.path, size);
        return 0;
      }
      case OP_CODE.open:
        this.setFd(a.slot, openSync(a.path, a.flags === NULL32 ? 0 : a.flags, 0o666));
        return 0;
      case OP_CODE.create:
        this.setFd(
          a.slot,
          openSync(a.path, (a.flags === NULL32 ? 0o1 : a.flags) | O_CREAT, mode < 0 ? 0o644 : mode),
        );
        return 0;
      case OP_CODE.read:
        return this.read(a);
      case OP_CODE.write:
        return this.write(a);
      case OP_CODE.statfs:
        statfsSync(a.path);
        return 0;
      case OP_CODE.flush:
        this.fd(a.slot);
        return 0;
      case OP_CODE.release:
      case OP_CODE.releasedir: {
        const fd = this.fd(a.slot);
        this.slotFd[a.slot] = -1;
        closeSync(fd);
        return 0;
      }
      case OP_CODE.fsync:
        if (a.flags !== NULL32 && a.flags !== 0) fdatasyncSync(this.fd(a.slot));
        else fsyncSync(this.fd(a.slot));
        return 0;
      case OP_CODE.opendir:
        this.setFd(a.slot, openSync(a.path, O_DIRECTORY));
        return 0;
      case OP_CODE.readdir:
        // libfuse collects the whole listing on each readdir: list it all.
        readdirSync(a.path);
        return 0;
      case OP_CODE.fsyncdir:
        fsyncSync(this.fd(a.slot));
        return 0;
      case OP_CODE.access:
        accessSync(a.path, a.flags === NULL32 ? 0 : a.flags & 7);
        return 0;
      case OP_CODE.utimens: {
        const now = Date.now() / 1000;
        if (a.slot >= 0) futimesSync(this.fd(a.slot), now, now);
        else utimesSync(a.path, now, now);
        return 0;
      }
      case OP_CODE.fallocate: {
        const fd = this.fd(a.slot);
        const end = (Number.isNaN(a.offset) ? 0 : a.offset) + (Number.isNaN(a.size) ? 0 : a.size);
        if (fstatSync(fd).size < end) ftruncateSync(fd, end);
        return 0;
      }
      default:
        throw new ReplayErrno(38); // ENOSYS: callers skip unsupported ops before getting here
    }
  }

  private read(a: OpArgs): number {
    const fd = this.fd(a.slot);
    const size = Number.isNaN(a.size) ? 0 : a.size;
    if (this.readBuffer.length < size) this.readBuffer = Buffer.allocUnsafe(size);
    const got = readSync(fd, this.readBuffer, 0, size, Number.isNaN(a.offset) ? null : a.offset);
    if (a.corrupt) applyCorruption(this.readBuffer, a.corrupt, got); // what the app would have seen
    return got;
  }

  private write(a: OpArgs): number {
    const fd = this.fd(a.slot);
    const size = Number.isNaN(a.size) ? 0 : a.size;
    const positioned = !Number.isNaN(a.offset);
    const base = positioned ? a.offset : 0;
    let done = 0;
    do {
      const n = Math.min(MAX_VIEW, size - done);
      let view = contentView(this.pool, a.contentHash, base + done, n);
      if (a.corrupt) {
        view = Uint8Array.from(view);
        applyCorruption(view, corruptionIn(a.corrupt, done, n));
      }
      const wrote = writeSync(fd, view, 0, n, positioned ? base + done : null);
      done += wrote;
      if (wrote < n) break;
    } while (done < size);
    return done;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
