/**
 * The row group a TraceWriter is filling. Each written batch's rows are copied in as they arrive,
 * into column arrays kept from one row group to the next; string columns are re-coded into the
 * row group's own dictionary (only the values its rows use, whatever the producer's dictionary
 * holds).
 *
 * Why copy at once rather than keep the batches until the row group fills: kept for the seconds a
 * row group takes, the recorder's drained batches reached V8's old generation, whose ArrayBuffers
 * only a major collection frees, and V8 starts one on its own only after external memory has
 * grown by tens of MiB (40-50 MiB of the recording server's peak RSS). Forcing a collection per
 * row group freed them, but each one also threw away the encoder's optimized code (deoptimized for
 * "weak objects") and cost about 0.1 s of compiler CPU. Copied at once, a batch dies young and
 * the next scavenge frees it.
 */
import { StringDictionary, type Column, type TraceBatch } from './batch.js';
import { COLUMNS } from './schema.js';

type IntArray = BigInt64Array | Int32Array;

interface StringSlot {
  indices: Int32Array;
  dictionary: StringDictionary;
}

const INITIAL_ROWS = 1024;

export class RowGroupBuilder {
  /** Rows appended since the last reset. */
  length = 0;
  private capacity = 0;
  private readonly ints = new Map<string, IntArray>();
  private readonly valids = new Map<string, Uint8Array>();
  /** Nullable columns that have had a null in this row group (their valid array is live). */
  private readonly withNulls = new Set<string>();
  private readonly strings = new Map<string, StringSlot>();

  constructor() {
    this.reset();
  }

  /** Copies rows [start, end) of `batch` in. */
  append(batch: TraceBatch, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this.reserve(this.length + n);
    const at = this.length;
    for (const def of COLUMNS) {
      const col = batch.columns[def.name]!;
      if (col.kind === 'string') this.appendStrings(this.strings.get(def.name)!, col, start, end, at);
      else {
        (this.ints.get(def.name) as { set(a: ArrayLike<unknown>, o: number): void }).set(
          col.values.subarray(start, end),
          at,
        );
        // A column that may not hold nulls has none (assertValidBatch), whatever its valid array.
        if (def.nullable) this.appendValid(def.name, col.valid, start, end, at);
      }
    }
    this.length += n;
  }

  /** The rows so far as one batch over this builder's arrays: valid until the next reset(). */
  batch(): TraceBatch {
    const columns: Record<string, Column> = {};
    for (const def of COLUMNS) {
      if (def.type === 'string') {
        const s = this.strings.get(def.name)!;
        columns[def.name] = {
          kind: 'string',
          indices: s.indices.subarray(0, this.length),
          dictionary: s.dictionary.values,
        };
        continue;
      }
      const values = this.ints.get(def.name)!.subarray(0, this.length);
      const valid = this.withNulls.has(def.name)
        ? this.valids.get(def.name)!.subarray(0, this.length)
        : undefined;
      columns[def.name] =
        def.type === 'int64'
          ? { kind: 'int64', values: values as BigInt64Array, ...(valid ? { valid } : {}) }
          : { kind: 'int32', values: values as Int32Array, ...(valid ? { valid } : {}) };
    }
    return { length: this.length, columns };
  }

  /** Empties the builder for the next row group, keeping its arrays. */
  reset(): void {
    this.length = 0;
    this.withNulls.clear();
    for (const def of COLUMNS)
      if (def.type === 'string') {
        const indices = this.strings.get(def.name)?.indices ?? new Int32Array(this.capacity);
        // A fresh dictionary: the last row group's may still be referenced by its encoded batch.
        this.strings.set(def.name, { indices, dictionary: new StringDictionary() });
      }
  }

  /** Grows every array to hold `rows` rows, keeping what they hold. */
  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    let capacity = Math.max(this.capacity, INITIAL_ROWS);
    while (capacity < rows) capacity *= 2;
    const grow = <T extends BigInt64Array | Int32Array | Uint8Array>(
      old: T | undefined,
      make: (n: number) => T,
    ): T => {
      const next = make(capacity);
      if (old) next.set(old.subarray(0, this.length) as never);
      return next;
    };
    for (const def of COLUMNS) {
      if (def.type === 'string') {
        const s = this.strings.get(def.name)!;
        s.indices = grow(s.indices, (n) => new Int32Array(n));
        continue;
      }
      const old = this.ints.get(def.name);
      this.ints.set(
        def.name,
        def.type === 'int64'
          ? grow(old as BigInt64Array | undefined, (n) => new BigInt64Array(n))
          : grow(old as Int32Array | undefined, (n) => new Int32Array(n)),
      );
      if (def.nullable)
        this.valids.set(
          def.name,
          grow(this.valids.get(def.name), (n) => new Uint8Array(n)),
        );
    }
    this.capacity = capacity;
  }

  private appendValid(
    name: string,
    valid: Uint8Array | undefined,
    start: number,
    end: number,
    at: number,
  ): void {
    const live = this.withNulls.has(name);
    if (!valid && !live) return; // no null in this row group yet: no valid array needed
    const target = this.valids.get(name)!;
    if (!live) {
      target.fill(1, 0, at); // every earlier row of this row group was present
      this.withNulls.add(name);
    }
    if (valid) target.set(valid.subarray(start, end), at);
    else target.fill(1, at, at + end - start);
  }

  private appendStrings(
    s: StringSlot,
    col: Extract<Column, { kind: 'string' }>,
    start: number,
    end: number,
    at: number,
  ): void {
    // remap[i] = this row group's id of the batch's dictionary entry i, -1 until first seen.
    const remap = new Int32Array(col.dictionary.length).fill(-1);
    const src = col.indices;
    const out = s.indices;
    for (let i = start; i < end; i++) {
      const idx = src[i]!;
      if (idx < 0) {
        out[at + i - start] = -1;
        continue;
      }
      let id = remap[idx];
      if (id === undefined)
        throw new RangeError(`string index ${idx} outside its dictionary (${col.dictionary.length})`);
      if (id < 0) {
        id = s.dictionary.intern(col.dictionary[idx]!);
        remap[idx] = id;
      }
      out[at + i - start] = id;
    }
  }
}
