/** errno number <-> name on this platform (Linux numbering in traces recorded here). */
import { constants } from 'node:os';

const NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  // Keep the first name for aliases (EWOULDBLOCK = EAGAIN, EDEADLOCK = EDEADLK).
  if (!NAMES.has(value)) NAMES.set(value, name);
}

export function errnoName(errno: number): string {
  if (errno === 0) return '';
  return NAMES.get(errno) ?? `E${errno}`;
}
