/**
 * Minimal Thrift Compact Protocol writer and reader: exactly what Parquet's footer and page
 * headers need. The writer is driven field by field (no reflection) so the hot path of the trace
 * writer stays allocation-light; the reader is generic and returns structs keyed by field id.
 */
import { ByteWriter } from './bytes.js';

export const CompactType = {
  Stop: 0,
  True: 1,
  False: 2,
  Byte: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  Double: 7,
  Binary: 8,
  List: 9,
  Set: 10,
  Map: 11,
  Struct: 12,
} as const;
export type CompactType = (typeof CompactType)[keyof typeof CompactType];

/** Writes one struct (and nested ones) into a ByteWriter. Field ids must ascend per struct. */
export class ThriftWriter {
  private lastFid: number[] = [0];

  constructor(readonly out: ByteWriter = new ByteWriter()) {}

  private header(fid: number, type: CompactType): void {
    const last = this.lastFid[this.lastFid.length - 1]!;
    const delta = fid - last;
    if (delta > 0 && delta <= 15) this.out.u8((delta << 4) | type);
    else {
      this.out.u8(type);
      this.out.zigzag32(fid);
    }
    this.lastFid[this.lastFid.length - 1] = fid;
  }

  i32(fid: number, value: number): this {
    this.header(fid, CompactType.I32);
    this.out.zigzag32(value);
    return this;
  }

  i64(fid: number, value: number | bigint): this {
    this.header(fid, CompactType.I64);
    this.out.zigzag64(value);
    return this;
  }

  bool(fid: number, value: boolean): this {
    this.header(fid, value ? CompactType.True : CompactType.False);
    return this;
  }

  binary(fid: number, value: Uint8Array | string): this {
    this.header(fid, CompactType.Binary);
    this.out.lengthPrefixed(value);
    return this;
  }

  struct(fid: number, body: (w: this) => void): this {
    this.header(fid, CompactType.Struct);
    this.lastFid.push(0);
    body(this);
    this.end();
    return this;
  }

  /** A list header; the caller then writes `count` elements of `elemType`. */
  listHeader(fid: number, elemType: CompactType, count: number): this {
    this.header(fid, CompactType.List);
    if (count < 15) this.out.u8((count << 4) | elemType);
    else {
      this.out.u8(0xf0 | elemType);
      this.out.varint(count);
    }
    return this;
  }

  /** One struct element of a list. */
  listStruct(body: (w: this) => void): this {
    this.lastFid.push(0);
    body(this);
    this.end();
    return this;
  }

  /** Closes a struct started with struct()/listStruct(), or the top-level one. */
  end(): this {
    this.out.u8(CompactType.Stop);
    this.lastFid.pop();
    if (this.lastFid.length === 0) this.lastFid.push(0);
    return this;
  }
}

export type ThriftValue = number | bigint | boolean | Uint8Array | ThriftStruct | ThriftValue[];
export type ThriftStruct = { [fid: number]: ThriftValue | undefined };

export class ThriftDecodeError extends Error {}

/** Generic compact-protocol struct reader. `pos` advances past what was read. */
export class ThriftReader {
  constructor(
    readonly buf: Uint8Array,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  private byte(): number {
    if (this.pos >= this.end) throw new ThriftDecodeError('unexpected end of thrift data');
    return this.buf[this.pos++]!;
  }

  private varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new ThriftDecodeError('varint too long');
    }
  }

  private varint64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new ThriftDecodeError('varint too long');
    }
  }

  private zigzag32(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  /** i64 values come back as numbers when safely representable, else bigint. */
  private zigzag64(): number | bigint {
    // Offsets, sizes and counts fit in 7 varint bytes (49 bits): plain number arithmetic, no
    // BigInt per field (the footer of a 10M-row trace has thousands).
    const start = this.pos;
    let small = 0;
    for (let i = 0, mul = 1; i < 7; i++, mul *= 128) {
      const b = this.byte();
      small += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return small % 2 === 0 ? small / 2 : -(small + 1) / 2;
    }
    this.pos = start;
    const n = this.varint64();
    const v = (n >> 1n) ^ -(n & 1n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  private value(type: number): ThriftValue {
    switch (type) {
      case CompactType.True:
        return true;
      case CompactType.False:
        return false;
      case CompactType.Byte:
        return this.byte();
      case CompactType.I16:
      case CompactType.I32:
        return this.zigzag32();
      case CompactType.I64:
        return this.zigzag64();
      case CompactType.Double: {
        const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
        this.pos += 8;
        return view.getFloat64(0, true);
      }
      case CompactType.Binary: {
        const len = this.varint();
        if (this.pos + len > this.end) throw new ThriftDecodeError('binary runs past end');
        const bytes = this.buf.subarray(this.pos, this.pos + len);
        this.pos += len;
        return bytes;
      }
      case CompactType.List:
      case CompactType.Set: {
        const head = this.byte();
        let count = head >> 4;
        const elemType = head & 0x0f;
        if (count === 15) count = this.varint();
        const items: ThriftValue[] = [];
        for (let i = 0; i < count; i++) {
          // Booleans inside lists are one byte each.
          items.push(
            elemType === CompactType.True || elemType === CompactType.False
              ? this.byte() === 1
              : this.value(elemType),
          );
        }
        return items;
      }
      case CompactType.Map: {
        const count = this.varint();
        if (count === 0) return [];
        const kv = this.byte();
        const items: ThriftValue[] = [];
        for (let i = 0; i < count; i++) items.push([this.value(kv >> 4), this.value(kv & 0x0f)]);
        return items;
      }
      case CompactType.Struct:
        return this.struct();
      default:
        throw new ThriftDecodeError(`unknown thrift type ${type}`);
    }
  }

  struct(): ThriftStruct {
    const result: ThriftStruct = {};
    let fid = 0;
    for (;;) {
      const head = this.byte();
      const type = head & 0x0f;
      if (type === CompactType.Stop) return result;
      const delta = head >> 4;
      fid = delta === 0 ? this.zigzag32() : fid + delta;
      result[fid] = this.value(type);
    }
  }
}
