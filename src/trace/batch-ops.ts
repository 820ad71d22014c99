/**
 * Checking a producer's batch against the schema before the writer takes its rows (row groups
 * are assembled by row-group-builder.ts).
 */
import type { TraceBatch } from './batch.js';
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
