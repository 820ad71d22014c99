/**
 * Errors a user can act on. The CLI prints their message alone (no stack trace) and exits with
 * their code; anything else is a bug and is printed in full.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Wrong flags or arguments: exit 2, like most Unix tools. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}
