/**
 * `interposer-tui trace.parquet [other.parquet]`: the interactive analysis UI (its own program,
 * dist/cli/interposer-tui.js). With two traces it opens on the diff view. Runs on the terminal's
 * alternate screen so quitting restores what was there before.
 */
import { UsageError } from '../../errors.js';
import { cliCommand, defineCommand } from '../args/index.js';

const spec = defineCommand({
  name: 'interposer-tui',
  program: 'interposer-tui',
  summary: 'interactive analysis of a trace, or a diff of two',
  description:
    'Interactive analysis of an interposer trace; with two traces, a side-by-side diff (B = OTHER).\n' +
    'TRACE may be a file, a directory of traces or a quoted glob: one run, aligned on wall-clock time.\n' +
    'Keys: 0-9 or Tab switch views, / filters (op=read path=**/*.db pid=123 from=1s to=5s,\n' +
    'and for several traces pod=db-* node=n1 namespace= volume= hostname= file= source=),\n' +
    'Enter drills into the highlighted row, Backspace goes back,\n' +
    'c clears the filter, ? shows all keys, q quits. --follow watches a trace still being recorded\n' +
    '(a mount writing it): the screens refresh as row groups arrive.\n' +
    'Needs an interactive terminal; for text or JSON output use `interposer analyze`.',
  positionals: [
    { name: 'TRACE.parquet', help: 'the trace (file, directory or quoted glob) to explore' },
    { name: 'OTHER.parquet', help: 'a second trace to compare with', optional: true },
  ],
  options: {
    quick: {
      kind: 'flag',
      help: 'quick reports first: the default, still accepted for older scripts',
    },
    'no-quick': {
      kind: 'flag',
      help: "skip the sql engine's quick reports (DuckDB) and show only the full streaming analysis",
    },
    follow: {
      kind: 'flag',
      help: 'keep reading a trace that is still being recorded, refreshing as rows arrive',
    },
  },
});

/**
 * How long the TUI waits, once Ink has loaded, for the first reports before it draws a loading
 * screen: they are usually ready by then or soon after (about 0.2 s later at 1M-10M rows).
 */
const FIRST_REPORT_WAIT_MS = 750;

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';

export const command = cliCommand(spec, async ({ positionals: paths, options: o }) => {
  if (o.quick === true && o['no-quick'] === true)
    throw new UsageError('--quick and --no-quick contradict each other');
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError('needs an interactive terminal (for text or JSON output use `interposer analyze`)');
  }

  // Ink renders only a final frame when it believes it runs in CI (CI=true, as in a CI job that
  // drives the TUI through tmux). A terminal is attached, so the user wants it interactive:
  // clear the hint before Ink reads it at import time.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  // The first (unfiltered) reports start now, Ink once DuckDB reads on its own threads.
  const { fileSource, firstReports, TUI_TOP, loadUi } = await import('../../tui/startup.js');
  const follow = o.follow === true;
  // A followed trace is analyzed as it grows, by the stream engine only.
  const quick = !follow && o['no-quick'] !== true;
  const sources = paths.map((p) => fileSource(p, { quick, follow }));
  const unfiltered = { filter: {}, top: TUI_TOP };
  if (!follow) await Promise.all(sources.map((source) => source.prefetch?.(unfiltered)));
  const { renderApp } = await loadUi();
  const first = quick ? await firstReports(sources, unfiltered, FIRST_REPORT_WAIT_MS) : undefined;

  let exitCode = 0;
  let exitMessage: string | undefined;
  process.stdout.write(ENTER_ALT_SCREEN);
  const leave = (): void => {
    process.stdout.write(LEAVE_ALT_SCREEN);
  };
  try {
    const instance = renderApp(
      {
        sources,
        ...(first ? { first } : {}),
        onExit: (code: number, message?: string) => {
          exitCode = code;
          exitMessage = message;
        },
      },
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
});
