/**
 * The parts of the Parquet format (parquet.thrift) a trace file uses: footer (FileMetaData),
 * row-group metadata and page headers, written with ThriftWriter and parsed with ThriftReader.
 */
import { ByteWriter } from './bytes.js';
import type { ColumnDef } from './schema.js';
import { CompactType, ThriftReader, ThriftWriter, type ThriftStruct, type ThriftValue } from './thrift.js';

export const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // "PAR1"

export const PhysicalType = {
  BOOLEAN: 0,
  INT32: 1,
  INT64: 2,
  INT96: 3,
  FLOAT: 4,
  DOUBLE: 5,
  BYTE_ARRAY: 6,
  FIXED: 7,
} as const;
export const Repetition = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
export const Encoding = {
  PLAIN: 0,
  PLAIN_DICTIONARY: 2,
  RLE: 3,
  BIT_PACKED: 4,
  DELTA_BINARY_PACKED: 5,
  DELTA_LENGTH_BYTE_ARRAY: 6,
  DELTA_BYTE_ARRAY: 7,
  RLE_DICTIONARY: 8,
  BYTE_STREAM_SPLIT: 9,
} as const;
export const Codec = {
  UNCOMPRESSED: 0,
  SNAPPY: 1,
  GZIP: 2,
  LZO: 3,
  BROTLI: 4,
  LZ4: 5,
  ZSTD: 6,
  LZ4_RAW: 7,
} as const;
export const CODEC_NAMES = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW'];
export const ENCODING_NAMES = [
  'PLAIN',
  'GROUP_VAR_INT',
  'PLAIN_DICTIONARY',
  'RLE',
  'BIT_PACKED',
  'DELTA_BINARY_PACKED',
  'DELTA_LENGTH_BYTE_ARRAY',
  'DELTA_BYTE_ARRAY',
  'RLE_DICTIONARY',
  'BYTE_STREAM_SPLIT',
];
export const PageType = { DATA_PAGE: 0, INDEX_PAGE: 1, DICTIONARY_PAGE: 2, DATA_PAGE_V2: 3 } as const;
const CONVERTED_UTF8 = 0;

export const CREATED_BY = 'interposer trace writer';

/** What the footer needs to know about a column. */
export type FooterColumn = Pick<ColumnDef, 'name' | 'type' | 'nullable'>;

export function physicalTypeOf(def: Pick<ColumnDef, 'type'>): number {
  return def.type === 'int64'
    ? PhysicalType.INT64
    : def.type === 'int32'
      ? PhysicalType.INT32
      : PhysicalType.BYTE_ARRAY;
}

/** Column statistics: plain-encoded little-endian min/max (ints only) and null count. */
export interface ColumnStats {
  nullCount: number;
  min?: Uint8Array;
  max?: Uint8Array;
}

export interface ColumnChunkMeta {
  name: string;
  physicalType: number;
  codec: number;
  encodings: number[];
  numValues: number;
  totalUncompressedSize: number;
  totalCompressedSize: number;
  dataPageOffset: number;
  dictionaryPageOffset?: number;
  stats?: ColumnStats;
}

export interface RowGroupMeta {
  numRows: number;
  fileOffset: number;
  totalByteSize: number;
  totalCompressedSize: number;
  columns: ColumnChunkMeta[];
}

export interface SchemaLeaf {
  name: string;
  physicalType: number | undefined;
  repetition: number;
  numChildren: number;
}

