/**
 * Allocation-free reads of int64 columns: indexing a BigInt64Array creates a BigInt per element,
 * which dominates a per-row loop. Reading the two 32-bit halves through views avoids it.
 * Exact for |value| < 2^53 (ns since capture start stay below that for 104 days).
 */
import { endianness } from 'node:os';

if (endianness() !== 'LE') throw new Error('telemetry int64 views assume a little-endian host');

export interface Int64View {
  lo: Uint32Array;
  hi: Int32Array;
}

export function int64View(values: BigInt64Array): Int64View {
  return {
    lo: new Uint32Array(values.buffer, values.byteOffset, values.length * 2),
    hi: new Int32Array(values.buffer, values.byteOffset, values.length * 2),
  };
}

export function int64At(view: Int64View, i: number): number {
  return view.hi[2 * i + 1]! * 4_294_967_296 + view.lo[2 * i]!;
}

/** Low 32 bits, unsigned: enough to hash a seq. */
export function int64Low32(view: Int64View, i: number): number {
  return view.lo[2 * i]!;
}
