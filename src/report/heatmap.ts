/**
 * Latency-over-time heatmap: calls counted by (start-time column, log latency row). The span is
 * not known in advance, so columns start narrow and double (neighbours merge) whenever the trace
 * outgrows `maxColumns`: memory and output stay bounded whatever the trace length.
 */
import type { TraceBatch } from '../trace/batch.js';
import type { TraceFilter } from '../analyze/index.js';
import { int64AsNumbers } from './int64.js';
import { compileRowMask, type RowMask } from './row-filter.js';

/** Two rows per power of two, from 2^8 ns (256 ns) up to 2^38 ns (4.6 min); outside values clamp. */
const ROWS_PER_OCTAVE = 2;
const LOWEST_EXPONENT = 8;
const HIGHEST_EXPONENT = 38;
export const HEATMAP_ROWS = (HIGHEST_EXPONENT - LOWEST_EXPONENT) * ROWS_PER_OCTAVE;
const INITIAL_COLUMN_NS = 1e6;
const DEFAULT_MAX_COLUMNS = 120;

export interface Heatmap {
  /** Start of column 0 (capture-relative ns). */
  originNs: number;
  columnNs: number;
  columns: number;
  /** Latency bounds of the kept rows (lowest first): row r covers [rowEdgesNs[r], rowEdgesNs[r+1]). */
  rowEdgesNs: number[];
  /** counts[column][row], rows as in rowEdgesNs. */
  counts: number[][];
  maxCount: number;
}

export function latencyRowOf(durationNs: number): number {
  if (durationNs < 2 ** LOWEST_EXPONENT) return 0;
  const row = Math.floor(Math.log2(durationNs) * ROWS_PER_OCTAVE) - LOWEST_EXPONENT * ROWS_PER_OCTAVE;
  return row >= HEATMAP_ROWS ? HEATMAP_ROWS - 1 : row;
}

export function latencyRowLowerBoundNs(row: number): number {
  return row === 0 ? 0 : 2 ** (LOWEST_EXPONENT + row / ROWS_PER_OCTAVE);
}

export class HeatmapAccumulator {
  private columnNs = INITIAL_COLUMN_NS;
  private length = 0;
  private counts: Float64Array;
  private starts: Float64Array = new Float64Array(0);
  private durations: Float64Array = new Float64Array(0);

  private readonly mask: RowMask | null;

  constructor(
    filter?: TraceFilter,
    private readonly maxColumns = DEFAULT_MAX_COLUMNS,
  ) {
    this.mask = compileRowMask(filter);
    if (maxColumns < 2 || maxColumns % 2 !== 0) throw new Error('heatmap maxColumns must be even and >= 2');
    this.counts = new Float64Array(maxColumns * HEATMAP_ROWS);
  }

  add(batch: TraceBatch): void {
    const start = batch.columns.start_ns;
    const duration = batch.columns.duration_ns;
    const op = batch.columns.op;
    if (start?.kind !== 'int64' || duration?.kind !== 'int64' || op?.kind !== 'string')
      throw new Error('heatmap needs the op, start_ns and duration_ns columns');
    const n = batch.length;
    this.starts = int64AsNumbers(start.values, n, this.starts);
    this.durations = int64AsNumbers(duration.values, n, this.durations);
    const eventIndex = op.dictionary.indexOf('event');
    const isEvent = eventIndex < 0 ? -2 : eventIndex;
    const indices = op.indices;
    const keep = this.mask ? this.mask(batch, this.starts) : null;
    for (let i = 0; i < n; i++) {
      if (indices[i] === isEvent || (keep !== null && keep[i] === 0)) continue;
      let column = Math.floor(this.starts[i]! / this.columnNs);
      if (column < 0) column = 0;
      while (column >= this.maxColumns) {
        this.coarsen();
        column = Math.floor(this.starts[i]! / this.columnNs);
      }
      if (column >= this.length) this.length = column + 1;
      this.counts[column * HEATMAP_ROWS + latencyRowOf(this.durations[i]!)]! += 1;
    }
  }

  /** Halves the resolution: column c takes columns 2c and 2c+1. */
  private coarsen(): void {
    const half = this.maxColumns / 2;
    for (let c = 0; c < half; c++) {
      for (let r = 0; r < HEATMAP_ROWS; r++) {
        this.counts[c * HEATMAP_ROWS + r] =
          this.counts[2 * c * HEATMAP_ROWS + r]! + this.counts[(2 * c + 1) * HEATMAP_ROWS + r]!;
      }
    }
    this.counts.fill(0, half * HEATMAP_ROWS);
    this.columnNs *= 2;
    this.length = Math.ceil(this.length / 2);
  }

  finish(): Heatmap {
    let lowest = HEATMAP_ROWS;
    let highest = -1;
    let maxCount = 0;
    for (let c = 0; c < this.length; c++) {
      for (let r = 0; r < HEATMAP_ROWS; r++) {
        const v = this.counts[c * HEATMAP_ROWS + r]!;
        if (v === 0) continue;
        if (r < lowest) lowest = r;
        if (r > highest) highest = r;
        if (v > maxCount) maxCount = v;
      }
    }
    if (highest < 0)
      return { originNs: 0, columnNs: this.columnNs, columns: 0, rowEdgesNs: [], counts: [], maxCount: 0 };
    const rowEdgesNs: number[] = [];
    for (let r = lowest; r <= highest + 1; r++) rowEdgesNs.push(latencyRowLowerBoundNs(r));
    const counts: number[][] = [];
    for (let c = 0; c < this.length; c++) {
      const column: number[] = [];
      for (let r = lowest; r <= highest; r++) column.push(this.counts[c * HEATMAP_ROWS + r]!);
      counts.push(column);
    }
    return { originNs: 0, columnNs: this.columnNs, columns: this.length, rowEdgesNs, counts, maxCount };
  }
}
