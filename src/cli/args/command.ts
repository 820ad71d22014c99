/**
 * A command = its spec + the function that does the work with the typed, checked arguments.
 * `run(argv)` parses, answers --help from the spec, and only then calls the work function, so no
 * command can act on a command line the spec refuses.
 */
import { formatHelp } from './help.js';
import { parseCommandLine } from './parse.js';
import type { CommandSpec, OptionSpecs, ParsedArgs } from './spec.js';

export interface CliCommand<O extends OptionSpecs = OptionSpecs> {
  spec: CommandSpec<O>;
  /** Parses argv (throwing UsageError/InputError on mistakes), prints help or runs; exit code. */
  run(argv: readonly string[]): Promise<number>;
}

export function cliCommand<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  work: (args: ParsedArgs<O>) => Promise<number>,
): CliCommand<O> {
  return {
    spec,
    async run(argv) {
      const parsed = parseCommandLine(spec, argv);
      if (parsed.help) {
        console.log(formatHelp(spec));
        return 0;
      }
      return work(parsed);
    },
  };
}
