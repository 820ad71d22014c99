/**
 * openTrace: validates a trace file and streams it back as TraceBatches, one per row group
 * (bounded memory), optionally reading only some columns.
 *
 * A trace whose writer died has no footer; if its journal (`<trace>.inprogress`) is next to it,
 * openTrace rebuilds the footer in memory and reads every complete row group, read-only, with
 * `recovered: true` (this is also how a live recording can be inspected). `interposer recover`
 * makes such a file permanent.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { OP_DICTIONARY, type Column, type TraceBatch, rowsOf } from './batch.js';
import { decodeColumnChunk, PageChecksumError } from './column-decoder.js';
import { journalPathOf, JournalError, parseJournal, type Journal } from './journal.js';
import {
  MAGIC,
  parseFooter,
  parseRowGroup,
  PhysicalType,
  physicalTypeOf,
  Repetition,
  serializeFooter,
  serializeRowGroup,
  type ColumnChunkMeta,
  type FileMeta,
  type FooterColumn,
} from './parquet-format.js';
import { ThriftReader } from './thrift.js';
import {
  COLUMNS,
  METADATA_KEYS,
  OPS,
  TRACE_SCHEMA_VERSION,
  type ColumnDef,
  type TraceRow,
} from './schema.js';

/** A trace file that cannot be used: missing, not Parquet, not a trace, too new, corrupt. */
export class TraceFormatError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'TraceFormatError';
  }
}

/** A page of the trace fails its CRC-32: names the file, row group, column and page. */
export class TraceChecksumError extends TraceFormatError {
  constructor(
    path: string,
    readonly rowGroup: number,
    readonly column: string,
    readonly page: PageChecksumError,
  ) {
    super(`${path}: damaged data in row group ${rowGroup}, column ${column}, ${page.message}`);
    this.name = 'TraceChecksumError';
  }
}

export interface TraceMetadata {
  schemaVersion: number;
  wallClockAnchorNs: bigint;
  keyValue: Record<string, string>;
}

export interface BatchOptions {
  /** Parquet column names to read (default: all). Batches then hold only these columns. */
  columns?: readonly string[];
  /** Start at this row group (following a trace that grows: only the new ones). */
  fromRowGroup?: number;
}

export interface TraceFile {
  path: string;
  metadata: TraceMetadata;
  numRows: number;
  numRowGroups: number;
  /** True when the footer was rebuilt from the crash journal (the writer did not close). */
  recovered: boolean;
  /** The footer as parsed (or as rebuilt from the journal). */
  meta: FileMeta;
  /** Streams row groups in file order. */
  batches(options?: BatchOptions): AsyncGenerator<TraceBatch>;
}

const PHYSICAL_NAMES = [
  'BOOLEAN',
  'INT32',
  'INT64',
  'INT96',
  'FLOAT',
  'DOUBLE',
  'BYTE_ARRAY',
  'FIXED_LEN_BYTE_ARRAY',
];

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

