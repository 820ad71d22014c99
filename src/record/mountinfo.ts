/**
 * Reads /proc/self/mountinfo: which paths are mount points, of what type, and which FUSE
 * connection (device minor) serves them. Never stats a mount, so it is safe to call from the
 * process that serves it.
 */
import { readFileSync } from 'node:fs';

export interface MountEntry {
  mountPoint: string;
  /** "major:minor"; for FUSE the minor names /sys/fs/fuse/connections/<minor>. */
  device: string;
  fsType: string;
  source: string;
}

/** Mountinfo escapes space, tab, newline and backslash as octal. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    if (sep < 0 || fields.length < sep + 3) continue;
    entries.push({
      mountPoint: unescape(fields[4]!),
      device: fields[2]!,
      fsType: fields[sep + 1]!,
      source: unescape(fields[sep + 2]!),
    });
  }
  return entries;
}

export function readMounts(): MountEntry[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** The topmost mount at exactly this path, if any. */
export function mountAt(path: string, mounts: MountEntry[] = readMounts()): MountEntry | undefined {
  let found: MountEntry | undefined;
  for (const m of mounts) if (m.mountPoint === path) found = m;
  return found;
}

export function isFuse(entry: MountEntry): boolean {
  return entry.fsType === 'fuse' || entry.fsType.startsWith('fuse.');
}

/** FUSE connection id (the device minor number) of a mount. */
export function fuseConnectionId(entry: MountEntry): string {
  return entry.device.split(':')[1] ?? '';
}
