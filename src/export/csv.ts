/**
 * Trace → CSV (RFC 4180) for spreadsheets and scripts: a header of Parquet column names, one
 * record per row, CRLF line ends. Fields holding a comma, a double quote, CR or LF are quoted
 * (inner quotes doubled), so any path survives. Null is an empty field; an empty string is
 * written as "" so the two stay distinguishable. Integers are exact (int64 ns as digits).
 */
import type { TraceBatch } from '../trace/batch.js';
import { COLUMN_NAMES } from '../trace/schema.js';
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
  const { values, valid } = col;
  if (valid) return (i) => (valid[i] === 0 ? '' : values[i]!.toString());
  return (i) => values[i]!.toString();
}

export class CsvEncoder {
  constructor(
    private readonly sink: TextSink,
    readonly columns: readonly string[] = COLUMN_NAMES,
  ) {}

  async begin(): Promise<void> {
    await this.sink.write(this.columns.map(csvField).join(',') + '\r\n');
  }

  /** Writes rows `rows` (indices into `batch`) in the given order. */
  async writeBatch(batch: TraceBatch, rows: Uint32Array): Promise<void> {
    const writers = this.columns.map((name) => fieldWriter(batch, name));
    const lines: string[] = [];
    for (const i of rows) {
      let line = writers[0]!(i);
      for (let c = 1; c < writers.length; c++) line += ',' + writers[c]!(i);
      lines.push(line);
      if (lines.length >= 4096) await this.sink.write(lines.splice(0).join('\r\n') + '\r\n');
    }
    if (lines.length > 0) await this.sink.write(lines.join('\r\n') + '\r\n');
  }
}
