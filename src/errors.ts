/**
 * The kinds of failure every layer can report, defined below all of them so record, trace,
 * overlay, replay, analyze and the CLI throw the same types. The CLI maps them to one line on
 * stderr and an exit code; anything that is not one of these is a bug (exit 70, full trace).
 */

/** A failure the user can act on (a file that cannot be written, a busy mountpoint): exit 1. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Wrong options or arguments on the command line: exit 2, like most Unix tools. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/**
 * An input file that exists on the command line but cannot be used: missing, a directory where
 * a file belongs, or not in the expected format. Exit 1: the command line itself was well formed.
 */
export class InputError extends UserError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'InputError';
  }
}

/** Exit code for internal errors (BSD sysexits EX_SOFTWARE): never the answer to a user mistake. */
export const INTERNAL_ERROR_EXIT = 70;
