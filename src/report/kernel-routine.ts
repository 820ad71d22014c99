/**
 * Failures the kernel or libc asks for as routine questions, not application errors: lookups of
 * names that do not exist yet (every create starts with one) and absent extended attributes
 * (the kernel reads security.capability before each write). The summary counts them apart so
 * "errors" means what the application got wrong.
 *
 * The same list as the analyzer's findings (src/analyze/findings.ts ROUTINE_ERRORS), kept here
 * until the analyzer exports its classification; then this module should re-export it.
 */
import type { OpStats } from '../analyze/index.js';

const ROUTINE_ERRORS = new Set([
  'getattr ENOENT',
  'access ENOENT',
  'readlink ENOENT',
  'getxattr ENODATA',
  'getxattr EOPNOTSUPP',
  'listxattr ENODATA',
  'listxattr EOPNOTSUPP',
]);

export function isKernelRoutine(op: string, errnoName: string): boolean {
  return ROUTINE_ERRORS.has(`${op} ${errnoName}`);
}

export interface ErrorCount {
  op: string;
  errno: string;
  count: number;
  /** Of count, failures an overlay injected. */
  injected: number;
  routine: boolean;
}

export interface ErrorSplit {
  application: number;
  routine: number;
  injected: number;
  /** Every (op, errno) pair, most frequent first. */
  entries: ErrorCount[];
}

/** Application errors apart from routine answers, from the per-op errno counts. */
export function splitErrors(ops: readonly OpStats[]): ErrorSplit {
  const entries: ErrorCount[] = [];
  for (const o of ops) {
    for (const [errno, count] of Object.entries(o.errorsByErrno)) {
      const injected = o.injectedErrorsByErrno[errno] ?? 0;
      // An injected failure is one the application saw, even if its errno looks routine.
      entries.push({
        op: o.op,
        errno,
        count,
        injected,
        routine: injected === 0 && isKernelRoutine(o.op, errno),
      });
    }
  }
  entries.sort((a, b) => b.count - a.count || a.op.localeCompare(b.op));
  let application = 0;
  let routine = 0;
  let injected = 0;
  for (const e of entries) {
    if (e.routine) routine += e.count;
    else application += e.count;
    injected += e.injected;
  }
  return { application, routine, injected, entries };
}
