/** Signalling and waiting for helper processes the driver may not be the parent of any more. */
import { readFile } from 'node:fs/promises';

/** Alive means: exists, is not a zombie, and (if given) its command line mentions `marker`. */
export async function isProcessAlive(pid: number, marker?: string): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the command name, which is in parentheses and may contain spaces.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    if (marker === undefined) return true;
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return cmdline.includes(marker);
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export async function waitForExit(pid: number, timeoutMs: number, marker?: string): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isProcessAlive(pid, marker)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * SIGTERM (the helper unmounts and flushes its trace), then SIGKILL if it does not exit in time.
 * `marker` guards against signalling an unrelated process that reused the pid.
 */
export async function stopProcess(
  pid: number,
  options: { marker?: string; graceMs: number },
): Promise<'exited' | 'killed' | 'absent'> {
  if (!(await isProcessAlive(pid, options.marker))) return 'absent';
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, options.graceMs, options.marker)) return 'exited';
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 5_000, options.marker);
  return 'killed';
}
