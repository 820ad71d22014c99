/**
 * Files the product writes that reveal what users did (traces, journals, fault logs, metric
 * snapshots, exports, logs): created for their owner only, and never through a symlink.
 *
 * A shared mount runs as root and records every user's paths, process names and uids, so these
 * files default to 0600. A path that already holds something is replaced by a new file of ours
 * (created under a temporary name with O_EXCL, then renamed over it): a symlink planted at the
 * path is replaced, never followed, and a file that belongs to someone else keeps neither its
 * owner nor its mode.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';

/** Who may read an output file: its mode and, for team sharing, its group. */
export interface OutputAccess {
  /** Permission bits, applied exactly (the umask does not widen or narrow them). */
  mode: number;
  /** Group to give the file (with a mode such as 0640 that lets the group read it). */
  gid?: number;
}

export const PRIVATE_OUTPUT: OutputAccess = { mode: 0o600 };

const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = constants;

/**
 * Creates `path` afresh for writing (truncating semantics: any previous file at `path` is
 * replaced once the new one is complete enough to open). `what` names the file in errors.
 */
export async function createOutputFile(
  path: string,
  access: OutputAccess = PRIVATE_OUTPUT,
  what = 'output file',
): Promise<FileHandle> {
  const existing = await lstatOrNull(path, what);
  if (existing?.isDirectory()) throw new UserError(`${what} ${path} is a directory`);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fh: FileHandle;
  try {
    fh = await open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, access.mode);
  } catch (err) {
    throw new UserError(`cannot create ${what} ${path}: ${describe(err)}`);
  }
  try {
    await applyAccess(fh, access);
    await rename(temp, path);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw new UserError(`cannot create ${what} ${path}: ${describe(err)}`);
  }
  return fh;
}

/**
 * Opens `path` for appending, creating it if missing. An existing file is appended to only when
 * it is a regular file owned by this process's user (a symlink or someone else's file is
 * refused); its mode is set to `access`, since earlier runs may have left it readable.
 */
export async function appendOutputFile(
  path: string,
  access: OutputAccess = PRIVATE_OUTPUT,
  what = 'output file',
): Promise<FileHandle> {
  const existing = await lstatOrNull(path, what);
  if (!existing) {
    try {
      const fh = await open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW, access.mode);
      await applyAccess(fh, access);
      return fh;
    } catch (err) {
      // Lost a race with another creator: fall through to the checks on what is there now.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new UserError(`cannot create ${what} ${path}: ${describe(err)}`);
    }
  }
  let fh: FileHandle;
  try {
    fh = await open(path, O_WRONLY | O_APPEND | O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new UserError(`${what} ${path} is a symbolic link; refusing to follow it`);
    if (code === 'EISDIR') throw new UserError(`${what} ${path} is a directory`);
    throw new UserError(`cannot open ${what} ${path}: ${describe(err)}`);
  }
  try {
    const stats = await fh.stat();
    if (!stats.isFile()) throw new UserError(`${what} ${path} is not a regular file`);
    const me = process.geteuid?.();
    if (me !== undefined && stats.uid !== me)
      throw new UserError(
        `${what} ${path} belongs to uid ${stats.uid}, not to this user; refusing to append to it`,
      );
    await applyAccess(fh, access);
    return fh;
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err instanceof UserError ? err : new UserError(`cannot open ${what} ${path}: ${describe(err)}`);
  }
}

/** Parses `--trace-mode` style octal permissions; group/other write bits are never allowed. */
export function parseOutputMode(text: string): number {
  if (!/^0?[0-7]{3}$/.test(text))
    throw new UserError(`file mode "${text}" is not an octal mode such as 0600 or 0640`, 2);
  const mode = parseInt(text, 8);
  if ((mode & 0o600) !== 0o600)
    throw new UserError(`file mode ${text} must let the owner read and write (0600 at least)`, 2);
  if (mode & 0o022)
    throw new UserError(
      `file mode ${text} would let others change the file; use read bits only (e.g. 0640)`,
      2,
    );
  if (mode & 0o111) throw new UserError(`file mode ${text} has execute bits; traces are not programs`, 2);
  return mode;
}

async function applyAccess(fh: FileHandle, access: OutputAccess): Promise<void> {
  if (access.gid !== undefined) await fh.chown(-1, access.gid);
  await fh.chmod(access.mode); // after chown: chown may clear bits, and the umask narrowed open()
}

async function lstatOrNull(path: string, what: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new UserError(`cannot use ${what} ${path}: ${describe(err)}`);
  }
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code
    ? `${e.code} (${e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')})`
    : String(err);
}