async function readJournalIfAny(path: string): Promise<Journal | undefined> {
  let bytes: Uint8Array;
  try {
    const fh = await open(journalPathOf(path), 'r');
    try {
      bytes = await readAt(fh, 0, (await fh.stat()).size);
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
  try {
    return parseJournal(bytes);
  } catch (err) {
    if (err instanceof JournalError)
      throw new TraceFormatError(
        `${path}: has no Parquet footer and its journal ${journalPathOf(path)} is unusable (${err.message})`,
      );
    throw err;
  }
}

/** What a crashed trace still holds: row groups whose data reached the file, in order. */
export interface RecoveryPlan {
  meta: FileMeta;
  /** Footer bytes (FileMetaData + length + magic) describing the kept row groups. */
  footer: Uint8Array;
  /** File length to keep before appending the footer. */
  dataEnd: number;
  keptRowGroups: number;
  droppedRowGroups: number;
}

/** `maxRowGroups` keeps only that many (the ones before a damaged row group). */
export function planRecovery(journal: Journal, fileSize: number, maxRowGroups = Infinity): RecoveryPlan {
  const kept: Uint8Array[] = [];
  let dataEnd = MAGIC.length;
  let rows = 0;
  for (const entry of journal.rowGroups) {
    if (entry.dataEnd > fileSize || kept.length >= maxRowGroups) break; // never fully reached the file
    rows += parseRowGroup(new ThriftReader(entry.rowGroup).struct()).numRows;
    kept.push(entry.rowGroup);
    dataEnd = entry.dataEnd;
  }
  const footer = serializeFooter(journal.header.columns, kept, rows, journal.header.keyValue);
  const meta = parseFooter(footer.subarray(0, footer.length - 8));
  return {
    meta,
    footer,
    dataEnd,
    keptRowGroups: kept.length,
    droppedRowGroups: journal.rowGroups.length - kept.length,
  };
}

async function loadMeta(
  path: string,
  fh: FileHandle,
  size: number,
): Promise<{ meta: FileMeta; recovered: boolean }> {
  const head = await readAt(fh, 0, Math.min(4, size));
  const headOk = head.length === 4 && MAGIC.every((b, i) => head[i] === b);
  const tail = size >= 12 ? await readAt(fh, size - 8, 8) : new Uint8Array(0);
  const tailOk = tail.length === 8 && MAGIC.every((b, i) => tail[4 + i] === b);

  if (!tailOk) {
    const journal = await readJournalIfAny(path);
    if (journal && (headOk || size < 4)) return { meta: planRecovery(journal, size).meta, recovered: true };
    if (!headOk) {
      throw new TraceFormatError(
        size === 0
          ? `${path}: file is empty, not a Parquet trace`
          : `${path}: not a Parquet file (no PAR1 magic)`,
      );
    }
    throw new TraceFormatError(
      `${path}: Parquet footer is missing (writer interrupted or file truncated) and there is no journal ${journalPathOf(path)} to recover it from`,
    );
  }
  if (!headOk) throw new TraceFormatError(`${path}: not a Parquet file (no PAR1 magic at the start)`);
  const footerLength = new DataView(tail.buffer, tail.byteOffset, 4).getUint32(0, true);
  if (footerLength + 12 > size)
    throw new TraceFormatError(`${path}: corrupt Parquet footer (length ${footerLength} exceeds the file)`);
  const footer = await readAt(fh, size - 8 - footerLength, footerLength);
  try {
    return { meta: parseFooter(footer), recovered: false };
  } catch (err) {
    throw new TraceFormatError(`${path}: corrupt Parquet footer (${describe(err)})`);
  }
}

interface ColumnPlan {
  def: ColumnDef;
  /** Index of the column among the file's leaves (= column chunk index). */
  leaf: number;
  optional: boolean;
}

function validateSchema(path: string, meta: FileMeta): Map<string, ColumnPlan> {
  const [root, ...leaves] = meta.schema;
  if (
    !root ||
    leaves.length !== root.numChildren ||
    leaves.some((l) => l.numChildren > 0 || l.repetition === Repetition.REPEATED)
  ) {
    throw new TraceFormatError(`${path}: is a Parquet file but not an interposer trace (nested schema)`);
  }
  const byName = new Map(leaves.map((l, i) => [l.name, { leaf: l, index: i }]));
  const missing = COLUMNS.filter((c) => !byName.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    const shown =
      missing.length > 5
        ? `${missing.slice(0, 5).join(', ')}, ... (${missing.length} in all)`
        : missing.join(', ');
    throw new TraceFormatError(
      `${path}: is a Parquet file but not an interposer trace (missing columns: ${shown})`,
    );
  }
  const plans = new Map<string, ColumnPlan>();
  for (const def of COLUMNS) {
    const { leaf, index } = byName.get(def.name)!;
    const expected = physicalTypeOf(def);
    if (leaf.physicalType !== expected) {
      throw new TraceFormatError(
        `${path}: column "${def.name}" is ${PHYSICAL_NAMES[leaf.physicalType ?? -1] ?? 'untyped'}, an interposer trace stores it as ${PHYSICAL_NAMES[expected]}`,
      );
    }
    plans.set(def.name, { def, leaf: index, optional: leaf.repetition === Repetition.OPTIONAL });
  }
  return plans;
}

function readMetadata(path: string, meta: FileMeta): TraceMetadata {
  const kv = meta.keyValue;
  const versionText = kv[METADATA_KEYS.schemaVersion];
  // Files rewritten by other tools (DuckDB COPY) may drop key-value metadata: the columns
  // already matched, so read them as the current version.
  const schemaVersion = versionText === undefined ? TRACE_SCHEMA_VERSION : Number(versionText);
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new TraceFormatError(`${path}: invalid ${METADATA_KEYS.schemaVersion} "${versionText}"`);
  }
  if (schemaVersion > TRACE_SCHEMA_VERSION) {
    throw new TraceFormatError(
      `${path}: written by a newer interposer (trace schema version ${schemaVersion}, this version reads up to ${TRACE_SCHEMA_VERSION}); upgrade interposer to read it`,
    );
  }
  const anchorText = kv[METADATA_KEYS.wallClockAnchorNs];
  let wallClockAnchorNs = 0n;
  if (anchorText !== undefined) {
    if (!/^-?\d+$/.test(anchorText))
      throw new TraceFormatError(`${path}: invalid ${METADATA_KEYS.wallClockAnchorNs} "${anchorText}"`);
    wallClockAnchorNs = BigInt(anchorText);
  }
  return { schemaVersion, wallClockAnchorNs, keyValue: { ...kv } };
}

function validateRowGroups(path: string, meta: FileMeta, dataLimit: number, leafCount: number): void {
  let total = 0;
  meta.rowGroups.forEach((rg, i) => {
    if (rg.columns.length !== leafCount)
      throw new TraceFormatError(
        `${path}: corrupt footer (row group ${i} has ${rg.columns.length} columns, schema has ${leafCount})`,
      );
    for (const c of rg.columns) {
      const start = chunkStart(c);
      if (start < MAGIC.length || start + c.totalCompressedSize > dataLimit) {
        throw new TraceFormatError(
          `${path}: truncated or corrupt (row group ${i}, column ${c.name} lies outside the file's data)`,
        );
      }
    }
    total += rg.numRows;
  });
  if (total !== meta.numRows)
    throw new TraceFormatError(
      `${path}: corrupt footer (row groups hold ${total} rows, footer says ${meta.numRows})`,
    );
}

function chunkStart(c: ColumnChunkMeta): number {
  return c.dictionaryPageOffset !== undefined && c.dictionaryPageOffset > 0
    ? Math.min(c.dictionaryPageOffset, c.dataPageOffset)
    : c.dataPageOffset;
}

/** Maps the op column's dictionary onto OP_DICTIONARY so indices equal op codes. */
function normaliseOps(col: Column): Column {
  if (col.kind !== 'string') return col;
  const codes = col.dictionary.map((s) => OPS.indexOf(s as (typeof OPS)[number]));
  if (codes.some((c) => c < 0)) return col;
  const indices = col.indices;
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (v >= 0) indices[i] = codes[v]!;
  }
  return { kind: 'string', indices, dictionary: OP_DICTIONARY };
}

