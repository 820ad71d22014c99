/**
 * Fast int64 <-> number for BigInt64Array columns: reading an element creates a BigInt (an
 * allocation), ~20x slower than reading the two 32-bit halves. Values are within ±2^53 (ns
 * timestamps, offsets, ids), where the conversion is exact. Little-endian (x86, arm64).
 */

export function words(values: BigInt64Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length * 2);
}

export function readInt64(w: Int32Array, i: number): number {
  return w[2 * i + 1]! * 4294967296 + (w[2 * i]! >>> 0);
}

export function writeInt64(w: Int32Array, i: number, value: number): void {
  const hi = Math.floor(value / 4294967296);
  w[2 * i] = (value - hi * 4294967296) | 0;
  w[2 * i + 1] = hi | 0;
}
