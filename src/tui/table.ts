/**
 * Fixed-width text tables: numeric columns keep their natural width, one flexible column (the
 * path or name) takes what is left and is truncated, from the left for paths. Views build rows
 * of strings; this turns them into lines that never exceed the terminal width.
 */
import { fit, truncateLeft, truncateRight } from './format.js';

export interface TableColumn {
  header: string;
  align?: 'left' | 'right';
  /** Takes the remaining width (at most one column should flex). */
  flex?: boolean;
  /** Truncation side when a cell does not fit; paths keep their end. */
  truncate?: 'left' | 'right';
  /** Smallest width a flexible column shrinks to before non-flex columns are dropped. */
  minWidth?: number;
  /** Lower numbers are dropped last when the terminal is too narrow. */
  priority?: number;
}

export interface TableLayout {
  /** Header cells, each padded to its column width. */
  header: string[];
  /** Row cells, padded and truncated; join with one space for the line. */
  cells: string[][];
  /** Indices of the columns that were shown (narrow terminals drop low-priority ones). */
  shown: number[];
}

const GAP = 1;

export function layoutTable(
  columns: readonly TableColumn[],
  rows: readonly string[][],
  width: number,
): TableLayout {
  const natural = columns.map((c, i) =>
    Math.max([...c.header].length, ...rows.map((r) => [...(r[i] ?? '')].length)),
  );
  let shown = columns.map((_, i) => i);
  const flexIndex = columns.findIndex((c) => c.flex);
  const total = (): number =>
    shown.reduce((sum, i) => sum + (i === flexIndex ? (columns[i]!.minWidth ?? 8) : natural[i]!), 0) +
    GAP * (shown.length - 1);
  // Drop the least important columns until the rest fit.
  while (total() > width && shown.length > 1) {
    const candidates = shown.filter((i) => i !== flexIndex);
    if (candidates.length === 0) break;
    const drop = candidates.reduce((a, b) =>
      (columns[b]!.priority ?? 5) >= (columns[a]!.priority ?? 5) ? b : a,
    );
    shown = shown.filter((i) => i !== drop);
  }
  const widths = new Map<number, number>();
  for (const i of shown) widths.set(i, i === flexIndex ? 0 : natural[i]!);
  const used = [...widths.values()].reduce((a, b) => a + b, 0) + GAP * (shown.length - 1);
  if (flexIndex >= 0 && shown.includes(flexIndex)) {
    widths.set(flexIndex, Math.max(1, Math.min(natural[flexIndex]!, width - used)));
    // A lone flexible column never exceeds the width.
    if (used + widths.get(flexIndex)! > width) widths.set(flexIndex, Math.max(1, width - used));
  }
  // Keep the flex column left-aligned but let the table fill the line so right-aligned numbers line up.
  const fitRow = (cells: readonly string[]): string[] =>
    shown.map((i) => {
      const col = columns[i]!;
      const cut = col.truncate === 'left' ? truncateLeft : truncateRight;
      return fit(cells[i] ?? '', widths.get(i)!, col.align ?? 'left', cut);
    });
  return { header: fitRow(columns.map((c) => c.header)), cells: rows.map(fitRow), shown };
}

export const CELL_GAP = ' '.repeat(GAP);

/** A fitted row as one line, cut to the width as a last guard. */
export function joinCells(cells: readonly string[], width: number): string {
  return truncateRight(cells.join(CELL_GAP), width);
}
