/**
 * Fast access to TraceBatch columns for the analyzer: int64 columns are converted once per batch
 * to Float64Array through 32-bit views of their buffer, which avoids creating a BigInt per value
 * (the slow part of reading a BigInt64Array). Values beyond 2^53 lose precision, which no time,
 * size or offset in a trace reaches.
 */
import type { Column, Int32Column, Int64Column, StringColumn, TraceBatch } from '../trace/batch.js';

const TWO_POW_32 = 4_294_967_296;

export function int64ToFloat64(values: BigInt64Array, out?: Float64Array): Float64Array {
  const n = values.length;
  const result = out && out.length >= n ? out.subarray(0, n) : new Float64Array(n);
  if (values.byteOffset % 4 !== 0) {
    for (let i = 0; i < n; i++) result[i] = Number(values[i]!);
    return result;
  }
  const lo = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  const hi = new Int32Array(values.buffer, values.byteOffset, n * 2);
  for (let i = 0, j = 0; i < n; i++, j += 2) result[i] = hi[j + 1]! * TWO_POW_32 + lo[j]!;
  return result;
}

function column(batch: TraceBatch, name: string): Column | undefined {
  return batch.columns[name];
}

export function int64Column(batch: TraceBatch, name: string): Int64Column | undefined {
  const col = column(batch, name);
  if (col === undefined) return undefined;
  if (col.kind !== 'int64') throw new Error(`column ${name} is ${col.kind}, expected int64`);
  return col;
}

export function int32Column(batch: TraceBatch, name: string): Int32Column | undefined {
  const col = column(batch, name);
  if (col === undefined) return undefined;
  if (col.kind !== 'int32') throw new Error(`column ${name} is ${col.kind}, expected int32`);
  return col;
}

export function stringColumn(batch: TraceBatch, name: string): StringColumn | undefined {
  const col = column(batch, name);
  if (col === undefined) return undefined;
  if (col.kind !== 'string') throw new Error(`column ${name} is ${col.kind}, expected string`);
  return col;
}

export function requireColumn<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`trace batch has no column ${name}`);
  return value;
}

/**
 * Maps the per-batch dictionary indices of a string column to stable ids across batches,
 * resolving each dictionary entry on first use only (batches may carry large dictionaries).
 */
export class StringInterner {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();
  private lastDictionary: readonly string[] | null = null;
  private lastMapping = new Int32Array(0);

  idOf(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  /** Mapping dictionary index -> id, -2 = not resolved yet (use `resolve`). */
  mappingFor(dictionary: readonly string[]): Int32Array {
    if (dictionary === this.lastDictionary) return this.lastMapping;
    this.lastDictionary = dictionary;
    this.lastMapping = new Int32Array(dictionary.length).fill(-2);
    return this.lastMapping;
  }

  /** Stable id of dictionary index `index` (-1 for null). */
  resolve(mapping: Int32Array, dictionary: readonly string[], index: number): number {
    if (index < 0) return -1;
    let id = mapping[index]!;
    if (id === -2) {
      id = this.idOf(dictionary[index]!);
      mapping[index] = id;
    }
    return id;
  }
}
