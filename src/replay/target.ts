/**
 * The replay target directory: checking it can be written, mapping trace paths into it, and the
 * untimed pre-phase that creates what the trace needs before it starts.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';
import { MAX_VIEW, contentView, pathHash } from './content.js';
import type { RequiredEntry } from './tree-requirements.js';

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

/**
 * Creates the target if missing and proves it is a writable directory (a probe file: root
 * passes access(W_OK) even on read-only mounts). Refuses a non-empty target unless `force`,
 * since leftovers change outcomes (a file the trace expects to be missing would exist).
 */
export function prepareTarget(dir: string, force: boolean): string {
  const root = resolve(dir);
  let isDir: boolean | null = null;
  try {
    isDir = statSync(root).isDirectory();
  } catch (err) {
    if (code(err) !== 'ENOENT') throw new UserError(`replay target ${dir} is not usable (${code(err)})`);
  }
  if (isDir === false) throw new UserError(`replay target ${dir} is not a directory`);
  if (isDir === null) {
    try {
      mkdirSync(root, { recursive: true });
    } catch (err) {
      throw new UserError(`replay target ${dir} cannot be created (${code(err)})`);
    }
  }
  const probe = join(root, `.interposer-replay-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (err) {
    throw new UserError(`replay target ${dir} is not writable (${code(err)})`);
  }
  if (!force && readdirSync(root).length > 0) {
    throw new UserError(`replay target ${dir} is not empty (use --force to replay on top of its contents)`);
  }
  return root;
}

/** Absolute target path of a trace path; refuses paths that would escape the target. */
export function targetPath(root: string, tracePath: string): string {
  const abs = tracePath === '/' || tracePath === '' ? root : join(root, tracePath);
  if (abs !== root && !abs.startsWith(root + sep)) {
    throw new UserError(`trace path ${JSON.stringify(tracePath)} points outside the replay target`);
  }
  return abs;
}

export interface PrephaseStats {
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
}

/** Creates the required entries (parents first: the list is in discovery order, parents precede children). */
export function buildTree(root: string, entries: readonly RequiredEntry[], pool: Uint8Array): PrephaseStats {
  const stats: PrephaseStats = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  for (const entry of entries) {
    const abs = targetPath(root, entry.path);
    try {
      if (entry.kind === 'dir') {
        mkdirSync(abs, { recursive: true });
        stats.dirs++;
      } else if (entry.kind === 'symlink') {
        // The recorded link target is unknown (readlink results are not traced): point nowhere.
        symlinkSync('interposer-replay-placeholder', abs);
        stats.symlinks++;
      } else {
        writeContent(abs, entry.path, entry.size, pool);
        stats.files++;
        stats.bytes += entry.size;
      }
    } catch (err) {
      throw new UserError(`replay pre-phase: cannot create ${abs} (${code(err)})`);
    }
  }
  return stats;
}

function writeContent(abs: string, tracePath: string, size: number, pool: Uint8Array): void {
  const fd = openSync(abs, 'w', 0o644);
  try {
    const hash = pathHash(tracePath);
    for (let at = 0; at < size;) {
      const n = Math.min(MAX_VIEW, size - at);
      at += writeSync(fd, contentView(pool, hash, at, n), 0, n, at);
    }
  } finally {
    closeSync(fd);
  }
}