export async function openTrace(path: string): Promise<TraceFile> {
  let fh: FileHandle;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new TraceFormatError(`${path}: is a directory, not a trace file`);
    fh = await open(path, 'r');
  } catch (err) {
    if (err instanceof TraceFormatError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TraceFormatError(`${path}: no such trace file`);
    if (code === 'EACCES') throw new TraceFormatError(`${path}: permission denied`);
    throw new TraceFormatError(`${path}: cannot open (${describe(err)})`);
  }
  let meta: FileMeta;
  let recovered: boolean;
  let size: number;
  try {
    size = (await fh.stat()).size;
    ({ meta, recovered } = await loadMeta(path, fh, size));
  } finally {
    await fh.close();
  }
  return traceFromMeta(path, meta, recovered, size);
}

/**
 * A TraceFile over a footer already known (parsed, or rebuilt from the journal): validates it
 * against the file's `size` and streams its row groups. `recovered`: no footer in the file.
 */
export function traceFromMeta(path: string, meta: FileMeta, recovered: boolean, size: number): TraceFile {
  const plans = validateSchema(path, meta);
  const metadata = readMetadata(path, meta);
  validateRowGroups(path, meta, recovered ? size : size - 8, meta.schema.length - 1);

  return {
    path,
    metadata,
    numRows: meta.numRows,
    numRowGroups: meta.rowGroups.length,
    recovered,
    meta,
    batches: (options) => readBatches(path, meta, plans, options),
  };
}

