/**
 * Reads original bytes from the backing directory (never the mount, so it is safe on the
 * serving process's own thread): what an overlay logs when it corrupts a read.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

export function backingReader(
  backing: string,
): (path: string, offset: bigint, length: number) => Uint8Array | null {
  return (path, offset, length) => {
    let fd: number | undefined;
    try {
      fd = openSync(join(backing, path), 'r');
      const out = new Uint8Array(length);
      const n = readSync(fd, out, 0, length, offset);
      return out.subarray(0, n);
    } catch {
      return null;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
}
