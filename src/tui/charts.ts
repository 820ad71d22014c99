/**
 * Text charts sized to a given width: sparklines (one row), braille area plots (several rows,
 * 2×4 dots per cell) and horizontal bars. Pure functions returning strings so views stay simple
 * and tests can assert on exact output.
 */

export type Aggregate = 'mean' | 'max' | 'sum';

/**
 * Maps `values` onto exactly `n` slots. Longer series are aggregated per slot; shorter series
 * are stretched (each slot takes the value under it) so a chart always fills its width.
 */
export function resample(values: readonly number[], n: number, how: Aggregate = 'mean'): number[] {
  if (n <= 0) return [];
  if (values.length === 0) return new Array<number>(n).fill(0);
  const out = new Array<number>(n);
  const len = values.length;
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * len) / n);
    const to = Math.max(from + 1, Math.floor(((i + 1) * len) / n));
    let acc = how === 'max' ? -Infinity : 0;
    for (let j = from; j < to && j < len; j++) {
      const v = values[j] ?? 0;
      acc = how === 'max' ? Math.max(acc, v) : acc + v;
    }
    out[i] = how === 'mean' ? acc / (Math.min(to, len) - from) : acc;
  }
  return out;
}

const SPARK = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One-row chart, `width` characters wide; zero shows as a space so idle gaps stand out. */
export function sparkline(values: readonly number[], width: number, how: Aggregate = 'mean'): string {
  const slots = resample(values, width, how);
  const max = Math.max(0, ...slots);
  return slots
    .map((v) => {
      if (!(v > 0) || max === 0) return ' ';
      const level = Math.min(SPARK.length - 1, Math.floor((v / max) * (SPARK.length - 1) + 0.5));
      return SPARK[Math.max(0, level)]!;
    })
    .join('');
}

// Bit for each dot of a braille cell, indexed [x][y] (x: 0..1, y: 0..3 from the top).
const BRAILLE_BITS = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
];

/**
 * Area plot with braille dots: `height` rows of `width` characters, 2 samples per character
 * horizontally and 4 levels per row vertically. Scales to `max` (default: the series' maximum).
 */
export function brailleArea(
  values: readonly number[],
  width: number,
  height: number,
  how: Aggregate = 'mean',
  max?: number,
): string[] {
  if (width <= 0 || height <= 0) return [];
  const samples = resample(values, width * 2, how);
  const top = max ?? Math.max(0, ...samples);
  const dotsTall = height * 4;
  const cells = Array.from({ length: height }, () => new Array<number>(width).fill(0));
  samples.forEach((v, sx) => {
    // Any non-zero value shows at least one dot so sparse activity is never invisible.
    const level = top > 0 && v > 0 ? Math.max(1, Math.round((v / top) * dotsTall)) : 0;
    for (let d = 0; d < Math.min(level, dotsTall); d++) {
      const yFromTop = dotsTall - 1 - d;
      const row = Math.floor(yFromTop / 4);
      const cellX = Math.floor(sx / 2);
      cells[row]![cellX]! |= BRAILLE_BITS[sx % 2]![yFromTop % 4]!;
    }
  });
  return cells.map((row) => row.map((bits) => String.fromCharCode(0x2800 + bits)).join(''));
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** Horizontal bar of up to `width` cells with 1/8-cell resolution, padded to `width`. */
export function hbar(value: number, max: number, width: number): string {
  if (width <= 0) return '';
  const frac = max > 0 && value > 0 ? Math.min(1, value / max) : 0;
  const eighths = Math.round(frac * width * 8);
  const full = Math.floor(eighths / 8);
  let bar = '█'.repeat(full) + (full < width ? EIGHTHS[eighths % 8]! : '');
  if (value > 0 && bar === '') bar = '▏';
  return bar + ' '.repeat(Math.max(0, width - [...bar].length));
}
