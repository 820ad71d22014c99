/**
 * Data corruption: which bytes of a transfer a corrupt rule changes (drawn from the rule's seeded
 * stream, so runs reproduce) and how an executor applies them to a buffer.
 */
import { MAX_CORRUPT_BYTES, type CorruptAction } from './config.js';
import type { Prng } from './prng.js';

/** One corrupted byte of a transfer: data[index] ^= xor, or data[index] = 0 when xor is -1. */
export interface CorruptByte {
  /** Position within the transfer (0 <= index < size). */
  readonly index: number;
  /** Non-zero byte mask, or CORRUPT_SET_ZERO. */
  readonly xor: number;
}

/** The mask of mode "zero": the executor sets the byte to 0 (an xor would need the data). */
export const CORRUPT_SET_ZERO = -1;

/**
 * min(bytes, size) distinct positions in [0, size), ascending, drawn with Floyd's algorithm:
 * exactly that many draws whatever collides, so the stream advances by a count that depends on
 * the op alone. Mode "random" then draws one non-zero mask per position, in index order.
 */
export function sampleCorruption(action: CorruptAction, size: number, prng: Prng): CorruptByte[] {
  const n = Math.max(0, Math.floor(size));
  const k = Math.min(action.bytes, MAX_CORRUPT_BYTES, n);
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = Math.floor(prng.next() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  const indices = [...chosen].sort((a, b) => a - b);
  return indices.map((index) => ({
    index,
    xor:
      action.mode === 'flip'
        ? 0xff
        : action.mode === 'zero'
          ? CORRUPT_SET_ZERO
          : 1 + Math.floor(prng.next() * 255),
  }));
}

/**
 * Applies `bytes` to the first `length` bytes of `data` in place (length = what the op actually
 * moved, which may be less than asked); positions at or past it are skipped. Returns how many
 * bytes were changed.
 */
export function applyCorruption(
  data: Uint8Array,
  bytes: readonly CorruptByte[],
  length = data.length,
): number {
  const end = Math.min(length, data.length);
  let changed = 0;
  for (const { index, xor } of bytes) {
    if (index >= end) break; // ascending
    data[index] = xor === CORRUPT_SET_ZERO ? 0 : data[index]! ^ xor;
    changed++;
  }
  return changed;
}
