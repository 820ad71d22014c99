// The file system every bench row serves: by default a fresh ext4 (mkfs defaults, so with a
// journal) on a loop device, made for this run and removed after it.
//
// Why not the temp directory itself: on a journal-less ext4 (this project's VMs have one as /),
// every create scans past each inode deleted in the last 5 s, or the last 305 s while its inode
// table block is dirty (ext4's recently_deleted()), so a metadata storm's figure depends on how
// many files the rows before it deleted: the same storm took 0.8 s, then 1.2, 1.6 s in
// back-to-back runs, 40% of the serving threads' CPU in recently_deleted(). With a journal
// ext4 skips that check, and a fresh file system gives every run the same starting state.
// The loop device does direct I/O into its image, so O_DIRECT jobs still reach the disk.
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecked } from './proc.mjs';

/** @typedef {'ext4' | 'dir'} BackingKind */
export const BACKING_KINDS = /** @type {const} */ (['ext4', 'dir']);

/**
 * @typedef {object} BackingFs
 * @property {string} description  for the report header
 * @property {() => Promise<void>} remove  unmounts and frees the loop device (idempotent)
 */

/** Why a fresh ext4 cannot be made here, or null when it can. */
export function ext4Unavailable() {
  if (process.getuid?.() !== 0) return 'needs root (losetup, mount)';
  for (const tool of ['mkfs.ext4', 'losetup', 'mount', 'umount']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} not found`;
    }
  }
  return null;
}

/** How reports name the plain-directory backing (also for results written before it was recorded). */
export const TEMP_DIR_DESCRIPTION = 'a directory in the temp dir';

/**
 * The backing kind a run uses: `requested` (a --backing-fs value) when given, else ext4 where one
 * can be made. `fallback` says why ext4 was not taken by default (null when it was, or asked for).
 * @param {string | undefined} requested
 * @returns {{ kind: BackingKind, fallback: string | null }}
 * @throws {Error} an unknown kind, or ext4 asked for where it cannot be made
 */
export function chooseBackingKind(requested) {
  const missing = ext4Unavailable();
  if (requested === undefined) return { kind: missing ? 'dir' : 'ext4', fallback: missing };
  if (!BACKING_KINDS.includes(/** @type {BackingKind} */ (requested)))
    throw new Error(`--backing-fs must be one of ${BACKING_KINDS.join(', ')}, got ${requested}`);
  if (requested === 'ext4' && missing) throw new Error(`--backing-fs ext4: ${missing}`);
  return { kind: /** @type {BackingKind} */ (requested), fallback: null };
}

/**
 * Puts the backing file system at `backing` (an empty directory).
 * @param {string} backing
 * @param {{ kind: BackingKind, imageDir: string, sizeMiB: number, log: (msg: string) => void }} o
 *   sizeMiB: the image's size (sparse; mkfs writes its inode tables and journal up front, so no
 *   lazy initialisation runs in the background during the rows)
 * @returns {Promise<BackingFs>}
 */
export async function makeBackingFs(backing, o) {
  if (o.kind === 'dir') return { description: TEMP_DIR_DESCRIPTION, remove: async () => {} };
  const image = join(o.imageDir, 'backing-ext4.img');
  await runChecked('truncate', ['-s', `${o.sizeMiB}M`, image]);
  await runChecked('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', image]);
  const loop = (await runChecked('losetup', ['--direct-io=on', '--find', '--show', image])).stdout.trim();
  let mounted = false;
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    if (mounted) await runChecked('umount', [backing]);
    await runChecked('losetup', ['-d', loop]);
    await rm(image, { force: true });
  };
  try {
    await runChecked('mount', [loop, backing]);
    mounted = true;
  } catch (err) {
    await remove();
    throw err;
  }
  o.log(`backing: fresh ext4 (journal) on ${loop}, ${o.sizeMiB} MiB image`);
  return {
    description: `a fresh ext4 with a journal (mkfs defaults) on a loop device with direct I/O, ${o.sizeMiB} MiB`,
    remove,
  };
}
