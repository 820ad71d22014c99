/**
 * Which trace rows are the kernel's own routine requests rather than something the application
 * asked for: `getxattr security.capability` before writes (ENODATA is the normal answer),
 * `getattr` on an open file handle (size/mtime revalidation), and calls with no caller (pid 0:
 * last release, write-back). Telemetry counts these apart so an error ratio means application
 * errors.
 *
 * The one definition, below telemetry and analysis; src/analyze/kernel-routine.ts re-exports it
 * with the descriptions, remedies and SQL form that reports use.
 */
import type { Op } from './schema.js';

export type KernelRoutineKind = 'capability-check' | 'attribute-revalidation' | 'no-caller';

export const KERNEL_ROUTINE_KINDS: readonly KernelRoutineKind[] = [
  'capability-check',
  'attribute-revalidation',
  'no-caller',
];

/** The extended attribute the kernel looks up before each write. */
export const CAPABILITY_XATTR = 'security.capability';

/** Index into KERNEL_ROUTINE_KINDS, or -1 when the application asked for the call. */
export function kernelRoutineCode(op: Op, path2: string | null, hasFh: boolean, pid: number): number {
  if (op === 'getxattr' && path2 === CAPABILITY_XATTR) return 0;
  if (op === 'getattr' && hasFh) return 1;
  if (pid === 0 && op !== 'event') return 2;
  return -1;
}
