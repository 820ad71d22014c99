/**
 * Typed access to one TraceBatch's columns by Parquet name, for exporters that walk rows
 * without building a TraceRow object per row.
 */
import type { Column, Int32Column, Int64Column, StringColumn, TraceBatch } from '../trace/batch.js';

export function int64Column(batch: TraceBatch, name: string): Int64Column {
  const col = batch.columns[name];
  if (!col || col.kind !== 'int64') throw new Error(`export: batch has no int64 column ${name}`);
  return col;
}

export function int32Column(batch: TraceBatch, name: string): Int32Column {
  const col = batch.columns[name];
  if (!col || col.kind !== 'int32') throw new Error(`export: batch has no int32 column ${name}`);
  return col;
}

export function stringColumn(batch: TraceBatch, name: string): StringColumn {
  const col = batch.columns[name];
  if (!col || col.kind !== 'string') throw new Error(`export: batch has no string column ${name}`);
  return col;
}

export function isNull(col: Column, i: number): boolean {
  if (col.kind === 'string') return col.indices[i]! < 0;
  return col.valid !== undefined && col.valid[i] === 0;
}

export function stringAt(col: StringColumn, i: number): string | null {
  const idx = col.indices[i]!;
  return idx < 0 ? null : col.dictionary[idx]!;
}

/**
 * A dictionary column's values pre-encoded once per batch (JSON string literal, CSV field...):
 * dictionary-encoded paths repeat a lot, so each distinct value is escaped only once.
 */
export function encodedDictionary(
  col: StringColumn,
  encode: (value: string) => string,
): (i: number) => string | null {
  const cache: (string | undefined)[] = new Array(col.dictionary.length);
  return (i) => {
    const idx = col.indices[i]!;
    if (idx < 0) return null;
    let text = cache[idx];
    if (text === undefined) {
      text = encode(col.dictionary[idx]!);
      cache[idx] = text;
    }
    return text;
  };
}
