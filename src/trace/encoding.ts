/**
 * Parquet value encodings used by trace files: RLE/bit-packed hybrid (definition levels and
 * dictionary indices) and DELTA_BINARY_PACKED (integers). Integers travel as JS numbers whenever
 * they fit exactly (|v| < 2^51): BigInt arithmetic per value would cost several times more, and
 * trace values (ns since capture start, offsets, sizes) almost always fit. Wider values take a
 * BigInt path with the same output.
 */
import { ByteReader, ByteWriter } from './bytes.js';

const TWO32 = 4294967296;
/** Values below this magnitude keep every delta exact in a double. */
const FAST_LIMIT = 2 ** 51;

export function bitWidthOf(max: number): number {
  if (max < TWO32) return 32 - Math.clz32(max);
  return 32 + (32 - Math.clz32(Math.floor(max / TWO32)));
}

// ---------------------------------------------------------------------------------------------
// RLE / bit-packed hybrid

/** Encodes `count` small non-negative ints with the hybrid scheme (no length prefix). */
export function encodeRleHybrid(
  out: ByteWriter,
  values: ArrayLike<number>,
  count: number,
  bitWidth: number,
): void {
  const valueBytes = (bitWidth + 7) >> 3;
  let i = 0;
  while (i < count) {
    const v = values[i]!;
    let run = 1;
    while (i + run < count && values[i + run] === v) run++;
    if (run >= 8 || i + run === count) {
      out.varint(run * 2);
      out.ensure(valueBytes);
      for (let b = 0; b < valueBytes; b++) out.u8((v >>> (8 * b)) & 0xff);
      i += run;
      continue;
    }
    // Bit-pack groups of 8 until a run of 8 equal values starts on a group boundary.
    let groups = 0;
    let j = i;
    for (;;) {
      groups++;
      j += 8;
      if (j >= count || groups === 63) break;
      let r = 1;
      while (r < 8 && j + r < count && values[j + r] === values[j]) r++;
      if (r >= 8) break;
    }
    out.varint(groups * 2 + 1);
    out.ensure(groups * bitWidth + 8);
    const stop = i + groups * 8;
    for (let k = i; k < stop; k++) out.bits(k < count ? values[k]! : 0, bitWidth);
    out.flushBits();
    i = Math.min(stop, count);
  }
}

