/** The argument layer every command uses: specs, parser, help, runner. */
export * from './spec.js';
export { parseCommandLine, synopsisOf, type ParseOutcome } from './parse.js';
export { formatHelp } from './help.js';
export { checkPath, parseOptionValue } from './values.js';
export { cliCommand, type CliCommand } from './command.js';
