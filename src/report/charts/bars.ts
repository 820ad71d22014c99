/**
 * Horizontal bars: one row per item (file, process, op), optionally split into stacked segments
 * (e.g. read and write time), or paired (A above B) for comparisons.
 */
import { xAxis } from './axes.js';
import { linearScale, logScale, type Scale } from './scales.js';
import { el, emptyChart, frame, svgRoot, text, title } from './svg.js';

export interface Segment {
  value: number;
  /** Colour slot 0..7. */
  slot: number;
  name: string;
}

export interface BarRow {
  label: string;
  segments: Segment[];
  /** Text after the bar (e.g. "sequential, 4 KiB"). */
  note?: string;
}

const WIDTH = 940;
const ROW = 22;

function truncateMiddle(label: string, max: number): string {
  if (label.length <= max) return label;
  const keep = max - 1;
  return `${label.slice(0, Math.ceil(keep / 3))}…${label.slice(label.length - Math.floor((keep * 2) / 3))}`;
}

export function stackedBars(label: string, rows: BarRow[], format: (v: number) => string): string {
  if (rows.length === 0) return emptyChart(WIDTH, 80, label, 'nothing to show');
  const height = rows.length * ROW + 44;
  const labelChars = Math.min(48, Math.max(...rows.map((r) => r.label.length)));
  const noteChars = Math.min(40, Math.max(0, ...rows.map((r) => r.note?.length ?? 0)));
  const f = frame(WIDTH, height, {
    top: 8,
    right: 16 + noteChars * 6.2,
    bottom: 34,
    left: 14 + labelChars * 6.4,
  });
  const total = (r: BarRow) => r.segments.reduce((s, g) => s + g.value, 0);
  const x = linearScale(Math.max(...rows.map(total)), f.left, f.right, 5);
  let body = '';
  rows.forEach((r, i) => {
    const y = f.top + i * ROW;
    body += text(f.left - 6, y + ROW / 2 + 4, truncateMiddle(r.label, 48), { 'text-anchor': 'end' });
    let at = 0;
    for (const s of r.segments) {
      if (s.value <= 0) continue;
      const x0 = x(at);
      at += s.value;
      body += el(
        'rect',
        { class: `fill s${s.slot}`, x: x0, y: y + 3, width: Math.max(1, x(at) - x0), height: ROW - 6 },
        title(`${r.label}\n${s.name}: ${format(s.value)}`),
      );
    }
    const end = x(at);
    const note = r.note ? ` ${r.note}` : '';
    body += text(end + 5, y + ROW / 2 + 4, `${format(at)}${note}`, { class: 'value' });
  });
  body += xAxis(f, x, format);
  return svgRoot(WIDTH, height, label, body);
}

export interface PairedRow {
  label: string;
  a: number;
  b: number;
}

/** A (solid) over B (hatched) per row; `log` for latencies that span decades. */
export function pairedBars(
  label: string,
  rows: PairedRow[],
  names: [string, string],
  format: (v: number) => string,
  log = false,
): string {
  if (rows.length === 0) return emptyChart(WIDTH, 80, label, 'nothing to compare');
  const pair = 2 * 13 + 10;
  const height = rows.length * pair + 44;
  const labelChars = Math.min(40, Math.max(...rows.map((r) => r.label.length)));
  const f = frame(WIDTH, height, { top: 8, right: 110, bottom: 34, left: 14 + labelChars * 6.4 });
  const values = rows.flatMap((r) => [r.a, r.b]).filter((v) => v > 0);
  const max = Math.max(1, ...values);
  const min = Math.min(max / 10, ...values);
  const x: Scale = log ? logScale(min / 2, max * 1.1, f.left, f.right) : linearScale(max, f.left, f.right, 5);
  const zero = log ? f.left : x(0);
  let body = '';
  rows.forEach((r, i) => {
    const y = f.top + i * pair;
    body += text(f.left - 6, y + 17, truncateMiddle(r.label, 40), { 'text-anchor': 'end' });
    [r.a, r.b].forEach((v, side) => {
      const w = v > 0 ? Math.max(1, x(v) - zero) : 0;
      const yy = y + 3 + side * 13;
      body += el(
        'rect',
        { class: `fill s${side}${side === 1 ? ' hatched' : ''}`, x: zero, y: yy, width: w, height: 11 },
        title(`${r.label} (${names[side]}): ${format(v)}`),
      );
      body += text(zero + w + 4, yy + 9.5, v > 0 ? format(v) : `no calls (${names[side]})`, {
        class: 'value small',
      });
    });
  });
  body += xAxis(f, x, format);
  return svgRoot(WIDTH, height, label, body);
}
