/**
 * A batch of trace rows held column by column in typed arrays: the unit that flows from the
 * recorder (or replayer) to the trace writer. Columnar so the hot path allocates no object per
 * row and the Parquet encoder reads straight from typed arrays.
 */
import { COLUMNS, OPS, OP_CODE, type ColumnDef, type FaultKind, type Op, type TraceRow } from './schema.js';

/** int64 column; `valid[i] === 0` marks a null (absent array = no nulls). */
export interface Int64Column {
  kind: 'int64';
  values: BigInt64Array;
  valid?: Uint8Array;
}

export interface Int32Column {
  kind: 'int32';
  values: Int32Array;
  valid?: Uint8Array;
}

/** Dictionary-encoded strings: `indices[i]` points into `dictionary`, -1 is null. */
export interface StringColumn {
  kind: 'string';
  indices: Int32Array;
  dictionary: readonly string[];
}

export type Column = Int64Column | Int32Column | StringColumn;

export interface TraceBatch {
  length: number;
  /** Keyed by Parquet column name (COLUMNS[].name). */
  columns: Record<string, Column>;
}

/** Grow-only string interning shared by successive batches of one producer. */
export class StringDictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  intern(value: string | null): number {
    if (value === null) return -1;
    let id = this.index.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.index.set(value, id);
    }
    return id;
  }
}

/** The op column's dictionary is fixed: index = op code, as the native binding reports it. */
export const OP_DICTIONARY: readonly string[] = OPS;

function emptyColumn(def: ColumnDef, capacity: number): Column {
  switch (def.type) {
    case 'int64':
      return def.nullable
        ? { kind: 'int64', values: new BigInt64Array(capacity), valid: new Uint8Array(capacity) }
        : { kind: 'int64', values: new BigInt64Array(capacity) };
    case 'int32':
      return def.nullable
        ? { kind: 'int32', values: new Int32Array(capacity), valid: new Uint8Array(capacity) }
        : { kind: 'int32', values: new Int32Array(capacity) };
    case 'string':
      return { kind: 'string', indices: new Int32Array(capacity), dictionary: [] };
  }
}

/**
 * Builds batches from row objects. For producers that are not on the hottest path (replay,
 * tests, generators); the native recorder fills columns directly.
 */
export class TraceBatchBuilder {
  private columns: Record<string, Column>;
  private count = 0;
  private readonly dictionaries = new Map<string, StringDictionary>();

  constructor(private readonly capacity = 65_536) {
    this.columns = this.allocate();
    for (const def of COLUMNS) {
      if (def.type === 'string' && def.name !== 'op') this.dictionaries.set(def.name, new StringDictionary());
    }
  }

  get length(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  append(row: TraceRow): void {
    if (this.full) throw new Error('TraceBatchBuilder is full: call take() first');
    const i = this.count++;
    for (const def of COLUMNS) {
      const col = this.columns[def.name]!;
      const value = row[def.field];
      if (col.kind === 'string') {
        col.indices[i] =
          def.name === 'op'
            ? OP_CODE[value as Op]
            : this.dictionaries.get(def.name)!.intern(value as string | null);
      } else if (value === null || value === undefined) {
        col.valid![i] = 0;
      } else {
        if (col.valid) col.valid[i] = 1;
        if (col.kind === 'int64') col.values[i] = value as bigint;
        else col.values[i] = value as number;
      }
    }
  }

  /** Hands over the rows appended so far and starts a new batch. */
  take(): TraceBatch {
    const length = this.count;
    const columns: Record<string, Column> = {};
    for (const def of COLUMNS) {
      const col = this.columns[def.name]!;
      columns[def.name] = sliceColumn(
        col.kind === 'string'
          ? {
              ...col,
              dictionary: def.name === 'op' ? OP_DICTIONARY : this.dictionaries.get(def.name)!.values.slice(),
            }
          : col,
        length,
      );
    }
    this.columns = this.allocate();
    this.count = 0;
    return { length, columns };
  }

  private allocate(): Record<string, Column> {
    return Object.fromEntries(COLUMNS.map((def) => [def.name, emptyColumn(def, this.capacity)]));
  }
}

function sliceColumn(col: Column, length: number): Column {
  if (col.kind === 'string') return { ...col, indices: col.indices.subarray(0, length) };
  if (col.kind === 'int64') {
    return col.valid
      ? { kind: 'int64', values: col.values.subarray(0, length), valid: col.valid.subarray(0, length) }
      : { kind: 'int64', values: col.values.subarray(0, length) };
  }
  return col.valid
    ? { kind: 'int32', values: col.values.subarray(0, length), valid: col.valid.subarray(0, length) }
    : { kind: 'int32', values: col.values.subarray(0, length) };
}

/** Reads row `i` of a batch back as an object (tests, small exports; not for hot paths). */
export function rowAt(batch: TraceBatch, i: number): TraceRow {
  const row: Record<string, unknown> = {};
  for (const def of COLUMNS) {
    const col = batch.columns[def.name];
    if (!col) throw new Error(`batch has no column ${def.name}`);
    if (col.kind === 'string') {
      const idx = col.indices[i]!;
      row[def.field] = idx < 0 ? null : col.dictionary[idx]!;
    } else if (col.valid && col.valid[i] === 0) {
      row[def.field] = null;
    } else {
      row[def.field] = col.values[i]!;
    }
  }
  return row as unknown as TraceRow;
}

export function* rowsOf(batch: TraceBatch): Generator<TraceRow> {
  for (let i = 0; i < batch.length; i++) yield rowAt(batch, i);
}

export type { FaultKind };
