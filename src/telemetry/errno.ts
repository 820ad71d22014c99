/** errno number -> symbolic name ("ENOENT"), for metric labels and span attributes. */
import { constants } from 'node:os';

const NAMES: string[] = [];
for (const [name, code] of Object.entries(constants.errno)) {
  // First name wins for aliases (EAGAIN before EWOULDBLOCK, EDEADLK before EDEADLOCK).
  if (NAMES[code] === undefined) NAMES[code] = name;
}

/** "OK" for 0, the symbolic name when Node knows it, else "E<number>". */
export function errnoName(errno: number): string {
  if (errno === 0) return 'OK';
  return NAMES[errno] ?? `E${errno}`;
}