/** Decodes `count` values of the hybrid scheme into `dest` starting at `destStart`. */
export function decodeRleHybrid(
  r: ByteReader,
  bitWidth: number,
  count: number,
  dest: Int32Array | Uint8Array,
  destStart = 0,
): void {
  const valueBytes = (bitWidth + 7) >> 3;
  let n = 0;
  while (n < count) {
    const header = r.varint();
    if (header % 2 === 0) {
      const run = header / 2;
      let v = 0;
      for (let b = 0; b < valueBytes; b++) v |= r.u8() << (8 * b);
      const stop = Math.min(count, n + run);
      dest.fill(v, destStart + n, destStart + stop);
      n = stop;
    } else {
      const values = ((header - 1) / 2) * 8;
      const bytes = (values * bitWidth) / 8;
      const after = r.pos + bytes;
      if (after > r.end) r.overrun();
      const take = Math.min(values, count - n);
      for (let k = 0; k < take; k++) dest[destStart + n + k] = r.bits(bitWidth);
      r.alignBits();
      r.pos = after;
      n += take;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// DELTA_BINARY_PACKED

const BLOCK = 128;
const MINIBLOCKS = 4;
const MINI = BLOCK / MINIBLOCKS;

/**
 * Encodes exact integer doubles. `wrap32` selects INT32 semantics: deltas wrap modulo 2^32 like
 * every reader's int32 arithmetic, so the width never exceeds 32 bits.
 */
function encodeDeltaNumbers(
  out: ByteWriter,
  values: ArrayLike<number>,
  count: number,
  wrap32: boolean,
): void {
  out.varint(BLOCK);
  out.varint(MINIBLOCKS);
  out.varint(count);
  out.zigzag64(count > 0 ? values[0]! : 0);
  const deltas = new Float64Array(BLOCK);
  const widths = new Uint8Array(MINIBLOCKS);
  for (let start = 1; start < count; start += BLOCK) {
    const n = Math.min(BLOCK, count - start);
    let min = Infinity;
    for (let k = 0; k < n; k++) {
      const d = wrap32
        ? (values[start + k]! - values[start + k - 1]!) | 0
        : values[start + k]! - values[start + k - 1]!;
      deltas[k] = d;
      if (d < min) min = d;
    }
    for (let m = 0; m < MINIBLOCKS; m++) {
      let max = 0;
      const stop = Math.min(n, (m + 1) * MINI);
      for (let k = m * MINI; k < stop; k++) {
        const a = wrap32 ? (deltas[k]! - min) >>> 0 : deltas[k]! - min;
        deltas[k] = a;
        if (a > max) max = a;
      }
      widths[m] = stop > m * MINI ? bitWidthOf(max) : 0;
    }
    out.zigzag64(min);
    out.ensure(MINIBLOCKS);
    for (let m = 0; m < MINIBLOCKS; m++) out.u8(widths[m]!);
    for (let m = 0; m < MINIBLOCKS && m * MINI < n; m++) {
      const w = widths[m]!;
      if (w === 0) continue;
      out.ensure(MINI * 8);
      for (let k = m * MINI; k < (m + 1) * MINI; k++) out.bits(k < n ? deltas[k]! : 0, w);
      out.flushBits();
    }
  }
}

function encodeDeltaBigInts(out: ByteWriter, values: BigInt64Array, count: number): void {
  out.varint(BLOCK);
  out.varint(MINIBLOCKS);
  out.varint(count);
  out.zigzag64(count > 0 ? values[0]! : 0n);
  const deltas = new Array<bigint>(BLOCK);
  const widths = new Uint8Array(MINIBLOCKS);
  for (let start = 1; start < count; start += BLOCK) {
    const n = Math.min(BLOCK, count - start);
    let min: bigint | undefined;
    for (let k = 0; k < n; k++) {
      const d = BigInt.asIntN(64, values[start + k]! - values[start + k - 1]!);
      deltas[k] = d;
      if (min === undefined || d < min) min = d;
    }
    for (let m = 0; m < MINIBLOCKS; m++) {
      let max = 0n;
      const stop = Math.min(n, (m + 1) * MINI);
      for (let k = m * MINI; k < stop; k++) {
        const a = BigInt.asUintN(64, deltas[k]! - min!);
        deltas[k] = a;
        if (a > max) max = a;
      }
      widths[m] = stop > m * MINI ? max.toString(2).length - (max === 0n ? 1 : 0) : 0;
    }
    out.zigzag64(min!);
    out.ensure(MINIBLOCKS);
    for (let m = 0; m < MINIBLOCKS; m++) out.u8(widths[m]!);
    for (let m = 0; m < MINIBLOCKS && m * MINI < n; m++) {
      const w = widths[m]!;
      if (w === 0) continue;
      out.ensure(MINI * 9);
      for (let k = m * MINI; k < (m + 1) * MINI; k++) {
        const a = k < n ? deltas[k]! : 0n;
        if (w <= 32) out.bits(Number(a), w);
        else {
          out.bits(Number(a & 0xffffffffn), 32);
          out.bits(Number(a >> 32n), w - 32);
        }
      }
      out.flushBits();
    }
  }
}

/** DELTA_BINARY_PACKED of int64 values; picks the number fast path when every value fits. */
export function encodeDeltaInt64(out: ByteWriter, values: BigInt64Array, count: number): void {
  const words = new Int32Array(values.buffer, values.byteOffset, count * 2);
  const nums = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const hi = words[2 * i + 1]!;
    if (hi >= 524288 || hi < -524288) {
      encodeDeltaBigInts(out, values, count);
      return;
    }
    nums[i] = hi * TWO32 + (words[2 * i]! >>> 0);
  }
  encodeDeltaNumbers(out, nums, count, false);
}

export function encodeDeltaInt32(out: ByteWriter, values: Int32Array, count: number): void {
  encodeDeltaNumbers(out, values, count, true);
}

interface DeltaHeader {
  blockSize: number;
  miniblocks: number;
  total: number;
}

function readDeltaHeader(r: ByteReader): DeltaHeader {
  const blockSize = r.varint();
  const miniblocks = r.varint();
  const total = r.varint();
  if (miniblocks === 0 || blockSize % 128 !== 0 || (blockSize / miniblocks) % 32 !== 0) {
    throw new RangeError('bad DELTA_BINARY_PACKED header');
  }
  return { blockSize, miniblocks, total };
}

function zigzagDecodeBig(n: bigint): bigint {
  return (n >> 1n) ^ -(n & 1n);
}

/**
 * Decodes `count` int64 values into `dest` (from `destStart`). Writes the two 32-bit halves of
 * each value through an Int32Array view so no BigInt is allocated on the fast path.
 */
export function decodeDeltaInt64(r: ByteReader, count: number, dest: BigInt64Array, destStart = 0): void {
  const start = r.pos;
  if (!decodeDeltaInt64Fast(r, count, dest, destStart)) {
    r.pos = start;
    r.alignBits();
    decodeDeltaInt64Big(r, count, dest, destStart);
  }
}

/**
 * Unpacks `count` values of `w` (1..52) bits, LSB first, from buf[pos..] into `out`. A local
 * accumulator instead of ByteReader.bits: this loop is the reader's hottest.
 */
function unpackBits(
  buf: Uint8Array,
  pos: number,
  end: number,
  w: number,
  count: number,
  out: Float64Array,
): void {
  if (pos + Math.ceil((count * w) / 8) > end) throw new RangeError('page data ends early');
  if (w <= 24) {
    const mask = (1 << w) - 1;
    let acc = 0;
    let bits = 0;
    for (let k = 0; k < count; k++) {
      while (bits < w) {
        acc |= buf[pos++]! << bits;
        bits += 8;
      }
      out[k] = acc & mask;
      acc >>>= w;
      bits -= w;
    }
    return;
  }
  // Wider: assemble from bytes with float arithmetic (exact below 2^53).
  let bitPos = 0;
  for (let k = 0; k < count; k++) {
    let v = 0;
    let got = 0;
    let byteIndex = pos + (bitPos >> 3);
    let shift = bitPos & 7;
    while (got < w) {
      const take = Math.min(8 - shift, w - got);
      v += ((buf[byteIndex]! >> shift) & ((1 << take) - 1)) * 2 ** got;
      got += take;
      shift = 0;
      byteIndex++;
    }
    out[k] = v;
    bitPos += w;
  }
}

function decodeDeltaInt64Fast(r: ByteReader, count: number, dest: BigInt64Array, destStart: number): boolean {
  const h = readDeltaHeader(r);
  const words = new Int32Array(dest.buffer, dest.byteOffset, dest.length * 2);
  const mini = h.blockSize / h.miniblocks;
  let value = Number(zigzagDecodeBig(r.varint64()));
  if (Math.abs(value) >= FAST_LIMIT) return false;
  const scratch = new Float64Array(mini);
  const widths = new Uint8Array(h.miniblocks);
  const buf = r.buf;
  let n = 0;
  let wi = 2 * destStart;
  if (count > 0) {
    words[wi++] = (value % TWO32) | 0;
    words[wi++] = Math.floor(value / TWO32);
    n++;
  }
  while (n < count) {
    const minBig = zigzagDecodeBig(r.varint64());
    if (minBig >= BigInt(FAST_LIMIT) || minBig <= -BigInt(FAST_LIMIT)) return false;
    const min = Number(minBig);
    for (let m = 0; m < h.miniblocks; m++) widths[m] = r.u8();
    for (let m = 0; m < h.miniblocks && n < count; m++) {
      const w = widths[m]!;
      if (w > 52) return false;
      const take = Math.min(mini, count - n);
      if (w === 0) scratch.fill(0, 0, take);
      else unpackBits(buf, r.pos, r.end, w, take, scratch);
      r.pos += (mini * w) / 8; // a partly used (last) miniblock is still padded to full size
      for (let k = 0; k < take; k++) {
        value += min + scratch[k]!;
        if (value >= FAST_LIMIT || value <= -FAST_LIMIT) return false;
        // Low word: the remainder keeps the sign, |0 turns it into two's complement.
        words[wi++] = (value % TWO32) | 0;
        words[wi++] = Math.floor(value / TWO32);
      }
      n += take;
    }
  }
  return true;
}

function decodeDeltaInt64Big(r: ByteReader, count: number, dest: BigInt64Array, destStart: number): void {
  const h = readDeltaHeader(r);
  const mini = h.blockSize / h.miniblocks;
  let value = zigzagDecodeBig(r.varint64());
  let n = 0;
  const widths = new Uint8Array(h.miniblocks);
  if (count > 0) dest[destStart + n++] = value;
  while (n < count) {
    const min = zigzagDecodeBig(r.varint64());
    for (let m = 0; m < h.miniblocks; m++) widths[m] = r.u8();
    for (let m = 0; m < h.miniblocks && n < count; m++) {
      const w = widths[m]!;
      const take = Math.min(mini, count - n);
      const bodyEnd = r.pos + (mini * w) / 8;
      for (let k = 0; k < take; k++) {
        value = BigInt.asIntN(64, value + min + (w === 0 ? 0n : r.bitsBig(w)));
        dest[destStart + n++] = value;
      }
      r.alignBits();
      r.pos = bodyEnd;
    }
  }
}

export function decodeDeltaInt32(r: ByteReader, count: number, dest: Int32Array, destStart = 0): void {
  const h = readDeltaHeader(r);
  const mini = h.blockSize / h.miniblocks;
  let value = Number(BigInt.asIntN(32, zigzagDecodeBig(r.varint64())));
  let n = 0;
  const widths = new Uint8Array(h.miniblocks);
  const scratch = new Float64Array(mini);
  if (count > 0) dest[destStart + n++] = value;
  while (n < count) {
    const min = Number(BigInt.asIntN(32, zigzagDecodeBig(r.varint64())));
    for (let m = 0; m < h.miniblocks; m++) widths[m] = r.u8();
    for (let m = 0; m < h.miniblocks && n < count; m++) {
      const w = widths[m]!;
      if (w > 32) throw new RangeError('INT32 delta wider than 32 bits');
      const take = Math.min(mini, count - n);
      if (w === 0) scratch.fill(0, 0, take);
      else unpackBits(r.buf, r.pos, r.end, w, take, scratch);
      r.pos += (mini * w) / 8;
      for (let k = 0; k < take; k++) {
        value = (value + min + scratch[k]!) | 0;
        dest[destStart + n++] = value;
      }
    }
  }
}
