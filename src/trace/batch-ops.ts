/**
 * Batch plumbing for the writer: checking a producer's batch against the schema, copying it (so
 * producers may reuse their buffers), slicing, and merging several batches into one row group
 * with a compact per-row-group string dictionary.
 */
import type { Column, StringColumn, TraceBatch } from './batch.js';
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

/**
 * Column arrays that mergeBatches may reuse from one call to the next, for a caller that is done
 * with each merged batch before it merges the next (the writer: one row group at a time). Fresh
 * arrays for every row group cost more than the merge itself: allocation, zeroing, page faults.
 */
export class MergeScratch {
  private readonly arrays = new Map<string, BigInt64Array | Int32Array | Uint8Array>();

  /** An array of `length` elements of the kind `make` builds, contents undefined. */
  take<T extends BigInt64Array | Int32Array | Uint8Array>(
    key: string,
    length: number,
    make: (n: number) => T,
  ): T {
    let array = this.arrays.get(key) as T | undefined;
    if (!array || array.length < length) {
      array = make(length);
      this.arrays.set(key, array);
    }
    return array.subarray(0, length) as T;
  }
}

const fresh: Pick<MergeScratch, 'take'> = {
  take: (_key, length, make) => make(length),
};

/**
 * One batch holding all rows of `batches`. String columns get a fresh dictionary holding only
 * the values these rows use (a producer's dictionary grows for the whole capture). With
 * `scratch`, the result's arrays are the scratch's: valid until the next merge into it.
 */
export function mergeBatches(
  batches: readonly TraceBatch[],
  scratch: Pick<MergeScratch, 'take'> = fresh,
): TraceBatch {
  const length = batches.reduce((n, b) => n + b.length, 0);
  const columns: Record<string, Column> = {};
  for (const def of COLUMNS) {
    if (def.type === 'string') {
      columns[def.name] = mergeStrings(
        batches.map((b) => b.columns[def.name] as StringColumn),
        batches.map((b) => b.length),
        scratch.take(def.name, length, (n) => new Int32Array(n)),
      );
      continue;
    }
    const values =
      def.type === 'int64'
        ? scratch.take(def.name, length, (n) => new BigInt64Array(n))
        : scratch.take(def.name, length, (n) => new Int32Array(n));
    let valid: Uint8Array | undefined;
    let at = 0;
    for (const b of batches) {
      const col = b.columns[def.name]!;
      if (col.kind === 'string') throw new TypeError('unreachable');
      (values as { set(a: ArrayLike<unknown>, o: number): void }).set(col.values.subarray(0, b.length), at);
      if (col.valid) {
        if (!valid) valid = scratch.take(`${def.name}:valid`, length, (n) => new Uint8Array(n)).fill(1);
        valid.set(col.valid.subarray(0, b.length), at);
      } else if (valid) valid.fill(1, at, at + b.length);
      at += b.length;
    }
    columns[def.name] =
      def.type === 'int64'
        ? valid
          ? { kind: 'int64', values: values as BigInt64Array, valid }
          : { kind: 'int64', values: values as BigInt64Array }
        : valid
          ? { kind: 'int32', values: values as Int32Array, valid }
          : { kind: 'int32', values: values as Int32Array };
  }
  return { length, columns };
}

/** Every element of `indices` (one per row of the batches) is written. */
function mergeStrings(cols: StringColumn[], lengths: number[], indices: Int32Array): StringColumn {
  const dictionary: string[] = [];
  const ids = new Map<string, number>();
  let at = 0;
  for (let b = 0; b < cols.length; b++) {
    const col = cols[b]!;
    const n = lengths[b]!;
    // remap[i] = new id of the batch's dictionary entry i, -1 until first seen.
    const remap = new Int32Array(col.dictionary.length).fill(-1);
    const src = col.indices;
    for (let i = 0; i < n; i++) {
      const idx = src[i]!;
      if (idx < 0) {
        indices[at + i] = -1;
        continue;
      }
      let id = remap[idx];
      if (id === undefined)
        throw new RangeError(`string index ${idx} outside its dictionary (${col.dictionary.length})`);
      if (id < 0) {
        const value = col.dictionary[idx]!;
        id = ids.get(value);
        if (id === undefined) {
          id = dictionary.length;
          dictionary.push(value);
          ids.set(value, id);
        }
        remap[idx] = id;
      }
      indices[at + i] = id;
    }
    at += n;
  }
  return { kind: 'string', indices, dictionary };
}
