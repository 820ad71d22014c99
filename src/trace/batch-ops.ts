/**
 * Batch plumbing: checking a producer's batch against the schema, and slicing it (optionally
 * copying, so producers may reuse their buffers). Row groups are assembled by
 * row-group-builder.ts.
 */
import type { Column, TraceBatch } from './batch.js';
import { COLUMNS } from './schema.js';

export function assertValidBatch(batch: TraceBatch): void {
  if (!Number.isInteger(batch.length) || batch.length < 0)
    throw new TypeError(`batch length ${batch.length} is not a count`);
  for (const def of COLUMNS) {
    const col = batch.columns[def.name];
    if (!col) throw new TypeError(`batch lacks column "${def.name}"`);
    if (col.kind !== def.type)
      throw new TypeError(`batch column "${def.name}" is ${col.kind}, expected ${def.type}`);
    const n = col.kind === 'string' ? col.indices.length : col.values.length;
    if (n < batch.length)
      throw new TypeError(`batch column "${def.name}" has ${n} values for ${batch.length} rows`);
    if (col.kind !== 'string' && col.valid && col.valid.length < batch.length) {
      throw new TypeError(
        `batch column "${def.name}" validity has ${col.valid.length} entries for ${batch.length} rows`,
      );
    }
    if (col.kind === 'string' && !def.nullable && col.indices.subarray(0, batch.length).includes(-1)) {
      throw new TypeError(`batch column "${def.name}" is not nullable but holds nulls`);
    }
    if (
      col.kind !== 'string' &&
      !def.nullable &&
      col.valid &&
      col.valid.subarray(0, batch.length).includes(0)
    ) {
      throw new TypeError(`batch column "${def.name}" is not nullable but holds nulls`);
    }
  }
}

function sliceColumn(col: Column, start: number, end: number, copy: boolean): Column {
  const cut = <T extends { slice(a: number, b: number): T; subarray(a: number, b: number): T }>(a: T): T =>
    copy ? a.slice(start, end) : a.subarray(start, end);
  if (col.kind === 'string') return { kind: 'string', indices: cut(col.indices), dictionary: col.dictionary };
  if (col.kind === 'int64') {
    return col.valid
      ? { kind: 'int64', values: cut(col.values), valid: cut(col.valid) }
      : { kind: 'int64', values: cut(col.values) };
  }
  return col.valid
    ? { kind: 'int32', values: cut(col.values), valid: cut(col.valid) }
    : { kind: 'int32', values: cut(col.values) };
}

/** Rows [start, end) of the schema columns; `copy` detaches the result from the producer's buffers. */
export function sliceBatch(batch: TraceBatch, start: number, end: number, copy: boolean): TraceBatch {
  const columns: Record<string, Column> = {};
  for (const def of COLUMNS) columns[def.name] = sliceColumn(batch.columns[def.name]!, start, end, copy);
  return { length: end - start, columns };
}
