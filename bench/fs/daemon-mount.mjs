// Starts a FUSE server as a child process, waits until its mount is live, and hands back a
// handle whose unmount() always leaves the mountpoint clean (escalating if the server hangs).
// Live mounts are registered so that Ctrl-C or a crash of the harness still unmounts them.
import { spawn, spawnSync } from 'node:child_process';
import { forceUnmount, isFuseMounted, waitForFuseMount } from './mounts.mjs';
import { tailCollector, waitForExit } from './proc.mjs';

/** @type {Map<string, import('node:child_process').ChildProcess>} mountpoint -> server */
const live = new Map();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: lazy-detach with the sync spawn API.
  process.on('exit', () => {
    for (const [mnt, child] of live) {
      spawnSync('fusermount3', ['-u', '-z', mnt], { stdio: 'ignore', timeout: 5_000 });
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
}

/**
 * For bench entry points (not libraries or test workers, whose signals belong to their
 * runner): turn Ctrl-C / SIGTERM into a normal exit so the exit hook unmounts what is live.
 */
export function exitOnSignals() {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}, unmounting ${live.size} mount(s)\n`);
      process.exit(130);
    });
  }
}

/**
 * @typedef {object} MountHandle
 * @property {string} root      where workloads run
 * @property {number | undefined} pid  the FUSE server's pid (for RSS sampling)
 * @property {() => Promise<string[]>} unmount  steps taken, for the log
 */

/**
 * @param {object} o
 * @param {string} o.command
 * @param {string[]} o.args
 * @param {string} o.mnt
 * @param {'fusermount' | 'signal'} o.stop  how a clean unmount is asked for: `fusermount3 -u`
 *   (the server then exits by itself) or SIGTERM (the server unmounts and flushes, then exits)
 * @param {RegExp} [o.readyLine]  wait for this stdout line too (e.g. /^mounted /)
 * @param {number} [o.stopTimeoutMs]  how long a clean stop may take (trace flush) before force
 * @param {NodeJS.ProcessEnv} [o.env]
 * @returns {Promise<MountHandle>}
 */
export async function mountDaemon(o) {
  installExitHook();
  const child = spawn(o.command, o.args, { stdio: ['ignore', 'pipe', 'pipe'], env: o.env ?? process.env });
  const stderr = tailCollector(child.stderr);
  const stdout = tailCollector(child.stdout);
  live.set(o.mnt, child);
  const spawnError = new Promise((_, reject) => child.once('error', reject));
  spawnError.catch(() => {}); // only raced during startup; a later 'error' must not crash the run

  try {
    if (o.readyLine) {
      await Promise.race([spawnError, waitForLine(child, o.readyLine, 30_000)]);
    }
    await Promise.race([spawnError, waitForFuseMount(o.mnt, { child, timeoutMs: 30_000 })]);
  } catch (err) {
    await stopDaemon(child, o.mnt, 'signal', 2_000);
    live.delete(o.mnt);
    const detail = (stderr.text || stdout.text).trim().split('\n').slice(-6).join('\n');
    throw new Error(`${err.message}${detail ? `\n${detail}` : ''}`);
  }

  let unmounted = false;
  return {
    root: o.mnt,
    pid: child.pid,
    unmount: async () => {
      if (unmounted) return [];
      unmounted = true;
      const steps = await stopDaemon(child, o.mnt, o.stop, o.stopTimeoutMs ?? 20_000);
      live.delete(o.mnt);
      return steps;
    },
  };
}

async function stopDaemon(child, mnt, how, timeoutMs) {
  const steps = [];
  if (how === 'signal') {
    child.kill('SIGTERM');
  } else if (isFuseMounted(mnt)) {
    const res = spawnSync('fusermount3', ['-u', mnt], { encoding: 'utf8', timeout: 5_000 });
    steps.push(
      `fusermount3 -u: ${res.status === 0 ? 'ok' : (res.stderr || '').trim() || `exit ${res.status}`}`,
    );
  }
  const exited = await waitForExit(child, timeoutMs);
  if (!exited) steps.push(`server still running after ${timeoutMs} ms`);
  steps.push(...(await forceUnmount(mnt)));
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
    steps.push('server killed');
  }
  return steps;
}

function waitForLine(child, pattern, timeoutMs) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(
      () => finish(new Error(`no "${pattern.source}" line within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      if (lines.some((l) => pattern.test(l))) finish();
    };
    const onExit = (code, sig) => finish(new Error(`server exited (${code ?? sig}) before it was ready`));
    function finish(err) {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    }
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
}
