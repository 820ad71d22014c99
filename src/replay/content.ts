/**
 * Deterministic file content: the byte at offset `o` of a file whose data was written under
 * path `p` is POOL[(hash(p) + o) mod PERIOD]. Pre-phase fills and replayed writes use the same
 * function, so a replayed tree is byte-for-byte reproducible whatever order concurrent writes
 * land in, and a write of n bytes is one zero-copy view of the pool (no per-op generation).
 */

/** Content repeats every PERIOD bytes (per path, shifted by the path's hash). */
export const PERIOD = 1 << 20;
/** Longest single view; longer writes are issued in pieces of at most this. */
export const MAX_VIEW = 1 << 20;

/** The pool: PERIOD + MAX_VIEW pseudo-random bytes (the tail repeats the head). */
export function createContentPool(shared = true): Uint8Array {
  const length = PERIOD + MAX_VIEW;
  const pool = shared ? new Uint8Array(new SharedArrayBuffer(length)) : new Uint8Array(length);
  const words = new Uint32Array(pool.buffer, 0, PERIOD / 4);
  let x = 0x9e3779b9; // xorshift32, fixed seed: content never depends on the run
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  pool.copyWithin(PERIOD, 0, MAX_VIEW);
  return pool;
}

/** FNV-1a over the path's UTF-16 code units: cheap, stable, spreads nearby names. */
export function pathHash(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) {
    h ^= path.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Bytes [offset, offset+length) of the content of `hash`'s file; length <= MAX_VIEW. */
export function contentView(pool: Uint8Array, hash: number, offset: number, length: number): Uint8Array {
  const start = ((hash % PERIOD) + (offset % PERIOD)) % PERIOD;
  return pool.subarray(start, start + length);
}

/** Full expected content of `size` bytes written under `path` from offset 0 (tests, digests). */
export function expectedContent(pool: Uint8Array, path: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const hash = pathHash(path);
  for (let at = 0; at < size; at += MAX_VIEW) {
    const n = Math.min(MAX_VIEW, size - at);
    out.set(contentView(pool, hash, at, n), at);
  }
  return out;
}
