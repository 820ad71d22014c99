/**
 * Counts on a grid: time columns x rows (log latency bands for the latency heatmap, or named
 * rows such as fault rules). Colour intensity follows log(count), so rare slow calls stay
 * visible next to millions of fast ones. Only non-empty cells are drawn.
 */
import { formatCount, formatDuration } from '../../analyze/units.js';
import { xAxis } from './axes.js';
import { spanScale } from './scales.js';
import { el, emptyChart, frame, svgRoot, text, title } from './svg.js';

export interface GridData {
  originNs: number;
  columnNs: number;
  /** counts[column][row]; row 0 is drawn at the bottom. */
  counts: number[][];
  /** One label per row (drawn on the left, where they fit). */
  rowLabels: string[];
  /** Tooltip text for a row (e.g. "1.4 ms – 2 ms"). */
  rowTitle: (row: number) => string;
  /** Time axis bounds; default: the columns' extent. */
  fromNs?: number;
  toNs?: number;
}

const WIDTH = 940;
/** Fill opacity steps: the first step stays visible. */
const MIN_OPACITY = 0.12;

export function gridChart(label: string, g: GridData, rowHeight = 0): string {
  const rows = g.rowLabels.length;
  const height = rowHeight > 0 ? rows * rowHeight + 60 : 300;
  let maxCount = 0;
  for (const column of g.counts) for (const v of column) if (v > maxCount) maxCount = v;
  if (rows === 0 || maxCount === 0) return emptyChart(WIDTH, height, label, 'no calls');
  const labelWidth = Math.min(220, 12 + 6.2 * Math.max(...g.rowLabels.map((l) => l.length)));
  const f = frame(WIDTH, height, { top: 16, right: 16, bottom: 34, left: Math.max(70, labelWidth) });
  const from = g.fromNs ?? g.originNs;
  const to = g.toNs ?? g.originNs + g.counts.length * g.columnNs;
  const x = spanScale(from, to, f.left, f.right);
  const cell = (f.bottom - f.top) / rows;
  const logMax = Math.log1p(maxCount);
  let body = el('rect', {
    class: 'grid-bg',
    x: f.left,
    y: f.top,
    width: f.right - f.left,
    height: f.bottom - f.top,
  });
  const labelEvery = Math.max(1, Math.ceil(14 / cell));
  for (let r = 0; r < rows; r++) {
    if (r % labelEvery !== 0) continue;
    const y = f.bottom - r * cell - (labelEvery === 1 ? cell / 2 - 4 : 0);
    body += text(f.left - 6, y, g.rowLabels[r]!, { 'text-anchor': 'end' });
  }
  for (let c = 0; c < g.counts.length; c++) {
    const t0 = g.originNs + c * g.columnNs;
    const x0 = x(t0);
    const x1 = x(t0 + g.columnNs);
    const column = g.counts[c]!;
    for (let r = 0; r < rows; r++) {
      const v = column[r]!;
      if (v === 0) continue;
      const opacity = MIN_OPACITY + (1 - MIN_OPACITY) * (Math.log1p(v) / logMax);
      body += el(
        'rect',
        {
          class: 'cell',
          x: x0,
          y: f.bottom - (r + 1) * cell,
          width: Math.max(1, x1 - x0 + 0.3),
          height: cell + 0.3,
          'fill-opacity': Math.round(opacity * 100) / 100,
        },
        title(
          `${formatDuration(t0)} – ${formatDuration(t0 + g.columnNs)}, ${g.rowTitle(r)}: ${formatCount(v)}`,
        ),
      );
    }
  }
  body += xAxis(f, x, formatDuration);
  return svgRoot(WIDTH, height, label, body);
}

/** The colour scale under a grid: light to dark, with the counts at both ends. */
export function gridScaleLegend(maxCount: number): string {
  return (
    `<div class="legend"><span class="key">1</span><i class="ramp"></i>` +
    `<span class="key">${formatCount(maxCount)} calls per cell (log scale)</span></div>`
  );
}
