/** Row selection shared by every export format: op names and a start-time window. */
import type { TraceBatch } from '../trace/batch.js';
import { int64Column, stringColumn } from './columns.js';

export interface ExportFilter {
  /** Only these ops (names as stored in the trace). */
  ops?: readonly string[];
  /** Only rows with start_ns in [fromNs, toNs), ns since capture start. */
  fromNs?: bigint;
  toNs?: bigint;
}

/** Columns a filter needs besides the ones being exported. */
export function filterColumns(filter: ExportFilter): string[] {
  const cols: string[] = [];
  if (filter.ops) cols.push('op');
  if (filter.fromNs !== undefined || filter.toNs !== undefined) cols.push('start_ns');
  return cols;
}

/** Indices of the rows of `batch` that pass `filter`, in batch order. */
export function selectRows(batch: TraceBatch, filter: ExportFilter): Uint32Array {
  const keep = new Uint32Array(batch.length);
  let n = 0;
  let allowed: Uint8Array | undefined;
  let opIndices: Int32Array | undefined;
  if (filter.ops) {
    const op = stringColumn(batch, 'op');
    const wanted = new Set(filter.ops);
    allowed = Uint8Array.from(op.dictionary, (name) => (wanted.has(name) ? 1 : 0));
    opIndices = op.indices;
  }
  const windowed = filter.fromNs !== undefined || filter.toNs !== undefined;
  const starts = windowed ? int64Column(batch, 'start_ns').values : undefined;
  const from = filter.fromNs;
  const to = filter.toNs;
  for (let i = 0; i < batch.length; i++) {
    if (allowed) {
      const idx = opIndices![i]!;
      if (idx < 0 || allowed[idx] === 0) continue;
    }
    if (starts) {
      const s = starts[i]!;
      if ((from !== undefined && s < from) || (to !== undefined && s >= to)) continue;
    }
    keep[n++] = i;
  }
  return keep.subarray(0, n);
}
