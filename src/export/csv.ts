/**
 * Trace → CSV (RFC 4180) for spreadsheets and scripts: a header of Parquet column names, one
 * record per row, CRLF line ends. Fields holding a comma, a double quote, CR or LF are quoted
 * (inner quotes doubled), so any path survives. Null is an empty field; an empty string is
 * written as "" so the two stay distinguishable. Integers are exact (int64 ns as digits).
 */
import type { TraceBatch } from '../trace/batch.js';
import { COLUMN_NAMES } from '../trace/schema.js';
import { ChunkWriter } from './chunks.js';
import { encodedDictionary } from './columns.js';
import type { TextSink } from './sink.js';

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field for a non-null string. */
export function csvField(value: string): string {
  if (value === '') return '""';
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Resolves `--columns` text into Parquet column names, in the order given. */
export function parseColumnList(text: string): string[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !COLUMN_NAMES.includes(n));
  if (unknown.length > 0) {
    throw new Error(
      `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${COLUMN_NAMES.join(', ')})`,
    );
  }
  if (names.length === 0) throw new Error('no columns given');
  return names;
}

type FieldWriter = (i: number) => string;

function fieldWriter(batch: TraceBatch, name: string): FieldWriter {
  const col = batch.columns[name];
  if (!col) throw new Error(`export: batch has no column ${name}`);
  if (col.kind === 'string') {
    const encoded = encodedDictionary(col, csvField);
    return (i) => encoded(i) ?? '';
  }
  if (col.kind === 'int32') {
    const { values, valid } = col;
    if (valid) return (i) => (valid[i] === 0 ? '' : String(values[i]!));
    return (i) => String(values[i]!);
  }
  const { values, valid } = col;
  if (valid) return (i) => (valid[i] === 0 ? '' : values[i]!.toString());
  return (i) => values[i]!.toString();
}

export class CsvEncoder {
  private readonly out: ChunkWriter;

  constructor(
    sink: TextSink,
    readonly columns: readonly string[] = COLUMN_NAMES,
  ) {
    this.out = new ChunkWriter(sink);
  }

  async begin(): Promise<void> {
    this.out.append(this.columns.map(csvField).join(',') + '\r\n');
    await this.out.drain();
  }

  /** Writes rows `rows` (indices into `batch`) in the given order. */
  async writeBatch(batch: TraceBatch, rows: Uint32Array): Promise<void> {
    const writers = this.columns.map((name) => fieldWriter(batch, name));
    const last = writers.length - 1;
    for (const i of rows) {
      // One append per record: each append is a native call, one per field costs more.
      let line = '';
      for (let c = 0; c < last; c++) line += writers[c]!(i) + ',';
      this.out.append(line + writers[last]!(i) + '\r\n');
      if (this.out.pendingChunks > 0) await this.out.drain();
    }
  }

  async end(): Promise<void> {
    await this.out.drain(true);
  }
}