export interface FileMeta {
  numRows: number;
  schema: SchemaLeaf[];
  rowGroups: RowGroupMeta[];
  keyValue: Record<string, string>;
  createdBy: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** One RowGroup struct, standalone: the unit the crash journal stores and the footer lists. */
export function serializeRowGroup(rg: RowGroupMeta): Uint8Array {
  const w = new ThriftWriter(new ByteWriter(256 + rg.columns.length * 96));
  w.listHeader(1, CompactType.Struct, rg.columns.length);
  for (const c of rg.columns) {
    w.listStruct((cw) => {
      cw.i64(2, c.dictionaryPageOffset ?? c.dataPageOffset);
      cw.struct(3, (m) => {
        m.i32(1, c.physicalType);
        m.listHeader(2, CompactType.I32, c.encodings.length);
        for (const e of c.encodings) m.out.zigzag32(e);
        m.listHeader(3, CompactType.Binary, 1);
        m.out.lengthPrefixed(c.name);
        m.i32(4, c.codec);
        m.i64(5, c.numValues);
        m.i64(6, c.totalUncompressedSize);
        m.i64(7, c.totalCompressedSize);
        m.i64(9, c.dataPageOffset);
        if (c.dictionaryPageOffset !== undefined) m.i64(11, c.dictionaryPageOffset);
        if (c.stats) {
          const s = c.stats;
          m.struct(12, (st) => {
            st.i64(3, s.nullCount);
            if (s.max) st.binary(5, s.max);
            if (s.min) st.binary(6, s.min);
          });
        }
      });
    });
  }
  w.i64(2, rg.totalByteSize);
  w.i64(3, rg.numRows);
  w.i64(5, rg.fileOffset);
  w.i64(6, rg.totalCompressedSize);
  w.end();
  return w.out.result().slice();
}

/** FileMetaData bytes followed by its 4-byte length and "PAR1": everything after the data. */
export function serializeFooter(
  columns: readonly FooterColumn[],
  rowGroups: readonly Uint8Array[],
  numRows: number,
  keyValue: Record<string, string>,
): Uint8Array {
  const w = new ThriftWriter(new ByteWriter(4096 + rowGroups.reduce((n, b) => n + b.length, 0)));
  w.i32(1, 1);
  w.listHeader(2, CompactType.Struct, columns.length + 1);
  w.listStruct((s) => {
    s.binary(4, 'schema');
    s.i32(5, columns.length);
  });
  for (const def of columns) {
    w.listStruct((s) => {
      s.i32(1, physicalTypeOf(def));
      s.i32(3, def.nullable ? Repetition.OPTIONAL : Repetition.REQUIRED);
      s.binary(4, def.name);
      if (def.type === 'string') {
        s.i32(6, CONVERTED_UTF8);
        s.struct(10, (lt) => lt.struct(1, () => undefined));
      }
    });
  }
  w.i64(3, numRows);
  w.listHeader(4, CompactType.Struct, rowGroups.length);
  for (const rg of rowGroups) w.out.bytes(rg);
  const entries = Object.entries(keyValue);
  w.listHeader(5, CompactType.Struct, entries.length);
  for (const [k, v] of entries) {
    w.listStruct((kv) => {
      kv.binary(1, k);
      kv.binary(2, v);
    });
  }
  w.binary(6, CREATED_BY);
  // column_orders: TypeDefinedOrder for every leaf, so readers trust min/max statistics.
  w.listHeader(7, CompactType.Struct, columns.length);
  for (let i = 0; i < columns.length; i++) w.listStruct((o) => o.struct(1, () => undefined));
  w.end();
  const out = w.out;
  const metaLength = out.length;
  out.u32(metaLength);
  out.bytes(MAGIC);
  return out.result();
}

export interface PageHeaderSpec {
  type: number;
  uncompressedSize: number;
  compressedSize: number;
  numValues: number;
  encoding: number;
  /** CRC-32 of the page bytes that follow the header, as stored (parquet.thrift field 4). */
  crc: number;
}

export function writePageHeader(out: ByteWriter, p: PageHeaderSpec): void {
  const w = new ThriftWriter(out);
  w.i32(1, p.type);
  w.i32(2, p.uncompressedSize);
  w.i32(3, p.compressedSize);
  w.i32(4, p.crc | 0); // an i32 on the wire: the unsigned CRC's bit pattern
  if (p.type === PageType.DICTIONARY_PAGE) {
    w.struct(7, (d) => {
      d.i32(1, p.numValues);
      d.i32(2, p.encoding);
    });
  } else {
    w.struct(5, (d) => {
      d.i32(1, p.numValues);
      d.i32(2, p.encoding);
      d.i32(3, Encoding.RLE);
      d.i32(4, Encoding.RLE);
    });
  }
  w.end();
}

// ---------------------------------------------------------------------------------------------
// Reading

const textDecoder = new TextDecoder('utf-8', { fatal: false });

function str(v: ThriftValue | undefined): string | undefined {
  return v instanceof Uint8Array ? textDecoder.decode(v) : undefined;
}

function num(v: ThriftValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

function req(v: ThriftValue | undefined, what: string): number {
  const n = num(v);
  if (n === undefined) throw new RangeError(`footer lacks ${what}`);
  return n;
}

function structs(v: ThriftValue | undefined): ThriftStruct[] {
  return Array.isArray(v)
    ? (v.filter(
        (x) => typeof x === 'object' && !(x instanceof Uint8Array) && !Array.isArray(x),
      ) as ThriftStruct[])
    : [];
}

function asStruct(v: ThriftValue | undefined): ThriftStruct | undefined {
  return typeof v === 'object' && !(v instanceof Uint8Array) && !Array.isArray(v)
    ? (v as ThriftStruct)
    : undefined;
}

export function parseRowGroup(rg: ThriftStruct): RowGroupMeta {
  const columns = structs(rg[1]).map((cc): ColumnChunkMeta => {
    const m = asStruct(cc[3]);
    if (!m) throw new RangeError('column chunk without metadata (external column files are not supported)');
    const path = Array.isArray(m[3]) ? m[3].map((p) => str(p) ?? '') : [];
    const statsStruct = asStruct(m[12]);
    const chunk: ColumnChunkMeta = {
      name: path.join('.'),
      physicalType: req(m[1], 'column type'),
      codec: req(m[4], 'codec'),
      encodings: Array.isArray(m[2]) ? m[2].map((e) => num(e) ?? -1) : [],
      numValues: req(m[5], 'num_values'),
      totalUncompressedSize: req(m[6], 'total_uncompressed_size'),
      totalCompressedSize: req(m[7], 'total_compressed_size'),
      dataPageOffset: req(m[9], 'data_page_offset'),
    };
    const dict = num(m[11]);
    if (dict !== undefined) chunk.dictionaryPageOffset = dict;
    if (statsStruct) {
      const stats: ColumnStats = { nullCount: num(statsStruct[3]) ?? 0 };
      const max = statsStruct[5] ?? statsStruct[1];
      const min = statsStruct[6] ?? statsStruct[2];
      if (max instanceof Uint8Array) stats.max = max;
      if (min instanceof Uint8Array) stats.min = min;
      chunk.stats = stats;
    }
    return chunk;
  });
  return {
    numRows: req(rg[3], 'row group num_rows'),
    totalByteSize: num(rg[2]) ?? 0,
    fileOffset: num(rg[5]) ?? 0,
    totalCompressedSize: num(rg[6]) ?? 0,
    columns,
  };
}

/** Parses FileMetaData bytes; throws RangeError/ThriftDecodeError when they are malformed. */
export function parseFooter(bytes: Uint8Array): FileMeta {
  const fm = new ThriftReader(bytes).struct();
  const schema = structs(fm[2]).map((s): SchemaLeaf => ({
    name: str(s[4]) ?? '',
    physicalType: num(s[1]),
    repetition: num(s[3]) ?? Repetition.REQUIRED,
    numChildren: num(s[5]) ?? 0,
  }));
  const keyValue: Record<string, string> = {};
  for (const kv of structs(fm[5])) {
    const k = str(kv[1]);
    if (k !== undefined) keyValue[k] = str(kv[2]) ?? '';
  }
  return {
    numRows: req(fm[3], 'num_rows'),
    schema,
    rowGroups: structs(fm[4]).map(parseRowGroup),
    keyValue,
    createdBy: str(fm[6]),
  };
}

export interface PageHeader {
  type: number;
  uncompressedSize: number;
  compressedSize: number;
  numValues: number;
  encoding: number;
  /** The page's CRC-32 (unsigned) when the writer stored one. */
  crc: number | undefined;
  /** DATA_PAGE_V2 only: level byte lengths (stored uncompressed) and whether data is compressed. */
  v2?: { defLength: number; repLength: number; compressed: boolean; numNulls: number };
  headerLength: number;
}

export function readPageHeader(buf: Uint8Array, pos: number, end: number): PageHeader {
  const r = new ThriftReader(buf, pos, end);
  const h = r.struct();
  const type = req(h[1], 'page type');
  const base = {
    type,
    uncompressedSize: req(h[2], 'page size'),
    compressedSize: req(h[3], 'page size'),
    crc: typeof h[4] === 'number' ? h[4] >>> 0 : undefined,
    headerLength: r.pos - pos,
  };
  if (type === PageType.DICTIONARY_PAGE) {
    const d = asStruct(h[7]);
    return { ...base, numValues: req(d?.[1], 'dictionary size'), encoding: num(d?.[2]) ?? Encoding.PLAIN };
  }
  if (type === PageType.DATA_PAGE) {
    const d = asStruct(h[5]);
    return { ...base, numValues: req(d?.[1], 'page num_values'), encoding: req(d?.[2], 'page encoding') };
  }
  if (type === PageType.DATA_PAGE_V2) {
    const d = asStruct(h[8]);
    return {
      ...base,
      numValues: req(d?.[1], 'page num_values'),
      encoding: req(d?.[4], 'page encoding'),
      v2: {
        numNulls: num(d?.[2]) ?? 0,
        defLength: num(d?.[5]) ?? 0,
        repLength: num(d?.[6]) ?? 0,
        compressed: d?.[7] !== false,
      },
    };
  }
  return { ...base, numValues: 0, encoding: -1 };
}
