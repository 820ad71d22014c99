/** A growable little-endian byte buffer with the varint forms Parquet and Thrift use. */
const textEncoder = new TextEncoder();

export class ByteWriter {
  buf: Uint8Array;
  length = 0;
  // Bit accumulator for packed runs: holds fewer than 8 pending bits between calls.
  private acc = 0;
  private accBits = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
  }

  ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    const p = this.length;
    b[p] = v;
    b[p + 1] = v >>> 8;
    b[p + 2] = v >>> 16;
    b[p + 3] = v >>> 24;
    this.length += 4;
  }

  /** Unsigned varint of a non-negative integer < 2^53. */
  varint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  varint64(v: bigint): void {
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.length++] = Number(v);
  }

  zigzag32(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** Zigzag varint of any int64 (number fast path when safely small). */
  zigzag64(v: number | bigint): void {
    if (typeof v === 'number' && Math.abs(v) < 2 ** 52) this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
    else {
      const b = BigInt.asIntN(64, BigInt(v));
      this.varint64(BigInt.asUintN(64, (b << 1n) ^ (b >> 63n)));
    }
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }

  /** varint length then bytes (Thrift binary/string). */
  lengthPrefixed(value: Uint8Array | string): void {
    const bytes = typeof value === 'string' ? textEncoder.encode(value) : value;
    this.varint(bytes.length);
    this.bytes(bytes);
  }

  /** Appends the low `n` (<= 24) bits of `v`, least significant bit first. */
  private bits24(v: number, n: number): void {
    let acc = this.acc | ((v & ((1 << n) - 1)) << this.accBits);
    let accBits = this.accBits + n;
    while (accBits >= 8) {
      this.buf[this.length++] = acc & 0xff;
      acc >>>= 8;
      accBits -= 8;
    }
    this.acc = acc;
    this.accBits = accBits;
  }

  /** Appends the low `n` (<= 53) bits of the non-negative integer `v`, LSB first. */
  bits(v: number, n: number): void {
    this.ensure(8);
    if (n <= 24) {
      this.bits24(v, n);
      return;
    }
    const lo = v >>> 0;
    const hi = Math.floor(v / 4294967296);
    this.bits24(lo & 0xffffff, 24);
    if (n <= 32) this.bits24(lo >>> 24, n - 24);
    else {
      this.bits24(lo >>> 24, 8);
      this.bits24(hi & 0xffffff, Math.min(n - 32, 24));
      if (n > 56) this.bits24(hi >>> 24, n - 56);
    }
  }

  /** Pads the pending bits to a byte boundary. */
  flushBits(): void {
    if (this.accBits > 0) {
      this.ensure(1);
      this.buf[this.length++] = this.acc & 0xff;
    }
    this.acc = 0;
    this.accBits = 0;
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Sequential reader over a byte range; throws RangeError-like errors on overrun. */
export class ByteReader {
  private acc = 0;
  private accBits = 0;

  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  overrun(): never {
    throw new RangeError('page data ends early');
  }

  u8(): number {
    if (this.pos >= this.end) this.overrun();
    return this.buf[this.pos++]!;
  }

  u32(): number {
    if (this.pos + 4 > this.end) this.overrun();
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
      if (mul > 2 ** 63) throw new RangeError('varint too long');
    }
  }

  varint64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new RangeError('varint too long');
    }
  }

  private bits24(n: number): number {
    while (this.accBits < n) {
      if (this.pos >= this.end) this.overrun();
      this.acc |= this.buf[this.pos++]! << this.accBits;
      this.accBits += 8;
    }
    const v = this.acc & ((1 << n) - 1);
    this.acc >>>= n;
    this.accBits -= n;
    return v;
  }

  /** Reads `n` (<= 53) bits LSB first as a non-negative number. */
  bits(n: number): number {
    if (n <= 24) return this.bits24(n);
    const lo = this.bits24(24);
    if (n <= 48) return lo + this.bits24(n - 24) * 0x1000000;
    const mid = this.bits24(24);
    return lo + mid * 0x1000000 + this.bits24(n - 48) * 0x1000000000000;
  }

  /** Reads `n` (<= 64) bits LSB first as a bigint. */
  bitsBig(n: number): bigint {
    if (n <= 48) return BigInt(this.bits(n));
    const lo = BigInt(this.bits(32));
    return lo | (BigInt(this.bits(n - 32)) << 32n);
  }

  /** Drops pending bits (packed runs end on a byte boundary). */
  alignBits(): void {
    this.acc = 0;
    this.accBits = 0;
  }
}
