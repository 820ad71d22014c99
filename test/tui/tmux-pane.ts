/**
 * The real `interposer-tui` binary in a detached 80x24 tmux pane, for end-to-end tests: start it,
 * read the screen, wait for something to show, send keys. The pane's shell prints the exit code
 * (`EXIT=N`) when the binary ends.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const TUI_BIN = join(ROOT, 'dist', 'bin', 'interposer-tui.js');
export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

export class TuiPane {
  /** @param waitSeconds how long waitFor looks before it fails, unless a call says otherwise */
  constructor(
    readonly session: string,
    private readonly waitSeconds = 20,
  ) {}

  /** Runs `interposer-tui ARGS...` (each argument quoted) in a new 80x24 session. */
  start(...args: string[]): void {
    const quoted = args.map((a) => `'${a}'`).join(' ');
    tmux(
      'new-session',
      '-d',
      '-s',
      this.session,
      '-x',
      '80',
      '-y',
      '24',
      `cd '${ROOT}' && node '${TUI_BIN}' ${quoted}; echo "EXIT=$?"; sleep 600`,
    );
  }

  screen(): string {
    // -J joins wrapped lines: a UI line wider than the pane would show up as longer than 80.
    return tmux('capture-pane', '-p', '-J', '-t', this.session);
  }

  async waitFor(
    predicate: (s: string) => boolean,
    what: string,
    seconds = this.waitSeconds,
  ): Promise<string> {
    let last = '';
    for (let i = 0; i < seconds * 10; i++) {
      last = this.screen();
      if (predicate(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`tmux pane never showed ${what}; it shows:\n${last}`);
  }

  keys(...k: string[]): void {
    tmux('send-keys', '-t', this.session, ...k);
  }

  /** Ends the session (and the binary in it), if it is still there. */
  kill(): void {
    spawnSync('tmux', ['kill-session', '-t', this.session], { stdio: 'ignore' });
  }
}
