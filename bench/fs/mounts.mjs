// Mount-table queries and the unmount ladder. Only /proc/self/mountinfo and /sys are read
// here, never the mountpoint itself, so a dead FUSE server cannot hang these calls.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCommand, sleep } from './proc.mjs';

/** mountinfo escapes space, tab, newline and backslash as octal. */
const unescapeMountPath = (s) =>
  s.replace(/\\([0-7]{3})/g, (_, oct) => String.fromCharCode(parseInt(oct, 8)));

/**
 * Parses /proc/self/mountinfo text.
 * @param {string} text
 * @returns {{ mountpoint: string, major: number, minor: number, fstype: string, source: string }[]}
 */
export function parseMountinfo(text) {
  const entries = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const f = left.split(' ');
    const [major, minor] = (f[2] ?? '0:0').split(':').map(Number);
    const [fstype = '', source = ''] = right.split(' ');
    entries.push({ mountpoint: unescapeMountPath(f[4] ?? ''), major, minor, fstype, source });
  }
  return entries;
}

/** The topmost mount at exactly `mnt`, or undefined. */
export function findMount(mnt) {
  const want = resolve(mnt);
  const all = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  return all.filter((e) => e.mountpoint === want).at(-1);
}

export const isFuseMounted = (mnt) => {
  const m = findMount(mnt);
  return m !== undefined && m.fstype.startsWith('fuse');
};

/**
 * Polls until a FUSE mount appears at mnt. Fails early if `child` (the server) exits.
 * @param {string} mnt
 * @param {{ timeoutMs?: number, child?: import('node:child_process').ChildProcess }} [opts]
 */
export async function waitForFuseMount(mnt, opts = {}) {
  const { timeoutMs = 15_000, child } = opts;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (isFuseMounted(mnt)) return;
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before ${mnt} was mounted`);
    }
    await sleep(50);
  }
  throw new Error(`no FUSE mount appeared at ${mnt} within ${timeoutMs} ms`);
}

/**
 * Gets a FUSE mount off `mnt` whatever state its server is in: polite `fusermount3 -u`, then
 * abort the connection (in-flight requests fail with ENOTCONN instead of hanging) and detach
 * lazily. Returns the steps it took, for the log.
 * @param {string} mnt
 * @returns {Promise<string[]>}
 */
export async function forceUnmount(mnt) {
  const steps = [];
  if (!isFuseMounted(mnt)) return steps;
  const res = await runCommand('fusermount3', ['-u', mnt], { timeoutMs: 5_000 });
  steps.push(`fusermount3 -u: ${res.code === 0 ? 'ok' : res.stderr.trim() || `exit ${res.code}`}`);
  if (!isFuseMounted(mnt)) return steps;

  const m = findMount(mnt);
  if (m) {
    // The connection id under /sys/fs/fuse/connections is the mount's anonymous device minor.
    try {
      writeFileSync(`/sys/fs/fuse/connections/${m.minor}/abort`, '1');
      steps.push(`aborted connection ${m.minor}`);
    } catch (err) {
      steps.push(`abort connection ${m.minor}: ${err.message}`);
    }
  }
  const lazy = await runCommand('umount', ['-l', mnt], { timeoutMs: 5_000 });
  steps.push(`umount -l: ${lazy.code === 0 ? 'ok' : lazy.stderr.trim() || `exit ${lazy.code}`}`);
  return steps;
}
