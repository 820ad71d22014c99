/** Turns the binding's raw column buffers into a TraceBatch without copying the numbers. */
import { OP_DICTIONARY, type Column, type TraceBatch } from '../trace/batch.js';
import { COLUMNS, FAULT_KINDS } from '../trace/schema.js';
import type { RawBatch } from './native.js';

const decoder = new TextDecoder();

/** Columns whose int32 values are codes into a fixed list rather than the batch's string table. */
const FIXED_DICTIONARIES: Record<string, readonly string[]> = {
  op: OP_DICTIONARY,
  fault_kind: FAULT_KINDS,
};

function decodeStrings(buffer: ArrayBuffer): string[] {
  if (buffer.byteLength === 0) return [];
  const all = decoder.decode(new Uint8Array(buffer));
  // Each string ends in NUL, so the final split element is the empty tail.
  return all.split('\0').slice(0, -1);
}

export function traceBatchFromNative(raw: RawBatch): TraceBatch {
  const strings = decodeStrings(raw.strings);
  const columns: Record<string, Column> = {};
  for (const def of COLUMNS) {
    const buffer = raw.columns[def.name];
    if (!buffer) throw new Error(`native batch lacks column ${def.name}: binding and schema disagree`);
    const valid = raw.valid[def.name];
    switch (def.type) {
      case 'string':
        columns[def.name] = {
          kind: 'string',
          indices: new Int32Array(buffer),
          dictionary: FIXED_DICTIONARIES[def.name] ?? strings,
        };
        break;
      case 'int64':
        columns[def.name] = valid
          ? { kind: 'int64', values: new BigInt64Array(buffer), valid: new Uint8Array(valid) }
          : { kind: 'int64', values: new BigInt64Array(buffer) };
        break;
      case 'int32':
        columns[def.name] = valid
          ? { kind: 'int32', values: new Int32Array(buffer), valid: new Uint8Array(valid) }
          : { kind: 'int32', values: new Int32Array(buffer) };
        break;
    }
  }
  return { length: raw.length, columns };
}