async function* readBatches(
  path: string,
  meta: FileMeta,
  plans: Map<string, ColumnPlan>,
  options: BatchOptions = {},
): AsyncGenerator<TraceBatch> {
  const names = options.columns ?? COLUMNS.map((c) => c.name);
  const selected = names.map((name) => {
    const plan = plans.get(name);
    if (!plan) throw new TraceFormatError(`${path}: unknown trace column "${name}" requested`);
    return plan;
  });
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new TraceFormatError(`${path}: cannot reopen (${describe(err)})`);
  }
  try {
    for (let g = Math.max(0, options.fromRowGroup ?? 0); g < meta.rowGroups.length; g++) {
      const rg = meta.rowGroups[g]!;
      const columns: Record<string, Column> = {};
      for (const plan of selected) {
        const chunk = rg.columns[plan.leaf]!;
        const start = chunkStart(chunk);
        const bytes = await readAt(fh, start, chunk.totalCompressedSize);
        if (bytes.length < chunk.totalCompressedSize)
          throw new TraceFormatError(
            `${path}: truncated (row group ${g}, column ${plan.def.name} ends early)`,
          );
        try {
          const col = decodeColumnChunk(
            bytes,
            chunk,
            plan.def.type,
            plan.optional,
            plan.def.nullable,
            rg.numRows,
          );
          columns[plan.def.name] = plan.def.name === 'op' ? normaliseOps(col) : col;
        } catch (err) {
          if (err instanceof PageChecksumError) throw new TraceChecksumError(path, g, plan.def.name, err);
          // The decoder only interprets file bytes: whatever it throws means bad bytes.
          throw new TraceFormatError(
            `${path}: corrupt data in row group ${g}, column ${plan.def.name} (${describe(err)})`,
          );
        }
      }
      yield { length: rg.numRows, columns };
    }
  } finally {
    await fh.close();
  }
}

/** The first row group whose pages fail their checksum or do not decode, if any. */
export interface Damage {
  rowGroup: number;
  message: string;
}

/** Reads every page of every row group (one row group in memory at a time). */
export async function findDamage(trace: TraceFile): Promise<Damage | undefined> {
  let rowGroup = 0;
  try {
    for await (const batch of trace.batches()) {
      void batch;
      rowGroup++;
    }
  } catch (err) {
    if (err instanceof TraceFormatError) return { rowGroup, message: err.message };
    throw err;
  }
  return undefined;
}

const COLUMN_TYPES: Record<number, FooterColumn['type']> = {
  [PhysicalType.INT64]: 'int64',
  [PhysicalType.INT32]: 'int32',
  [PhysicalType.BYTE_ARRAY]: 'string',
};

/** Footer bytes listing only the first `keep` row groups of `meta`, and where their data ends. */
export function planTruncation(
  meta: FileMeta,
  keep: number,
): { footer: Uint8Array; dataEnd: number; rows: number } {
  const kept = meta.rowGroups.slice(0, keep);
  const next = meta.rowGroups[keep];
  const dataEnd = next ? Math.min(...next.columns.map(chunkStart)) : MAGIC.length;
  const columns: FooterColumn[] = meta.schema.slice(1).map((leaf) => ({
    name: leaf.name,
    type: COLUMN_TYPES[leaf.physicalType ?? -1] ?? 'string',
    nullable: leaf.repetition === Repetition.OPTIONAL,
  }));
  const rows = kept.reduce((n, rg) => n + rg.numRows, 0);
  return {
    footer: serializeFooter(columns, kept.map(serializeRowGroup), rows, meta.keyValue),
    dataEnd,
    rows,
  };
}

/** Every row of a trace as objects: for tests and small traces only. */
export async function readAllRows(path: string): Promise<TraceRow[]> {
  const trace = await openTrace(path);
  const rows: TraceRow[] = [];
  for await (const batch of trace.batches()) for (const row of rowsOf(batch)) rows.push(row);
  return rows;
}
