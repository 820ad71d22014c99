/**
 * What a view produces: styled lines. A view is a pure function from the report to lines, split
 * into a fixed part (titles, table header) and a body that scrolls; the App draws the window.
 */
import type { FilterSpec } from './filter-spec.js';
import { CELL_GAP, layoutTable, type TableColumn } from './table.js';

export interface Segment {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

export type Line = Segment[];

export interface ViewContent {
  fixed: Line[];
  body: Line[];
  /**
   * Drill-down: the filter each body row stands for (same index as body), when the view's rows
   * are things one can filter on (a path, a pid, an op). Enter applies the selected row's.
   */
  targets?: (FilterSpec | undefined)[];
}

export function plain(text: string, style: Omit<Segment, 'text'> = {}): Line {
  return [{ text, ...style }];
}

/** An empty line (a space: Ink drops empty Text, which would collapse the gap). */
export const BLANK: Line = [{ text: ' ' }];

export function title(text: string): Line {
  return [{ text, bold: true }];
}

/** Table as lines: the header (bold) and one line per row, cells colored by `color`. */
export function tableLines(
  columns: readonly TableColumn[],
  rows: readonly string[][],
  width: number,
  color?: (row: number, column: number) => string | undefined,
): { header: Line; rows: Line[] } {
  const layout = layoutTable(columns, rows, width);
  const header: Line = [{ text: layout.header.join(CELL_GAP), bold: true, color: 'blue' }];
  const body = layout.cells.map((cells, r) =>
    cells.map((cell, c): Segment => {
      const fg = color?.(r, layout.shown[c]!);
      const text = (c > 0 ? CELL_GAP : '') + cell;
      return fg ? { text, color: fg } : { text };
    }),
  );
  return { header, rows: body };
}

export function lineText(line: Line): string {
  return line.map((s) => s.text).join('');
}
