#!/usr/bin/env node
/**
 * `interposer-tui trace.parquet [other.parquet]`: the interactive analysis UI. With two traces
 * it opens on the diff view. Runs on the terminal's alternate screen so quitting restores what
 * was there before.
 */
import { parseArgs } from 'node:util';

const USAGE = `usage: interposer-tui TRACE [OTHER]

Interactive analysis of an interposer trace; with two, a side-by-side diff (B = OTHER). TRACE
may be a file, a directory of traces or a quoted glob: one run, aligned on wall-clock time.
Keys: 1-9 or Tab switch views, / filters (op=read path=**/*.db pid=123 from=1s to=5s),
Enter drills into the highlighted row, Backspace goes back, c clears the filter, ? shows all
keys, q quits. --quick shows the sql engine's aggregates first while the rows are read. Needs an interactive terminal; for text or JSON
output use \`interposer analyze\`.`;

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' }, quick: { type: 'boolean' } },
    });
  } catch (err) {
    console.error(`interposer-tui: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const paths = parsed.positionals;
  if (paths.length < 1 || paths.length > 2) {
    console.error(`interposer-tui: expected one or two trace files, got ${paths.length}\n\n${USAGE}`);
    return 2;
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    console.error(
      'interposer-tui: needs an interactive terminal (for text or JSON output use `interposer analyze`)',
    );
    return 2;
  }

  // Ink renders only a final frame when it believes it runs in CI (CI=true, as in a CI job that
  // drives the TUI through tmux). A terminal is attached, so the user wants it interactive:
  // clear the hint before Ink reads it at import time.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const [{ render }, { createElement }, { App }, { fileSource }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../tui/app.js'),
    import('../tui/sources.js'),
  ]);

  let exitCode = 0;
  let exitMessage: string | undefined;
  process.stdout.write(ENTER_ALT_SCREEN);
  const leave = (): void => {
    process.stdout.write(LEAVE_ALT_SCREEN);
  };
  try {
    const instance = render(
      createElement(App, {
        sources: paths.map((p) => fileSource(p, { quick: parsed.values.quick === true })),
        onExit: (code: number, message?: string) => {
          exitCode = code;
          exitMessage = message;
        },
      }),
      { exitOnCtrlC: false },
    );
    const stop = (): void => instance.unmount();
    process.once('SIGTERM', stop);
    process.once('SIGHUP', stop);
    await instance.waitUntilExit();
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
  } finally {
    leave();
  }
  // The error screen vanished with the alternate screen: repeat its message where it stays.
  if (exitMessage) console.error(`interposer-tui: ${exitMessage}`);
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Analysis workers or stdin listeners must not keep a quit UI alive.
    setImmediate(() => process.exit(code));
  },
  (err: unknown) => {
    console.error('interposer-tui: internal error (please report):', err);
    process.exit(70);
  },
);
