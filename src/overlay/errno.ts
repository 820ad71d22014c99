/** Errno names <-> numbers for this platform (os.constants.errno), with did-you-mean hints. */
import { constants } from 'node:os';
import { closestMatch } from './suggest.js';

const BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(constants.errno));
const BY_NUMBER: ReadonlyMap<number, string> = (() => {
  const map = new Map<number, string>();
  // First name wins, so aliases (EWOULDBLOCK = EAGAIN) report the common one.
  for (const [name, value] of Object.entries(constants.errno)) if (!map.has(value)) map.set(value, name);
  return map;
})();

export type ErrnoLookup = { ok: true; errno: number; name: string } | { ok: false; message: string };

/** Accepts "EIO", "eio", 5 or "5". */
export function lookupErrno(input: string | number): ErrnoLookup {
  if (typeof input === 'number' || /^\s*\d+\s*$/.test(input)) {
    const errno = Number(input);
    const name = BY_NUMBER.get(errno);
    if (name === undefined || errno <= 0) return { ok: false, message: `unknown errno number ${errno}` };
    return { ok: true, errno, name };
  }
  const name = input.trim().toUpperCase();
  const errno = BY_NAME.get(name);
  if (errno !== undefined) return { ok: true, errno, name };
  const hint = closestMatch(name, BY_NAME.keys(), 2);
  return { ok: false, message: `unknown errno "${input}"${hint ? ` (did you mean ${hint}?)` : ''}` };
}

export function errnoName(errno: number): string {
  return BY_NUMBER.get(errno) ?? String(errno);
}
