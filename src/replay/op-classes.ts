/** Which ops open, use and close handles, change the namespace, or move data: the facts every analysis pass shares. */
import { OPS, OP_CODE, type Op } from '../trace/schema.js';

function mask(ops: readonly Op[]): Uint8Array {
  const m = new Uint8Array(OPS.length);
  for (const op of ops) m[OP_CODE[op]] = 1;
  return m;
}

export const OPENS_HANDLE = mask(['open', 'create', 'opendir']);
export const CLOSES_HANDLE = mask(['release', 'releasedir']);
/** Ops on directory handles (their fh space is looked up as directories). */
export const DIR_HANDLE_OP = mask(['opendir', 'readdir', 'releasedir', 'fsyncdir']);
/** Ops that create the entry at `path` (symlink: path is the link, path2 its target). */
export const CREATES_PATH = mask(['mknod', 'mkdir', 'symlink', 'create']);
export const REMOVES_PATH = mask(['unlink', 'rmdir']);
/** Evidence that `path` is a directory. */
export const DIRECTORY_OP = mask(['mkdir', 'rmdir', 'opendir', 'readdir', 'releasedir', 'fsyncdir']);
/** Ops that change a file's data or length. */
export const WRITES_DATA = mask(['write', 'truncate', 'fallocate']);
export const READS_DATA = mask(['read', 'fsync', 'lseek', 'copy_file_range']);

/**
 * Ops replay cannot perform from Node.js (no xattr, lseek SEEK_DATA or copy_file_range API) or
 * that are not file-system calls (event markers). They are reported as skipped, never faked.
 */
export const UNSUPPORTED = mask([
  'setxattr',
  'getxattr',
  'listxattr',
  'removexattr',
  'copy_file_range',
  'lseek',
  'event',
]);

export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_ACCMODE = 0o3;

export const ENOENT = 2;
export const EEXIST = 17;
