/**
 * Runs `interposer mount` as a child process, as users do: the test process may then touch the
 * mount freely (a process must never touch a FUSE mount it serves itself). Every mount started
 * here is torn down by `cleanupMounts()` even when a test fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../src/analyze/types.js';
import { mountAt } from '../../src/record/mountinfo.js';
import { unmountFuse } from '../../src/record/unmount.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'bin', 'interposer.js');

/** `interposer analyze ARGS --json` with the built CLI, parsed; throws with its stderr on failure. */
export function analyzeJson(args: string[]): Report {
  const r = spawnSync(process.execPath, [CLI, 'analyze', ...args, '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`analyze ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

export function requireBuild(): void {
  if (!existsSync(CLI) || !existsSync(join(ROOT, 'native/build/Release/interposer_fuse.node'))) {
    throw new Error(
      'build first: npm run build (the end-to-end tests run the compiled CLI and native binding)',
    );
  }
}

/**
 * The transport every test mount uses: INTERPOSER_TEST_TRANSPORT=io_uring runs them all over FUSE
 * over io_uring (`--io-uring on`: a host without it fails loudly instead of quietly testing
 * /dev/fuse again); unset or dev-fuse, over /dev/fuse whatever the host offers.
 */
export function testTransportArgs(): string[] {
  const wanted = process.env.INTERPOSER_TEST_TRANSPORT ?? 'dev-fuse';
  if (wanted === 'io_uring') return ['--io-uring', 'on'];
  if (wanted === 'dev-fuse') return ['--io-uring', 'off'];
  throw new Error(`INTERPOSER_TEST_TRANSPORT must be io_uring or dev-fuse, not ${wanted}`);
}

export interface RunningMount {
  dir: string;
  backing: string;
  mnt: string;
  trace: string;
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM and wait: the clean stop. */
  stop(): Promise<number | null>;
}

const live = new Set<RunningMount>();

/** A fresh temp dir others may traverse (tests switch to non-root users inside it). */
export function makeWorkDir(prefix = 'interposer-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

export async function startMount(
  extraArgs: string[] = [],
  opts: { dir?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningMount> {
  requireBuild();
  const dir = opts.dir ?? makeWorkDir();
  const backing = join(dir, 'backing');
  const mnt = join(dir, 'mnt');
  const trace = join(dir, 'trace.parquet');
  spawnSync('mkdir', ['-p', backing, mnt]);
  const child = spawn(
    process.execPath,
    [
      CLI,
      'mount',
      backing,
      mnt,
      '--trace',
      trace,
      // A test that picks its own transport wins (the CLI refuses an option given twice).
      ...(extraArgs.includes('--io-uring') ? [] : testTransportArgs()),
      ...extraArgs,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const running: RunningMount = {
    dir,
    backing,
    mnt,
    trace,
    child,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      live.delete(running);
      return code;
    },
  };
  live.add(running);
  const deadline = Date.now() + 20_000;
  while (!out.includes(`mounted ${mnt}`)) {
    if (child.exitCode !== null) throw new Error(`interposer mount exited ${child.exitCode}: ${err}`);
    if (Date.now() > deadline) throw new Error(`interposer mount did not come up: ${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return running;
}

/** Tears down whatever a test left: stop the server, and if the mount survives, abort it. */
export async function cleanupMounts(): Promise<void> {
  for (const m of [...live]) {
    const timer = setTimeout(() => m.child.kill('SIGKILL'), 15_000);
    await m.stop();
    clearTimeout(timer);
    if (mountAt(m.mnt)) unmountFuse(m.mnt, { abort: true });
    rmSync(m.dir, { recursive: true, force: true });
  }
}

/** Runs a shell command (in a child process, so it may touch the mount). */
export function sh(
  command: string,
  opts: { cwd?: string; user?: string } = {},
): { code: number; out: string; err: string } {
  const argv = opts.user
    ? ['setpriv', `--reuid=${opts.user}`, `--regid=${opts.user}`, '--init-groups', 'sh', '-c', command]
    : ['sh', '-c', command];
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: opts.cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
