/**
 * Latency distribution of one op: bars on a log latency axis (the analyzer's power-of-two
 * buckets), with p50/p90/p99/p99.9 marked as labelled vertical lines.
 */
import { formatCount, formatDuration } from '../../analyze/units.js';
import { xAxis, yAxis } from './axes.js';
import { linearScale, logScale } from './scales.js';
import { el, emptyChart, frame, svgRoot, text, title } from './svg.js';

export interface HistogramBar {
  fromNs: number;
  toNs: number;
  count: number;
}

export interface PercentileMark {
  label: string;
  valueNs: number;
}

const WIDTH = 460;
const HEIGHT = 210;

export function latencyHistogram(label: string, bars: HistogramBar[], marks: PercentileMark[]): string {
  if (bars.length === 0) return emptyChart(WIDTH, HEIGHT, label, 'no calls');
  const f = frame(WIDTH, HEIGHT, { top: 44, right: 14, bottom: 34, left: 48 });
  const lowest = Math.max(1, Math.min(...bars.map((b) => b.fromNs)));
  const highest = Math.max(...bars.map((b) => b.toNs));
  const x = logScale(lowest, highest, f.left, f.right);
  const y = linearScale(Math.max(...bars.map((b) => b.count)), f.bottom, f.top, 4, true);
  let body = yAxis(f, y, formatCount);
  for (const b of bars) {
    const x0 = x(Math.max(b.fromNs, lowest));
    const x1 = x(b.toNs);
    body += el(
      'rect',
      {
        class: 'bar',
        x: x0 + 0.5,
        y: y(b.count),
        width: Math.max(1, x1 - x0 - 1),
        height: f.bottom - y(b.count),
      },
      title(`${formatDuration(b.fromNs)} – ${formatDuration(b.toNs)}: ${formatCount(b.count)} calls`),
    );
  }
  body += xAxis(f, x, formatDuration);
  body += percentileMarks(marks, x, f.left, f.right, f.top, f.bottom);
  return svgRoot(WIDTH, HEIGHT, label, body);
}

/**
 * Dashed lines at the percentiles, labelled "p50", "p90,p99" (equal values share a line) on up to
 * three label rows, each label on the first row where it does not overlap its left neighbour.
 */
function percentileMarks(
  marks: PercentileMark[],
  x: (v: number) => number,
  left: number,
  right: number,
  top: number,
  bottom: number,
): string {
  const merged: { labels: string[]; valueNs: number; slot: number }[] = [];
  marks.forEach((m, slot) => {
    const same = merged.find((g) => g.valueNs === m.valueNs);
    if (same) same.labels.push(m.label);
    else merged.push({ labels: [m.label], valueNs: m.valueNs, slot });
  });
  const rowEnds = [-Infinity, -Infinity, -Infinity];
  let out = '';
  for (const g of merged) {
    const mx = Math.min(Math.max(x(g.valueNs), left), right);
    const content = g.labels.join(',');
    const width = content.length * 6 + 4;
    const anchorEnd = mx + width > right + 10;
    const start = anchorEnd ? mx - width : mx;
    let row = rowEnds.findIndex((end) => start > end);
    if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = start + width;
    const ly = top - 6 - row * 11;
    out += el('line', { class: `mark m${g.slot}`, x1: mx, x2: mx, y1: ly + 2, y2: bottom });
    out += text(anchorEnd ? mx - 2 : mx + 2, ly, content, {
      class: `mark-label m${g.slot}`,
      'text-anchor': anchorEnd ? 'end' : 'start',
    });
  }
  return out;
}
