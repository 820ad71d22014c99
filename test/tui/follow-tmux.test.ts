/**
 * `interposer-tui --follow` in an 80x24 tmux pane on the trace of a real mount while a real
 * program (a shell loop of dd and cat, in a child process) writes through it: the row count
 * grows on screen, stopping the mount shows "recording ended", q exits 0.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupMounts, ROOT, startMount } from '../helpers/interposer-process.js';

const BIN = join(ROOT, 'dist', 'cli', 'interposer-tui.js');
const canRun = spawnSync('tmux', ['-V']).status === 0 && existsSync('/dev/fuse') && process.getuid?.() === 0;
const session = `interposer-follow-e2e-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

async function waitForScreen(predicate: (s: string) => boolean, what: string, seconds = 30): Promise<string> {
  let last = '';
  for (let i = 0; i < seconds * 10; i++) {
    last = tmux('capture-pane', '-p', '-J', '-t', session);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tmux pane never showed ${what}; it shows:\n${last}`);
}

function rowsShown(screen: string): number {
  const m = /(?:following|recording ended) · ([\d,]+) rows/.exec(screen);
  return m ? Number(m[1]!.replace(/,/g, '')) : -1;
}

let writer: ChildProcess | undefined;

afterEach(async () => {
  if (writer && writer.exitCode === null) writer.kill('SIGKILL');
  writer = undefined;
  spawnSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
  await cleanupMounts();
});

describe.skipIf(!canRun)('interposer-tui --follow on a live mount (tmux 80x24)', () => {
  it('shows rows as the program writes them, then the end of the recording', async () => {
    const mount = await startMount();
    // The program: small files written and read back, in its own process, until told to stop
    // (however long the TUI takes to start on a loaded machine, rows keep arriving).
    const stop = join(mount.dir, 'stop');
    writer = spawn(
      'sh',
      [
        '-c',
        `i=0; while [ ! -e ${stop} ]; do i=$((i+1)); ` +
          `dd if=/dev/zero of=${mount.mnt}/f$i bs=4k count=8 status=none; ` +
          `cat ${mount.mnt}/f$i > /dev/null; sleep 0.1; done`,
      ],
      { stdio: 'ignore' },
    );
    const writerDone = new Promise<number | null>((resolve) => writer!.on('exit', (code) => resolve(code)));
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '80',
      '-y',
      '24',
      `cd '${ROOT}' && node '${BIN}' --follow '${mount.trace}'; echo "EXIT=$?"; sleep 600`,
    );
    const first = await waitForScreen((s) => rowsShown(s) > 0, 'the first rows');
    expect(first).toMatch(/following · [\d,]+ rows · updated \d+s ago/);
    for (const line of first.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    const early = rowsShown(first);
    await waitForScreen((s) => rowsShown(s) > early, 'more rows while the program writes');

    writeFileSync(stop, '');
    expect(await writerDone).toBe(0);
    expect(await mount.stop()).toBe(0);
    const ended = await waitForScreen((s) => s.includes('recording ended'), 'the end of the recording');
    // What the program did is on screen: the files it wrote with dd.
    tmux('send-keys', '-t', session, '5');
    const files = await waitForScreen((s) => s.includes('Hot files'), 'the Files view');
    expect(files).toMatch(/\/f\d+\s/);
    expect(rowsShown(ended)).toBeGreaterThan(early);
    tmux('send-keys', '-t', session, 'q');
    const after = await waitForScreen((s) => s.includes('EXIT='), 'the exit code');
    expect(after).toContain('EXIT=0');
  }, 90_000);
});
