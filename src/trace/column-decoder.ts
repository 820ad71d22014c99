/**
 * Decodes one Parquet column chunk of a flat schema into a TraceBatch column. Covers what our
 * writer produces and what common writers (DuckDB, Arrow) produce for the same types, so a trace
 * filtered and rewritten by DuckDB still reads: data pages v1/v2, PLAIN, (RLE_|PLAIN_)DICTIONARY
 * and DELTA_BINARY_PACKED values, UNCOMPRESSED/SNAPPY/GZIP/BROTLI/ZSTD(if Node has it) pages.
 * Pages whose header stores a CRC-32 are verified first (PageChecksumError on a mismatch).
 * Malformed input raises ChunkDecodeError with a short description.
 */
import * as zlib from 'node:zlib';
import { snappyUncompress } from 'hyparquet';
import type { Column } from './batch.js';
import { ByteReader } from './bytes.js';
import { crc32 } from './crc32.js';
import { decodeDeltaInt32, decodeDeltaInt64, decodeRleHybrid } from './encoding.js';
import {
  Codec,
  CODEC_NAMES,
  Encoding,
  ENCODING_NAMES,
  PageType,
  readPageHeader,
  type ColumnChunkMeta,
} from './parquet-format.js';
import type { ColumnType } from './schema.js';

export class ChunkDecodeError extends Error {}

/** A page whose bytes do not match the CRC-32 its header stores: the file was damaged. */
export class PageChecksumError extends ChunkDecodeError {
  constructor(
    /** Position of the page in its column chunk, from 0 (a dictionary page counts). */
    readonly page: number,
    readonly pageKind: string,
    readonly stored: number,
    readonly computed: number,
  ) {
    super(
      `page ${page} (${pageKind}) fails its checksum: stored CRC-32 ${hex(stored)}, bytes give ${hex(computed)}`,
    );
    this.name = 'PageChecksumError';
  }
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');

const PAGE_KINDS = ['data', 'index', 'dictionary', 'data v2'];

const utf8 = new TextDecoder('utf-8');

function decompress(codec: number, data: Uint8Array, size: number): Uint8Array {
  switch (codec) {
    case Codec.UNCOMPRESSED:
      return data;
    case Codec.SNAPPY: {
      const out = new Uint8Array(size);
      snappyUncompress(data, out);
      return out;
    }
    case Codec.GZIP:
      return zlib.gunzipSync(data);
    case Codec.BROTLI:
      return zlib.brotliDecompressSync(data);
    case Codec.ZSTD: {
      const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array) => Uint8Array })
        .zstdDecompressSync;
      if (zstd) return zstd(data);
      break;
    }
  }
  throw new ChunkDecodeError(
    `compression ${CODEC_NAMES[codec] ?? codec} is not supported (use UNCOMPRESSED, SNAPPY, GZIP or BROTLI)`,
  );
}

/** Output being filled for one column; `valid` only when the column is nullable. */
interface Sink {
  type: ColumnType;
  i64?: BigInt64Array;
  i32?: Int32Array;
  idx?: Int32Array;
  valid?: Uint8Array;
  /** String dictionary for `idx`; grows when PLAIN string pages appear. */
  strings: string[];
  stringIds?: Map<string, number>;
}

/** Dictionary page contents, typed like the column. */
type Dictionary =
  | { kind: 'string'; values: string[] }
  | { kind: 'int64'; values: BigInt64Array }
  | { kind: 'int32'; values: Int32Array };

function readPlainInts(r: ByteReader, type: 'int64' | 'int32', count: number): BigInt64Array | Int32Array {
  const width = type === 'int64' ? 8 : 4;
  if (r.pos + count * width > r.end) r.overrun();
  const copy = r.buf.slice(r.pos, r.pos + count * width);
  r.pos += count * width;
  return type === 'int64' ? new BigInt64Array(copy.buffer, 0, count) : new Int32Array(copy.buffer, 0, count);
}

function readPlainStrings(r: ByteReader, count: number): string[] {
  const out: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const len = r.u32();
    if (r.pos + len > r.end) r.overrun();
    out[i] = utf8.decode(r.buf.subarray(r.pos, r.pos + len));
    r.pos += len;
  }
  return out;
}

function internString(sink: Sink, value: string): number {
  if (!sink.stringIds) sink.stringIds = new Map(sink.strings.map((s, i) => [s, i]));
  let id = sink.stringIds.get(value);
  if (id === undefined) {
    id = sink.strings.length;
    sink.strings.push(value);
    sink.stringIds.set(value, id);
  }
  return id;
}

/**
 * Writes `present` decoded values to the rows of [rowStart, rowStart + numRows) whose definition
 * level says present (all of them when `levels` is undefined).
 */
