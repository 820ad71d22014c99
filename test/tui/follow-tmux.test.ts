/**
 * `interposer-tui --follow` in an 80x24 tmux pane on the trace of a real mount while a real
 * program (a shell loop of dd and cat, in a child process) writes through it: the row count
 * grows on screen, stopping the mount shows "recording ended", q exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupMounts, startMount } from '../helpers/interposer-process.js';
import { hasTmux, TuiPane } from './tmux-pane.js';

const canRun = hasTmux && existsSync('/dev/fuse') && process.getuid?.() === 0;
const session = `interposer-follow-e2e-${process.pid}`;

const pane = new TuiPane(session, 30);

function rowsShown(screen: string): number {
  const m = /(?:following|recording ended) · ([\d,]+) rows/.exec(screen);
  return m ? Number(m[1]!.replace(/,/g, '')) : -1;
}

let writer: ChildProcess | undefined;

afterEach(async () => {
  if (writer && writer.exitCode === null) writer.kill('SIGKILL');
  writer = undefined;
  pane.kill();
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
    pane.start('--follow', mount.trace);
    const first = await pane.waitFor((s) => rowsShown(s) > 0, 'the first rows');
    expect(first).toMatch(/following · [\d,]+ rows · updated \d+s ago/);
    for (const line of first.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    const early = rowsShown(first);
    await pane.waitFor((s) => rowsShown(s) > early, 'more rows while the program writes');

    writeFileSync(stop, '');
    expect(await writerDone).toBe(0);
    expect(await mount.stop()).toBe(0);
    const ended = await pane.waitFor((s) => s.includes('recording ended'), 'the end of the recording');
    // What the program did is on screen: the files it wrote with dd.
    pane.keys('5');
    const files = await pane.waitFor((s) => s.includes('Hot files'), 'the Files view');
    expect(files).toMatch(/\/f\d+\s/);
    expect(rowsShown(ended)).toBeGreaterThan(early);
    pane.keys('q');
    const after = await pane.waitFor((s) => s.includes('EXIT='), 'the exit code');
    expect(after).toContain('EXIT=0');
  }, 90_000);
});
