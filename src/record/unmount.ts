/**
 * Unmounting from outside the serving process: the clean way (lazy unmount; the serving
 * interposer then flushes its trace and exits) and, for a dead or hung server, aborting the
 * kernel connection so no "transport endpoint is not connected" is left behind.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { fuseConnectionId, isFuse, mountAt, type MountEntry } from './mountinfo.js';

const FUSECTL = '/sys/fs/fuse/connections';

function ensureFusectl(): void {
  if (existsSync(FUSECTL) && readdirSync(FUSECTL).length > 0) return;
  try {
    execFileSync('mount', ['-t', 'fusectl', 'none', FUSECTL], { stdio: 'ignore' });
  } catch {
    // Already mounted (and simply no connections), or not permitted: abort will report it.
  }
}

/**
 * Aborts a FUSE connection (by id, the mount's device minor): every pending and future request
 * fails with ENOTCONN at once. False when the connection is already gone.
 */
export function abortConnectionId(connectionId: string): boolean {
  ensureFusectl();
  const file = `${FUSECTL}/${connectionId}/abort`;
  if (!connectionId || !existsSync(file)) return false;
  writeFileSync(file, '1');
  return true;
}

export function abortConnection(entry: MountEntry): boolean {
  return abortConnectionId(fuseConnectionId(entry));
}

export interface UnmountResult {
  aborted: boolean;
}

export function unmountFuse(mountpoint: string, options: { abort?: boolean } = {}): UnmountResult {
  const entry = mountAt(mountpoint);
  if (!entry) throw new UserError(`${mountpoint} is not a mount point`);
  if (!isFuse(entry))
    throw new UserError(`${mountpoint} is a ${entry.fsType} mount, not FUSE: refusing to unmount it`);
  const aborted = options.abort ? abortConnection(entry) : false;
  try {
    // Lazy: detach now, even if files are still open; the kernel ends the connection when they close.
    execFileSync('umount', ['-l', mountpoint], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new UserError(`cannot unmount ${mountpoint}: ${stderr || (err as Error).message}`);
  }
  return { aborted };
}