function decodeValues(
  r: ByteReader,
  encoding: number,
  sink: Sink,
  dict: Dictionary | undefined,
  rowStart: number,
  numRows: number,
  levels: Uint8Array | undefined,
  present: number,
  chunkBase: { dictBase: number },
): void {
  // Decode into a dense array of `present` entries, then scatter by levels.
  let dense: BigInt64Array | Int32Array | undefined;
  let denseIdx: Int32Array | undefined;
  if (encoding === Encoding.RLE_DICTIONARY || encoding === Encoding.PLAIN_DICTIONARY) {
    if (!dict) throw new ChunkDecodeError('dictionary-encoded page without a dictionary page');
    const width = r.u8();
    if (width > 32) throw new ChunkDecodeError(`dictionary index width ${width} is invalid`);
    const ids = new Int32Array(present);
    decodeRleHybrid(r, width, present, ids);
    const dictSize = dict.values.length;
    for (let i = 0; i < present; i++) {
      if (ids[i]! < 0 || ids[i]! >= dictSize)
        throw new ChunkDecodeError(`dictionary index ${ids[i]} out of range (${dictSize})`);
    }
    if (dict.kind === 'string') {
      if (chunkBase.dictBase !== 0) for (let i = 0; i < present; i++) ids[i]! += chunkBase.dictBase;
      denseIdx = ids;
    } else {
      const src = dict.values;
      const out = dict.kind === 'int64' ? new BigInt64Array(present) : new Int32Array(present);
      for (let i = 0; i < present; i++) (out as Int32Array)[i] = (src as Int32Array)[ids[i]!]!;
      dense = out;
    }
  } else if (encoding === Encoding.PLAIN) {
    if (sink.type === 'string') {
      const values = readPlainStrings(r, present);
      denseIdx = new Int32Array(present);
      for (let i = 0; i < present; i++) denseIdx[i] = internString(sink, values[i]!);
    } else dense = readPlainInts(r, sink.type, present);
  } else if (encoding === Encoding.DELTA_BINARY_PACKED && sink.type !== 'string') {
    if (sink.type === 'int64') {
      dense = new BigInt64Array(present);
      decodeDeltaInt64(r, present, dense);
    } else {
      dense = new Int32Array(present);
      decodeDeltaInt32(r, present, dense);
    }
  } else {
    throw new ChunkDecodeError(
      `value encoding ${ENCODING_NAMES[encoding] ?? encoding} is not supported for ${sink.type}`,
    );
  }

  if (sink.type === 'string') scatter32(sink.idx!, rowStart, denseIdx!, levels, numRows, -1);
  else if (sink.type === 'int32') scatter32(sink.i32!, rowStart, dense as Int32Array, levels, numRows, 0);
  else scatter64(sink.i64!, rowStart, dense as BigInt64Array, levels, numRows);
  if (levels && sink.valid) sink.valid.set(levels.subarray(0, numRows), rowStart);
}

/** Places dense values at the present rows; absent rows get `absent`. */
function scatter32(
  target: Int32Array,
  rowStart: number,
  dense: Int32Array,
  levels: Uint8Array | undefined,
  numRows: number,
  absent: number,
): void {
  if (!levels) {
    target.set(dense.subarray(0, numRows), rowStart);
    return;
  }
  let j = 0;
  for (let i = 0; i < numRows; i++) target[rowStart + i] = levels[i] !== 0 ? dense[j++]! : absent;
}

/** Same for int64, moving 32-bit halves so no BigInt is created per value. */
function scatter64(
  target: BigInt64Array,
  rowStart: number,
  dense: BigInt64Array,
  levels: Uint8Array | undefined,
  numRows: number,
): void {
  if (!levels) {
    target.set(dense.subarray(0, numRows), rowStart);
    return;
  }
  const t = new Int32Array(target.buffer, target.byteOffset, target.length * 2);
  const d = new Int32Array(dense.buffer, dense.byteOffset, dense.length * 2);
  let j = 0;
  for (let i = 0; i < numRows; i++) {
    if (levels[i] === 0) continue;
    const ti = 2 * (rowStart + i);
    t[ti] = d[j++]!;
    t[ti + 1] = d[j++]!;
  }
}

/**
 * Decodes the column chunk held in `bytes` (which starts at the chunk's first page) for
 * `numRows` rows. `optional` is the column's repetition in the file; `nullable` what the trace
 * schema allows (a null in a non-nullable trace column is an error).
 */
