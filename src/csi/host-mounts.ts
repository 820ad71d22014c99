/**
 * The host's mount table and the mount(8)/umount(8) calls the driver makes. Everything is async
 * and never stats inside a mount point, so a hung FUSE daemon cannot block the driver's event loop.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  /** The shared/master propagation tags from mountinfo's optional fields. */
  optionalFields: string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    const mountPoint = fields[4];
    const fsType = fields[separator + 1];
    if (separator < 6 || mountPoint === undefined || fsType === undefined) continue;
    entries.push({
      mountPoint: unescapeMountPath(mountPoint),
      fsType,
      source: unescapeMountPath(fields[separator + 2] ?? ''),
      optionalFields: fields.slice(6, separator),
    });
  }
  return entries;
}

export async function readMountTable(mountInfoPath = '/proc/self/mountinfo'): Promise<MountEntry[]> {
  return parseMountInfo(await readFile(mountInfoPath, 'utf8'));
}

/** The topmost mount at exactly this path (later lines in mountinfo stack over earlier ones). */
export async function findMount(path: string): Promise<MountEntry | undefined> {
  const table = await readMountTable();
  for (let i = table.length - 1; i >= 0; i--) {
    if (table[i]!.mountPoint === path) return table[i];
  }
  return undefined;
}

export const isFuseMount = (entry: MountEntry): boolean =>
  entry.fsType === 'fuse' || entry.fsType === 'fuseblk' || entry.fsType.startsWith('fuse.');

export interface WaitForMountOptions {
  timeoutMs: number;
  pollMs?: number;
  /** Which mounts count as ready (default: FUSE). */
  accept?: (entry: MountEntry) => boolean;
  /** Checked on every poll: a string ends the wait early as a failure (e.g. "daemon exited"). */
  failFast?: () => string | undefined | Promise<string | undefined>;
}

export type WaitResult = { ok: true; entry: MountEntry } | { ok: false; reason: string };

export async function waitForMount(path: string, options: WaitForMountOptions): Promise<WaitResult> {
  const accept = options.accept ?? isFuseMount;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const entry = await findMount(path);
    if (entry && accept(entry)) return { ok: true, entry };
    const failure = await options.failFast?.();
    if (failure) return { ok: false, reason: failure };
    if (Date.now() >= deadline) {
      return { ok: false, reason: `no mount at ${path} after ${options.timeoutMs} ms` };
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
  }
}

async function run(command: string, args: string[]): Promise<void> {
  try {
    await execFileAsync(command, args, { timeout: 30_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

export async function bindMount(source: string, target: string, readonly: boolean): Promise<void> {
  await run('mount', ['--bind', source, target]);
  // A read-only bind needs a second remount: the first mount ignores "ro" for binds.
  if (readonly) await run('mount', ['-o', 'remount,bind,ro', target]);
}

/**
 * Unmounts everything stacked at `path`. Tries a normal unmount first and falls back to a lazy
 * one, which always succeeds on a dead FUSE mount ("transport endpoint is not connected").
 */
export async function unmountAll(path: string): Promise<void> {
  for (let guard = 0; guard < 16 && (await findMount(path)); guard++) {
    try {
      await run('umount', [path]);
    } catch {
      await run('umount', ['-l', path]);
    }
  }
  if (await findMount(path)) throw new Error(`${path} is still mounted after unmounting`);
}
