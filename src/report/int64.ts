/**
 * int64 trace columns as JS numbers without a BigInt per value: the two 32-bit halves are read
 * through typed-array views. Exact below 2^53, which no time or size in a trace reaches.
 */
const TWO_POW_32 = 4_294_967_296;

export function int64AsNumbers(values: BigInt64Array, length: number, reuse: Float64Array): Float64Array {
  const out = reuse.length >= length ? reuse : new Float64Array(Math.max(length, reuse.length * 2));
  if (values.byteOffset % 4 !== 0) {
    for (let i = 0; i < length; i++) out[i] = Number(values[i]!);
    return out;
  }
  const lo = new Uint32Array(values.buffer, values.byteOffset, length * 2);
  const hi = new Int32Array(values.buffer, values.byteOffset, length * 2);
  for (let i = 0, j = 0; i < length; i++, j += 2) out[i] = hi[j + 1]! * TWO_POW_32 + lo[j]!;
  return out;
}
