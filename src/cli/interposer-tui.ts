#!/usr/bin/env node
/**
 * `interposer-tui trace.parquet [other.parquet]`: the interactive analysis UI. With two traces
 * it opens on the diff view. Runs on the terminal's alternate screen so quitting restores what
 * was there before.
 */
import { command } from './commands/tui.js';
import { reportFailure } from './report-failure.js';

export function main(argv: string[]): Promise<number> {
  return command.run(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Analysis workers or stdin listeners must not keep a quit UI alive.
    setImmediate(() => process.exit(code));
  },
  (err: unknown) => {
    process.exit(reportFailure(err, 'interposer-tui'));
  },
);
