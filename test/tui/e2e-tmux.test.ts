/**
 * Drives the real `interposer-tui` binary in an 80x24 tmux pane: views, filter, help, quit, the
 * exit code, and the error screen for a file that is not a trace.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureTrace } from './fixture-file.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'cli', 'interposer-tui.js');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds dist when the binary is missing or older than the TUI sources it is made from. */
function ensureBuilt(): void {
  const sourcesTime = Math.max(
    newestMtime(join(ROOT, 'src', 'tui')),
    newestMtime(join(ROOT, 'src', 'analyze')),
    statSync(join(ROOT, 'src', 'cli', 'interposer-tui.ts')).mtimeMs,
  );
  if (existsSync(BIN) && statSync(BIN).mtimeMs >= sourcesTime) return;
  // Type errors elsewhere in the tree must not block this test: tsc still emits, we check the output.
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(BIN)) throw new Error(`build did not produce ${BIN}`);
}

const dir = mkdtempSync(join(tmpdir(), 'interposer-tui-e2e-'));
const session = `interposer-tui-e2e-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

function screen(): string {
  // -J joins wrapped lines: a UI line wider than the pane would show up as longer than 80.
  return tmux('capture-pane', '-p', '-J', '-t', session);
}

async function waitForScreen(predicate: (s: string) => boolean, what: string): Promise<string> {
  let last = '';
  for (let i = 0; i < 200; i++) {
    last = screen();
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tmux pane never showed ${what}; it shows:\n${last}`);
}

/** Starts the binary in a detached 80x24 pane; the shell prints its exit code afterwards. */
function start(...files: string[]): void {
  const quoted = files.map((f) => `'${f}'`).join(' ');
  tmux(
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    '80',
    '-y',
    '24',
    `cd '${ROOT}' && node '${BIN}' ${quoted}; echo "EXIT=$?"; sleep 600`,
  );
}

function keys(...k: string[]): void {
  tmux('send-keys', '-t', session, ...k);
}

describe.skipIf(!hasTmux)('interposer-tui in tmux (80x24)', () => {
  const trace = join(dir, 'fixture.parquet');
  const slower = join(dir, 'slower.parquet');

  beforeAll(async () => {
    ensureBuilt();
    await writeFixtureTrace(trace);
    await writeFixtureTrace(slower, 3);
  }, 300_000);

  afterEach(() => {
    spawnSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the overview, switches views, filters, shows help, and quits with 0', async () => {
    start(trace);
    let s = await waitForScreen((x) => x.includes('Bottlenecks'), 'the overview');
    expect(s).toContain('calls 521');
    for (const line of s.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);

    keys('2');
    s = await waitForScreen((x) => x.includes('p99.9'), 'the per-op table');
    expect(s).toMatch(/getattr\s+12/);

    keys('t');
    s = await waitForScreen((x) => x.includes('Concurrency'), 'the timeline');
    const braille = s.split('\n').filter((l) => /^[\u2800-\u28ff]+$/.test(l.trimEnd()));
    expect(braille.length).toBeGreaterThan(0);
    expect([...braille[0]!.trimEnd()].length).toBe(80);

    keys('1', '/', 'op=read pid=101', 'Enter');
    s = await waitForScreen(
      (x) => x.includes('filter: op=read pid=101') && x.includes('calls 405'),
      'the filter',
    );

    keys('c');
    await waitForScreen((x) => x.includes('calls 521') && !x.includes('filter:'), 'filter cleared');

    // Drill-down: Procs, Enter on the top row (postgres, pid 101), then Backspace back.
    keys('r');
    await waitForScreen((x) => x.includes('Processes by I/O time'), 'the processes');
    keys('Enter');
    await waitForScreen(
      (x) => x.includes('filter: pid=101') && x.includes('Processes'),
      'drilled into pid 101',
    );
    keys('1');
    await waitForScreen((x) => x.includes('filter: pid=101') && /filter kept \d+ of/.test(x), 'its overview');
    keys('BSpace');
    await waitForScreen((x) => x.includes('calls 521') && !x.includes('filter:'), 'back to everything');

    keys('?');
    s = await waitForScreen((x) => x.includes('Keys') && x.includes('filter prompt'), 'help');
    keys('Escape');
    await waitForScreen((x) => x.includes('Bottlenecks'), 'help closed');

    keys('q');
    s = await waitForScreen((x) => x.includes('EXIT='), 'the exit code');
    expect(s).toContain('EXIT=0');
    // The alternate screen is gone: nothing of the UI is left behind.
    expect(s).not.toContain('Bottlenecks');
  });

  it('opens two traces on the diff view', async () => {
    start(trace, slower);
    const s = await waitForScreen((x) => x.includes('B/A'), 'the diff');
    expect(s).toContain('A fixture.parquet');
    expect(s).toMatch(/read .*×3\.00/);
    keys('C-c');
    await waitForScreen((x) => x.includes('EXIT=0'), 'exit 0 after Ctrl-C');
  });

  it('a file of random bytes gets an error screen, and q exits non-zero with the message', async () => {
    const garbage = join(dir, 'garbage.parquet');
    writeFileSync(garbage, randomBytes(10_000));
    start(garbage);
    const s = await waitForScreen((x) => x.includes('Cannot show this trace'), 'the error screen');
    expect(s).toContain('not a Parquet file');
    expect(s).not.toMatch(/\n\s+at /);
    keys('q');
    const after = await waitForScreen((x) => x.includes('EXIT='), 'the exit code');
    expect(after).toContain('EXIT=1');
    expect(after).toMatch(/interposer-tui: .*garbage\.parquet.*not a Parquet file/s);
  });
});
