/**
 * Encodes one row group of a trace (a merged TraceBatch) into Parquet column chunks.
 *
 * Layout per column chunk, chosen for size without a general-purpose compressor (which would
 * cost CPU on the recording host): integers DELTA_BINARY_PACKED (monotonic times, sequential
 * offsets and constant ids shrink to a few bits), strings RLE_DICTIONARY with a per-row-group
 * dictionary page, nulls as RLE definition levels (an all-null column costs a few bytes).
 * One data page per chunk, uncompressed, page format v1 for the widest reader support; every page
 * header carries the CRC-32 of its page so readers detect damaged bytes instead of decoding them.
 */
import type { Column, TraceBatch } from './batch.js';
import { ByteWriter } from './bytes.js';
import { crc32 } from './crc32.js';
import { bitWidthOf, encodeDeltaInt32, encodeDeltaInt64, encodeRleHybrid } from './encoding.js';
import { nativePages, type NativePages } from './native-pages.js';
import {
  Codec,
  Encoding,
  PageType,
  physicalTypeOf,
  writePageHeader,
  type ColumnChunkMeta,
  type ColumnStats,
  type RowGroupMeta,
} from './parquet-format.js';
import type { ColumnDef } from './schema.js';

const textEncoder = new TextEncoder();

export interface EncodedRowGroup {
  /** Bytes to append to the file, in order. */
  pieces: Uint8Array[];
  byteLength: number;
  meta: RowGroupMeta;
}

/** Definition levels (1 = present) for a nullable column, plus the count of present values. */
function definitionLevels(col: Column, length: number): { levels: Uint8Array; present: number } {
  if (col.kind === 'string') {
    const levels = new Uint8Array(length);
    let present = 0;
    for (let i = 0; i < length; i++) {
      const p = col.indices[i]! >= 0 ? 1 : 0;
      levels[i] = p;
      present += p;
    }
    return { levels, present };
  }
  if (!col.valid) return { levels: new Uint8Array(length).fill(1), present: length };
  const levels = col.valid.subarray(0, length);
  let present = 0;
  for (let i = 0; i < length; i++) present += levels[i]! !== 0 ? 1 : 0;
  return { levels, present };
}

function writeLevels(body: ByteWriter, levels: Uint8Array, length: number): void {
  const lengthAt = body.length;
  body.u32(0);
  encodeRleHybrid(body, levels, length, 1);
  const n = body.length - lengthAt - 4;
  body.buf[lengthAt] = n;
  body.buf[lengthAt + 1] = n >>> 8;
  body.buf[lengthAt + 2] = n >>> 16;
  body.buf[lengthAt + 3] = n >>> 24;
}

function int64Stats(values: BigInt64Array, count: number, nullCount: number): ColumnStats {
  if (count === 0) return { nullCount };
  // Compare (signed high word, unsigned low word) pairs: no BigInt per value.
  const words = new Int32Array(values.buffer, values.byteOffset, count * 2);
  let minHi = words[1]!;
  let minLo = words[0]! >>> 0;
  let maxHi = minHi;
  let maxLo = minLo;
  let minIdx = 0;
  let maxIdx = 0;
  for (let i = 1; i < count; i++) {
    const hi = words[2 * i + 1]!;
    const lo = words[2 * i]! >>> 0;
    if (hi < minHi || (hi === minHi && lo < minLo)) {
      minHi = hi;
      minLo = lo;
      minIdx = i;
    }
    if (hi > maxHi || (hi === maxHi && lo > maxLo)) {
      maxHi = hi;
      maxLo = lo;
      maxIdx = i;
    }
  }
  const min = values[minIdx]!;
  const max = values[maxIdx]!;
  return {
    nullCount,
    min: new Uint8Array(BigInt64Array.of(min).buffer),
    max: new Uint8Array(BigInt64Array.of(max).buffer),
  };
}