export function decodeColumnChunk(
  bytes: Uint8Array,
  meta: ColumnChunkMeta,
  type: ColumnType,
  optional: boolean,
  nullable: boolean,
  numRows: number,
): Column {
  const sink: Sink = { type, strings: [] };
  if (type === 'int64') sink.i64 = new BigInt64Array(numRows);
  else if (type === 'int32') sink.i32 = new Int32Array(numRows);
  else sink.idx = new Int32Array(numRows);
  if (nullable && type !== 'string') sink.valid = new Uint8Array(numRows).fill(1);

  let dict: Dictionary | undefined;
  const chunkBase = { dictBase: 0 };
  let rows = 0;
  let pos = 0;
  let sawNull = false;
  for (let page = 0; rows < numRows; page++) {
    if (pos >= bytes.length) throw new ChunkDecodeError(`column chunk ends after ${rows} of ${numRows} rows`);
    const h = readPageHeader(bytes, pos, bytes.length);
    const bodyStart = pos + h.headerLength;
    const bodyEnd = bodyStart + h.compressedSize;
    if (bodyEnd > bytes.length) throw new ChunkDecodeError('page runs past the end of its column chunk');
    pos = bodyEnd;
    const raw = bytes.subarray(bodyStart, bodyEnd);
    if (h.crc !== undefined) {
      // Writers without checksums (older interposer, hyparquet) omit the field: nothing to check.
      const computed = crc32(raw);
      if (computed !== h.crc)
        throw new PageChecksumError(page, PAGE_KINDS[h.type] ?? 'unknown', h.crc, computed);
    }

    if (h.type === PageType.DICTIONARY_PAGE) {
      const body = decompress(meta.codec, raw, h.uncompressedSize);
      const r = new ByteReader(body, 0, body.length);
      if (type === 'string') {
        const values = readPlainStrings(r, h.numValues);
        // A later dictionary (rare) appends; its ids are offset by what came before.
        chunkBase.dictBase = sink.strings.length;
        sink.strings.push(...values);
        sink.stringIds = undefined;
        dict = { kind: 'string', values };
      } else if (type === 'int64')
        dict = { kind: 'int64', values: readPlainInts(r, 'int64', h.numValues) as BigInt64Array };
      else dict = { kind: 'int32', values: readPlainInts(r, 'int32', h.numValues) as Int32Array };
      continue;
    }
    if (h.type !== PageType.DATA_PAGE && h.type !== PageType.DATA_PAGE_V2) continue; // index pages: skip
    const pageRows = h.numValues;
    if (rows + pageRows > numRows)
      throw new ChunkDecodeError(`pages hold more values than the row group's ${numRows} rows`);

    let levels: Uint8Array | undefined;
    let present = pageRows;
    let valueReader: ByteReader;
    if (h.v2) {
      if (h.v2.repLength !== 0) throw new ChunkDecodeError('repeated (nested) columns are not supported');
      const levelBytes = raw.subarray(0, h.v2.defLength);
      if (optional) {
        levels = new Uint8Array(pageRows);
        decodeRleHybrid(new ByteReader(levelBytes, 0, levelBytes.length), 1, pageRows, levels);
      }
      const data = raw.subarray(h.v2.defLength + h.v2.repLength);
      const body = h.v2.compressed
        ? decompress(meta.codec, data, h.uncompressedSize - h.v2.defLength - h.v2.repLength)
        : data;
      valueReader = new ByteReader(body, 0, body.length);
    } else {
      const body = decompress(meta.codec, raw, h.uncompressedSize);
      valueReader = new ByteReader(body, 0, body.length);
      if (optional) {
        const len = valueReader.u32();
        const levelEnd = valueReader.pos + len;
        if (levelEnd > body.length) throw new ChunkDecodeError('definition levels run past the page');
        levels = new Uint8Array(pageRows);
        decodeRleHybrid(new ByteReader(body, valueReader.pos, levelEnd), 1, pageRows, levels);
        valueReader.pos = levelEnd;
      }
    }
    if (levels) {
      present = 0;
      for (let i = 0; i < pageRows; i++) present += levels[i]!;
      if (present < pageRows) sawNull = true;
      if (sawNull && !nullable) throw new ChunkDecodeError('holds nulls but the trace schema says it cannot');
    }
    decodeValues(
      valueReader,
      h.encoding,
      sink,
      dict,
      rows,
      pageRows,
      present === pageRows ? undefined : levels,
      present,
      chunkBase,
    );
    rows += pageRows;
  }

  if (type === 'string') return { kind: 'string', indices: sink.idx!, dictionary: sink.strings };
  if (type === 'int64')
    return sink.valid
      ? { kind: 'int64', values: sink.i64!, valid: sink.valid }
      : { kind: 'int64', values: sink.i64! };
  return sink.valid
    ? { kind: 'int32', values: sink.i32!, valid: sink.valid }
    : { kind: 'int32', values: sink.i32! };
}
