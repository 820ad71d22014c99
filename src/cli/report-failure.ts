/**
 * The one error path of the command-line programs: a UserError (usage, unusable input, refused
 * operation) becomes exactly one line on stderr and its exit code; anything else is a bug,
 * printed in full with exit 70.
 */
import { INTERNAL_ERROR_EXIT, UserError } from '../errors.js';

/** `message` on one line, prefixed by `program` unless it already names it. */
export function oneLine(program: string, message: string): string {
  const text = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('; ');
  // "analyze: x" under "interposer analyze" would repeat the command name.
  const command = program.split(' ').at(-1)!;
  const body = text.startsWith(`${command}: `) ? text.slice(command.length + 2) : text;
  return `${program}: ${body}`;
}

/** Prints `err` for a person and returns the exit code. */
export function reportFailure(err: unknown, program: string): number {
  if (err instanceof UserError) {
    process.stderr.write(`${oneLine(program, err.message)}\n`);
    return err.exitCode;
  }
  process.stderr.write(
    `${program}: internal error (please report): ${(err as Error)?.stack ?? String(err)}\n`,
  );
  return INTERNAL_ERROR_EXIT;
}
