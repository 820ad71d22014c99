// Child-process helpers. Everything that touches a FUSE mount runs in a child process with a
// timeout, so a hung mount can stall a workload but never the harness itself.
import { spawn } from 'node:child_process';

/**
 * Runs a command to completion and collects its output.
 * @param {string} command
 * @param {string[]} args
 * @param {{ timeoutMs?: number, cwd?: string, env?: NodeJS.ProcessEnv }} [opts]
 * @returns {Promise<{ code: number | null, signal: string | null, stdout: string, stderr: string, timedOut: boolean }>}
 */
export function runCommand(command, args, opts = {}) {
  const { timeoutMs = 60_000, cwd, env } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Like runCommand but throws with the command's stderr when it fails or times out. */
export async function runChecked(command, args, opts = {}) {
  const res = await runCommand(command, args, opts);
  if (res.timedOut) throw new Error(`${command} timed out after ${opts.timeoutMs ?? 60_000} ms`);
  if (res.code !== 0) {
    const why = res.stderr.trim().split('\n').slice(-5).join('\n') || `exit ${res.code ?? res.signal}`;
    throw new Error(`${command} ${args.join(' ')} failed: ${why}`);
  }
  return res;
}

/** Resolves when the child exits, or with false after timeoutMs. */
export function waitForExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Keeps the last `limit` characters of a stream, for error messages. */
export function tailCollector(stream, limit = 4096) {
  const state = { text: '' };
  stream.on('data', (d) => {
    state.text = (state.text + d).slice(-limit);
  });
  return state;
}