function int32Stats(values: Int32Array, count: number, nullCount: number): ColumnStats {
  if (count === 0) return { nullCount };
  let min = values[0]!;
  let max = min;
  for (let i = 1; i < count; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  return {
    nullCount,
    min: new Uint8Array(Int32Array.of(min).buffer),
    max: new Uint8Array(Int32Array.of(max).buffer),
  };
}

/** Values of present rows only, in row order. */
function compact<T extends BigInt64Array | Int32Array>(
  values: T,
  levels: Uint8Array,
  length: number,
  present: number,
): T {
  if (present === length) return values.subarray(0, length) as T;
  const out = new (values.constructor as new (n: number) => T)(present);
  let j = 0;
  for (let i = 0; i < length; i++) if (levels[i] !== 0) out[j++] = values[i]!;
  return out;
}

interface ChunkBytes {
  pieces: Uint8Array[];
  meta: Omit<ColumnChunkMeta, 'dataPageOffset' | 'dictionaryPageOffset'> & { dictionaryLength: number };
}

/** A data page's body, how its values are encoded, and what the column chunk's metadata needs. */
interface PageBody {
  data: Uint8Array;
  encoding: number;
  stats: ColumnStats;
  /** Present (non-null) values. */
  present: number;
}

/** The dictionary page (header and body) of a string column with at least one value. */
function dictionaryPage(dictionary: readonly string[]): Uint8Array[] {
  const dict = new ByteWriter(64 + dictionary.length * 24);
  for (const value of dictionary) {
    const bytes = textEncoder.encode(value);
    dict.u32(bytes.length);
    dict.bytes(bytes);
  }
  const header = new ByteWriter(32);
  writePageHeader(header, {
    type: PageType.DICTIONARY_PAGE,
    uncompressedSize: dict.length,
    compressedSize: dict.length,
    numValues: dictionary.length,
    encoding: Encoding.PLAIN,
    crc: crc32(dict.result()),
  });
  return [header.result(), dict.result()];
}

const dictionaryWidth = (dictionary: readonly string[]): number =>
  Math.max(1, bitWidthOf(dictionary.length - 1));

/** The page body in JavaScript: the reference the native encoder matches byte for byte. */
function pageBodyJs(def: ColumnDef, col: Column, length: number): PageBody {
  const body = new ByteWriter(Math.max(1024, length * (def.type === 'string' ? 2 : 4)));
  const { levels, present } = def.nullable
    ? definitionLevels(col, length)
    : { levels: undefined, present: length };
  if (levels) writeLevels(body, levels, length);
  const nullCount = length - present;
  if (col.kind === 'string') {
    if (present > 0) {
      const width = dictionaryWidth(col.dictionary);
      const ids =
        levels && present < length
          ? compactIndices(col.indices, length, present)
          : col.indices.subarray(0, length);
      body.u8(width);
      encodeRleHybrid(body, ids, present, width);
    }
    return { data: body.result(), encoding: stringEncoding(present), stats: { nullCount }, present };
  }
  if (col.kind === 'int64') {
    const values = levels ? compact(col.values, levels, length, present) : col.values.subarray(0, length);
    encodeDeltaInt64(body, values, present);
    const stats = int64Stats(values, present, nullCount);
    return { data: body.result(), encoding: Encoding.DELTA_BINARY_PACKED, stats, present };
  }
  const values = levels ? compact(col.values, levels, length, present) : col.values.subarray(0, length);
  encodeDeltaInt32(body, values, present);
  const stats = int32Stats(values, present, nullCount);
  return { data: body.result(), encoding: Encoding.DELTA_BINARY_PACKED, stats, present };
}

/** Nothing but nulls: PLAIN and no dictionary page at all. */
const stringEncoding = (present: number): number =>
  present === 0 ? Encoding.PLAIN : Encoding.RLE_DICTIONARY;

function pageBodyNative(pages: NativePages, def: ColumnDef, col: Column, length: number): PageBody {
  if (col.kind === 'string') {
    const { body, present } = pages.indexPage(
      col.indices,
      length,
      def.nullable,
      dictionaryWidth(col.dictionary),
    );
    return { data: body, encoding: stringEncoding(present), stats: { nullCount: length - present }, present };
  }
  const page = pages.numericPage(col.values, def.nullable ? col.valid : undefined, length, def.nullable);
  const nullCount = length - page.present;
  const bytes = (v: bigint): Uint8Array =>
    col.kind === 'int64'
      ? new Uint8Array(BigInt64Array.of(v).buffer)
      : new Uint8Array(Int32Array.of(Number(v)).buffer);
  const stats: ColumnStats =
    page.min === undefined || page.max === undefined
      ? { nullCount }
      : { nullCount, min: bytes(page.min), max: bytes(page.max) };
  return { data: page.body, encoding: Encoding.DELTA_BINARY_PACKED, stats, present: page.present };
}

function encodeColumn(def: ColumnDef, col: Column, length: number): ChunkBytes {
  const pages = nativePages();
  const page = pages ? pageBodyNative(pages, def, col, length) : pageBodyJs(def, col, length);
  const { data, encoding, stats, present } = page;
  const pieces: Uint8Array[] = [];
  let dictionaryLength = 0;
  if (col.kind === 'string' && present > 0) {
    pieces.push(...dictionaryPage(col.dictionary));
    dictionaryLength = pieces[0]!.length + pieces[1]!.length;
  }

  const header = new ByteWriter(32);
  writePageHeader(header, {
    type: PageType.DATA_PAGE,
    uncompressedSize: data.length,
    compressedSize: data.length,
    numValues: length,
    encoding,
    crc: crc32(data),
  });
  pieces.push(header.result(), data);
  const total = dictionaryLength + header.length + data.length;
  const encodings =
    col.kind === 'string' && present > 0
      ? [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY]
      : [Encoding.RLE, encoding];
  return {
    pieces,
    meta: {
      name: def.name,
      physicalType: physicalTypeOf(def),
      codec: Codec.UNCOMPRESSED,
      encodings,
      numValues: length,
      totalUncompressedSize: total,
      totalCompressedSize: total,
      stats,
      dictionaryLength,
    },
  };
}

function compactIndices(indices: Int32Array, length: number, present: number): Int32Array {
  const out = new Int32Array(present);
  let j = 0;
  for (let i = 0; i < length; i++) {
    const v = indices[i]!;
    if (v >= 0) out[j++] = v;
  }
  return out;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Encodes `batch` as one row group starting at file offset `fileOffset`. With `yieldBetween`,
 * returns to the event loop after each column so a producer sharing the thread (FUSE callbacks)
 * is never blocked for a whole row group.
 */
export async function encodeRowGroup(
  columns: readonly ColumnDef[],
  batch: TraceBatch,
  fileOffset: number,
  yieldBetween: boolean,
): Promise<EncodedRowGroup> {
  const pieces: Uint8Array[] = [];
  const metas: ColumnChunkMeta[] = [];
  let offset = fileOffset;
  for (const def of columns) {
    const col = batch.columns[def.name];
    if (!col) throw new TypeError(`row group lacks column ${def.name}`);
    const chunk = encodeColumn(def, col, batch.length);
    const { dictionaryLength, ...meta } = chunk.meta;
    metas.push(
      dictionaryLength > 0
        ? { ...meta, dictionaryPageOffset: offset, dataPageOffset: offset + dictionaryLength }
        : { ...meta, dataPageOffset: offset },
    );
    pieces.push(...chunk.pieces);
    offset += meta.totalCompressedSize;
    if (yieldBetween) await yieldToEventLoop();
  }
  const byteLength = offset - fileOffset;
  return {
    pieces,
    byteLength,
    meta: {
      numRows: batch.length,
      fileOffset,
      totalByteSize: byteLength,
      totalCompressedSize: byteLength,
      columns: metas,
    },
  };
}
