/**
 * The built CLI, as users run it, given generated wrong arguments: exit 2 (1 for an unusable
 * input file), exactly one line on stderr naming the problem, no stack trace, and nothing
 * created or changed on disk. Fewer runs than the in-process property (each is a process).
 */
import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, requireBuild } from '../helpers/interposer-process.js';
import { loadCommands, makeScratch, mistakes, type CommandUnderTest, type Scratch } from './wrong-args.js';

const TUI = join(ROOT, 'dist', 'bin', 'interposer-tui.js');

let scratch: Scratch;
let commands: CommandUnderTest[];

beforeAll(async () => {
  requireBuild();
  scratch = await makeScratch();
  commands = await loadCommands();
});
afterAll(async () => {
  await scratch.close();
});

/** Every path under `dir` with its type, size, mode and mtime: any change shows. */
function snapshot(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    out.set(path, `${st.mode}:${st.size}:${st.mtimeMs}`);
    if (st.isDirectory()) snapshot(path, out);
  }
  return out;
}

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process (vitest's worker must keep answering meanwhile). */
function runCli(command: string, argv: string[]): Promise<Result> {
  const args = command === 'interposer-tui' ? [TUI, ...argv] : [CLI, command, ...argv];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: scratch.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('wrong arguments, through the built CLI', () => {
  it('every command refuses each kind of mistake with one line, the right exit code, and no trace on disk', async () => {
    const all = fc.oneof(
      ...commands.map((c) => mistakes(c.spec, scratch).map((m) => ({ command: c.name, ...m }))),
    );
    const before = snapshot(scratch.root);
    await fc.assert(
      fc.asyncProperty(all, async ({ command, kind, argv, exit, names }) => {
        const r = await runCli(command, argv);
        const what = `${command} ${JSON.stringify(argv)} (${kind})`;
        expect(r.status, `${what}: ${r.stderr}`).toBe(exit);
        expect(r.stdout, what).toBe('');
        const lines = r.stderr.split('\n');
        expect(lines, what).toHaveLength(2); // one line and its newline
        expect(lines[0], what).toMatch(new RegExp(`^interposer(-tui| ${command}): `));
        expect(lines[0], what).toContain(names);
        expect(r.stderr, what).not.toMatch(/internal error|\n\s+at /);
        expect(snapshot(scratch.root), what).toEqual(before);
      }),
      { numRuns: 40 },
    );
  }, 240_000);

  it('the cases first reported are refused the same way', async () => {
    const { dirA: b, dirB: m, file, root } = scratch;
    const cases: [string[], number, string][] = [
      [['mount', b, m, '--bogus'], 2, 'unknown option --bogus'],
      [['unmount', '--bogus', 'x'], 2, 'unknown option --bogus'],
      [['ctl', '--bogus'], 2, 'unknown option --bogus'],
      [['demo', '--bogus'], 2, 'unknown option --bogus'],
      [['demo', '--trace'], 2, '--trace needs a value'],
      [['mount', b, m, '--cache-timeout', '-1'], 2, '--cache-timeout: expected a number >= 0, got "-1"'],
      [['mount', b, m, '--trace', root], 2, 'is a directory; expected a file path'],
      [['mount', b, m, '-o', 'bogus_opt'], 2, "libfuse: unknown option(s): `-o bogus_opt'"],
      [['mount', b, m, '--otel-spans', '0.1', 'extra'], 2, 'unexpected argument "extra"'],
      [
        ['replay', file, '--target', join(root, 't'), '--overlay', root],
        1,
        'is a directory, not an overlay config',
      ],
      [['analyze', file, '--path', '['], 2, '--path: "[" is not a valid glob'],
      [['analyze', file, '--top', '-5'], 2, '--top: expected an integer >= 0, got "-5"'],
      [['replay', file, '--speed', '-1'], 2, '--speed: expected a number > 0, got "-1"'],
      [['faults', file], 1, 'is a Parquet trace, not a fault log'],
      [['bogus'], 2, 'unknown command "bogus"'],
      [['help', 'bogus'], 2, 'unknown command "bogus"'],
    ];
    // A Parquet file for `faults`: the magic bytes are what it recognises.
    spawnSync('cp', [join(ROOT, 'fixtures', 'git.parquet'), file]);
    const before = snapshot(scratch.root);
    for (const [argv, exit, message] of cases) {
      const [command, ...rest] = argv as [string, ...string[]];
      const r = await runCli(command, rest);
      expect(r.status, `${argv.join(' ')}: ${r.stderr}`).toBe(exit);
      expect(r.stderr.split('\n'), argv.join(' ')).toHaveLength(2);
      expect(r.stderr, argv.join(' ')).toContain(message);
    }
    expect(snapshot(scratch.root)).toEqual(before);
  }, 120_000);
});
