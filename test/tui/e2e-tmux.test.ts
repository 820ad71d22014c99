/**
 * Drives the real `interposer-tui` binary in an 80x24 tmux pane: views, filter, help, quit, the
 * exit code, and the error screen for a file that is not a trace.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureTrace } from './fixture-file.js';
import { hasTmux, ROOT, TUI_BIN, TuiPane } from './tmux-pane.js';

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
  if (existsSync(TUI_BIN) && statSync(TUI_BIN).mtimeMs >= sourcesTime) return;
  // Type errors elsewhere in the tree must not block this test: tsc still emits, then the bundle.
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  spawnSync(process.execPath, ['scripts/bundle.mjs'], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(TUI_BIN)) throw new Error(`build did not produce ${TUI_BIN}`);
}

const dir = mkdtempSync(join(tmpdir(), 'interposer-tui-e2e-'));
const session = `interposer-tui-e2e-${process.pid}`;

const pane = new TuiPane(session);

describe.skipIf(!hasTmux)('interposer-tui in tmux (80x24)', () => {
  const trace = join(dir, 'fixture.parquet');
  const slower = join(dir, 'slower.parquet');

  beforeAll(async () => {
    ensureBuilt();
    await writeFixtureTrace(trace);
    await writeFixtureTrace(slower, 3);
  }, 300_000);

  afterEach(() => {
    pane.kill();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the overview, switches views, filters, shows help, and quits with 0', async () => {
    pane.start(trace);
    let s = await pane.waitFor((x) => x.includes('Bottlenecks'), 'the overview');
    expect(s).toContain('calls 521');
    for (const line of s.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);

    pane.keys('2');
    s = await pane.waitFor((x) => x.includes('p99.9'), 'the per-op table');
    expect(s).toMatch(/getattr\s+12/);

    pane.keys('t');
    s = await pane.waitFor((x) => x.includes('Concurrency'), 'the timeline');
    const braille = s.split('\n').filter((l) => /^[\u2800-\u28ff]+$/.test(l.trimEnd()));
    expect(braille.length).toBeGreaterThan(0);
    expect([...braille[0]!.trimEnd()].length).toBe(80);

    pane.keys('1', '/', 'op=read pid=101', 'Enter');
    s = await pane.waitFor(
      (x) => x.includes('filter: op=read pid=101') && x.includes('calls 405'),
      'the filter',
    );

    pane.keys('c');
    await pane.waitFor((x) => x.includes('calls 521') && !x.includes('filter:'), 'filter cleared');

    // Drill-down: Procs, Enter on the top row (postgres, pid 101), then Backspace back.
    pane.keys('r');
    await pane.waitFor((x) => x.includes('Processes by I/O time'), 'the processes');
    pane.keys('Enter');
    await pane.waitFor(
      (x) => x.includes('filter: pid=101') && x.includes('Processes'),
      'drilled into pid 101',
    );
    pane.keys('1');
    await pane.waitFor((x) => x.includes('filter: pid=101') && /filter kept \d+ of/.test(x), 'its overview');
    pane.keys('BSpace');
    await pane.waitFor((x) => x.includes('calls 521') && !x.includes('filter:'), 'back to everything');

    pane.keys('?');
    s = await pane.waitFor((x) => x.includes('Keys') && x.includes('filter prompt'), 'help');
    pane.keys('Escape');
    await pane.waitFor((x) => x.includes('Bottlenecks'), 'help closed');

    pane.keys('q');
    s = await pane.waitFor((x) => x.includes('EXIT='), 'the exit code');
    expect(s).toContain('EXIT=0');
    // The alternate screen is gone: nothing of the UI is left behind.
    expect(s).not.toContain('Bottlenecks');
  });

  it('opens two traces on the diff view', async () => {
    pane.start(trace, slower);
    const s = await pane.waitFor((x) => x.includes('B/A'), 'the diff');
    expect(s).toContain('A fixture.parquet');
    expect(s).toMatch(/read .*×3\.00/);
    pane.keys('C-c');
    await pane.waitFor((x) => x.includes('EXIT=0'), 'exit 0 after Ctrl-C');
  });

  it('a file of random bytes gets an error screen, and q exits non-zero with the message', async () => {
    const garbage = join(dir, 'garbage.parquet');
    writeFileSync(garbage, randomBytes(10_000));
    pane.start(garbage);
    const s = await pane.waitFor((x) => x.includes('Cannot show this trace'), 'the error screen');
    expect(s).toContain('not a Parquet file');
    expect(s).not.toMatch(/\n\s+at /);
    pane.keys('q');
    const after = await pane.waitFor((x) => x.includes('EXIT='), 'the exit code');
    expect(after).toContain('EXIT=1');
    expect(after).toMatch(/interposer-tui: .*garbage\.parquet.*not a Parquet file/s);
  });
});
