/**
 * Which trace rows are the kernel's own routine requests rather than something the application
 * asked for. A FUSE file system sees both: with the path API and attribute caching off, the
 * kernel asks `getxattr security.capability` before every write (to know whether to clear file
 * capabilities; "no such attribute", ENODATA, is the normal answer) and revalidates the size and
 * mtime of open files with `getattr` on the file handle around reads and writes. Rows without a
 * caller (pid 0: the last `release`, write-back) are the kernel's too.
 *
 * The analyzer, the HTML report and telemetry all use this one classification, so these rows are
 * reported apart and never counted as application errors.
 */
import type { Op } from '../trace/schema.js';
import {
  CAPABILITY_XATTR,
  KERNEL_ROUTINE_KINDS,
  kernelRoutineCode,
  type KernelRoutineKind,
} from '../trace/kernel-routine.js';

// The rule itself lives below telemetry and analysis (src/trace/kernel-routine.ts); this module
// adds what reports and findings say about it, and its SQL form.
export { CAPABILITY_XATTR, KERNEL_ROUTINE_KINDS, kernelRoutineCode, type KernelRoutineKind };

/** One line per kind: what the kernel is doing, for reports. */
export const KERNEL_ROUTINE_DESCRIPTIONS: Readonly<Record<KernelRoutineKind, string>> = {
  'capability-check': 'getxattr security.capability before writes (ENODATA is the normal answer)',
  'attribute-revalidation': 'getattr on an open file handle (size/mtime revalidation, or fstat)',
  'no-caller': 'calls with no calling process (pid 0: last release, write-back)',
};

/** What can be done about each kind, for findings. */
export const KERNEL_ROUTINE_REMEDIES: Readonly<Record<KernelRoutineKind, string>> = {
  'capability-check':
    'a server that handles FUSE_HANDLE_KILLPRIV_V2 (libfuse >= 3.16; the interposer does) leaves ' +
    'one per file after each attribute refresh instead of one per write; a longer attribute ' +
    'timeout (`interposer mount --cache-timeout`) means fewer refreshes',
  'attribute-revalidation':
    'a longer attribute timeout (`interposer mount --cache-timeout`) lets the kernel cache them',
  'no-caller': 'nothing: the kernel issues them on behalf of closed files',
};

/** The facts of a row the classification needs. */
export interface RoutineRowFacts {
  op: Op;
  /** path2: the xattr name for getxattr. */
  path2: string | null;
  /** The row carries a file handle. */
  hasFh: boolean;
  pid: number;
}

/** The kind of kernel routine request a row is, or null when the application asked for it. */
export function kernelRoutineKind(row: RoutineRowFacts): KernelRoutineKind | null {
  const code = kernelRoutineCode(row.op, row.path2, row.hasFh, row.pid);
  return code < 0 ? null : KERNEL_ROUTINE_KINDS[code]!;
}

/**
 * The same rule as an SQL predicate over trace columns (op, path2, fh, pid), for engines that
 * run the aggregate queries (sql/*.sql) and for the HTML report's own queries.
 */
export const KERNEL_ROUTINE_SQL =
  `CASE WHEN op = 'getxattr' AND path2 = '${CAPABILITY_XATTR}' THEN 'capability-check' ` +
  `WHEN op = 'getattr' AND fh IS NOT NULL THEN 'attribute-revalidation' ` +
  `WHEN pid = 0 AND op <> 'event' THEN 'no-caller' ELSE NULL END`;
