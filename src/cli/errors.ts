/** The error types live in src/errors.ts (below every layer); re-exported for CLI modules. */
export { InputError, INTERNAL_ERROR_EXIT, UsageError, UserError } from '../errors.js';
