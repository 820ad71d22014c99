/**
 * Checks made before mounting, so a bad invocation fails with one clear sentence and nothing
 * half-mounted: every way `interposer mount` can be refused is decided here.
 */
import { accessSync, constants, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, relative, resolve, isAbsolute } from 'node:path';
import { UsageError, UserError } from '../errors.js';
import { loadNative } from './native.js';
import { isFuse, mountAt } from './mountinfo.js';

export interface MountPaths {
  backing: string;
  mountpoint: string;
}

function realDirectory(path: string, role: string): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new UserError(`${role} ${path} does not exist`);
  }
  if (!statSync(real).isDirectory()) throw new UserError(`${role} ${path} is not a directory`);
  return real;
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export function checkMountPaths(
  backingArg: string,
  mountpointArg: string,
  allowNonEmpty: boolean,
): MountPaths {
  const backing = realDirectory(resolve(backingArg), 'backing directory');
  const mountpoint = realDirectory(resolve(mountpointArg), 'mountpoint');
  if (isInside(mountpoint, backing) || isInside(backing, mountpoint)) {
    // Operations on the backing dir would re-enter the mount and deadlock.
    throw new UserError(
      `mountpoint ${mountpoint} and backing directory ${backing} must not contain each other`,
    );
  }
  const existing = mountAt(mountpoint);
  if (existing && isFuse(existing)) {
    throw new UserError(
      `mountpoint ${mountpoint} is busy: a FUSE file system (${existing.source}) is mounted there; ` +
        `run \`interposer unmount ${mountpoint}\` if it is stale`,
    );
  }
  if (!allowNonEmpty && readdirSync(mountpoint).length > 0) {
    throw new UserError(
      `mountpoint ${mountpoint} is not empty (pass --allow-nonempty to mount over it anyway)`,
    );
  }
  checkFuseDevice();
  return { backing, mountpoint };
}

export function checkFuseDevice(): void {
  try {
    accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? '/dev/fuse does not exist: load the fuse module (modprobe fuse) or run the container with --device /dev/fuse'
        : `/dev/fuse is not usable (${code}): run as root or give this user access to /dev/fuse`,
    );
  }
}

/** The trace file's directory must exist and be writable before we mount anything. */
export function checkTracePath(tracePath: string): string {
  const abs = resolve(tracePath);
  const dir = dirname(abs);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UserError(`cannot write trace ${abs}: directory ${dir} does not exist or is not writable`);
  }
  return abs;
}

/** Asks libfuse whether it accepts the user's -o options, before anything is created. */
export function checkFuseOptions(options: readonly string[]): void {
  if (options.length === 0) return;
  const complaint = loadNative().checkFuseOptions(options.join(','));
  if (complaint !== null) throw new UsageError(`-o ${options.join(',')}: libfuse: ${complaint}`);
}
