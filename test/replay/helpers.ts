/** Shared helpers for replay tests: hand-built traces, temp dirs, and the compiled CLI/workers. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceBatchBuilder, type TraceBatch } from '../../src/trace/batch.js';
import type { Op, TraceRow } from '../../src/trace/schema.js';
import { TraceWriter } from '../../src/trace/writer.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(REPO, 'dist/bin/interposer.js');

export interface RowSpec {
  op: Op;
  path: string;
  tid: number;
  /** Recorded start and end, in µs (readable in tests). */
  at: number;
  end?: number;
  path2?: string;
  fh?: number;
  offset?: number;
  size?: number;
  bytes?: number;
  errno?: number;
  flags?: number;
  mode?: number;
}

/** Rows from specs; seq = completion order, as a recorder writes it. */
export function rows(specs: readonly RowSpec[]): TraceRow[] {
  const built = specs.map((s): TraceRow => {
    const startNs = BigInt(Math.round(s.at * 1000));
    const endNs = BigInt(Math.round((s.end ?? s.at + 1) * 1000));
    return {
      seq: 0n,
      op: s.op,
      path: s.path,
      path2: s.path2 ?? null,
      fh: s.fh === undefined ? null : BigInt(s.fh),
      offset: s.offset === undefined ? null : BigInt(s.offset),
      size: s.size === undefined ? null : BigInt(s.size),
      bytes: BigInt(s.bytes ?? 0),
      errno: s.errno ?? 0,
      flags: s.flags ?? null,
      mode: s.mode ?? null,
      startNs,
      endNs,
      durationNs: endNs - startNs,
      pid: 100,
      tid: s.tid,
      uid: 0,
      gid: 0,
      comm: 'test',
      faultKind: null,
      faultErrno: null,
      faultDelayNs: null,
      faultTruncatedTo: null,
      throttleWaitNs: null,
    };
  });
  built.sort((a, b) => Number(a.endNs - b.endNs));
  built.forEach((r, i) => (r.seq = BigInt(i)));
  return built;
}

export function batchOf(specs: readonly RowSpec[]): TraceBatch {
  const b = new TraceBatchBuilder(Math.max(1, specs.length));
  for (const r of rows(specs)) b.append(r);
  return b.take();
}

export async function writeTraceFile(path: string, batches: readonly TraceBatch[]): Promise<string> {
  const w = await TraceWriter.open({
    path,
    wallClockAnchorNs: 1_700_000_000_000_000_000n,
    metadata: { 'interposer.source': 'record' },
  });
  for (const b of batches) await w.write(b);
  await w.close();
  return path;
}

export function tempDir(prefix = 'replay-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Replay workers (and the CLI) run compiled JavaScript: build dist/ when it is missing or older
 * than the sources replay depends on.
 */
export function ensureBuilt(): void {
  const worker = join(REPO, 'dist/replay/worker.js');
  const sources = ['src/replay', 'src/trace', 'src/overlay', 'src/cli'].map((d) =>
    newestMtime(join(REPO, d)),
  );
  const built = [worker, CLI];
  if (built.every((f) => existsSync(f) && statSync(f).mtimeMs >= Math.max(...sources))) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'pipe' });
  } catch {
    // tsc exits non-zero on type errors elsewhere in the tree but still emits JavaScript.
  }
  execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: REPO, stdio: 'pipe' });
  for (const f of built) if (!existsSync(f)) throw new Error(`build failed: ${f} missing`);
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
