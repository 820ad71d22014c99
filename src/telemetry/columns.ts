/** Typed access to a TraceBatch's columns, and dictionary-to-code maps cached per dictionary. */
import type { Int32Column, Int64Column, StringColumn, TraceBatch } from '../trace/batch.js';

export function stringColumn(batch: TraceBatch, name: string): StringColumn {
  const col = batch.columns[name];
  if (col?.kind !== 'string') throw new Error(`trace batch column ${name} is missing or not a string column`);
  return col;
}

export function int64Column(batch: TraceBatch, name: string): Int64Column {
  const col = batch.columns[name];
  if (col?.kind !== 'int64') throw new Error(`trace batch column ${name} is missing or not an int64 column`);
  return col;
}

export function int32Column(batch: TraceBatch, name: string): Int32Column {
  const col = batch.columns[name];
  if (col?.kind !== 'int32') throw new Error(`trace batch column ${name} is missing or not an int32 column`);
  return col;
}

/**
 * Maps a column's dictionary indices to codes in a fixed list (OPS, FAULT_KINDS); -1 for values
 * not in the list. Producers reuse one dictionary array across batches, so this is computed
 * once per dictionary (and recomputed if a grow-only dictionary has grown).
 */
export class DictionaryCodes {
  private readonly cache = new WeakMap<readonly string[], Int32Array>();
  private readonly codeOf: ReadonlyMap<string, number>;

  constructor(known: readonly string[]) {
    this.codeOf = new Map(known.map((value, code) => [value, code]));
  }

  of(dictionary: readonly string[]): Int32Array {
    let codes = this.cache.get(dictionary);
    if (codes === undefined || codes.length !== dictionary.length) {
      codes = Int32Array.from(dictionary, (value) => this.codeOf.get(value) ?? -1);
      this.cache.set(dictionary, codes);
    }
    return codes;
  }
}
