/**
 * Values over time: one line per series on a shared time axis, with events (overlay changes,
 * fault bursts) as marked vertical lines. Series are step lines: each point holds for its bucket.
 */
import { formatDuration } from '../../analyze/units.js';
import { xAxis, yAxis } from './axes.js';
import { linearScale, spanScale } from './scales.js';
import { el, emptyChart, escapeXml, frame, px, svgRoot, title } from './svg.js';

export interface Series {
  name: string;
  /** Colour slot 0..7 (CSS classes s0..s7). */
  slot: number;
  /** Bucket starts (ns on the chart's time axis) and values; each holds for bucketNs. */
  startsNs: number[];
  values: number[];
  bucketNs: number;
  /** Dashed line (e.g. the "after" side of a comparison). */
  dashed?: boolean;
}

export interface TimeMarker {
  tNs: number;
  label: string;
  /** 'overlay' (rule change, checkpoint) or 'fault' (injected faults in that bucket). */
  kind: 'overlay' | 'fault';
}

export interface TimeSeriesOptions {
  label: string;
  yLabel: string;
  format: (v: number) => string;
  markers?: TimeMarker[];
  /** Time axis bounds; default: the series' extent. */
  fromNs?: number;
  toNs?: number;
  height?: number;
}

const WIDTH = 940;

/** Keeps the buckets that overlap [from, to], clipped to it. */
function clip(s: Series, from: number, to: number): Series & { endsNs: number[] } {
  const startsNs: number[] = [];
  const endsNs: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < s.values.length; i++) {
    const start = s.startsNs[i]!;
    const end = start + s.bucketNs;
    if (end <= from || start >= to) continue;
    startsNs.push(Math.max(start, from));
    endsNs.push(Math.min(end, to));
    values.push(s.values[i]!);
  }
  return { ...s, startsNs, endsNs, values };
}

function stepPath(
  s: Series & { endsNs: number[] },
  x: (t: number) => number,
  y: (v: number) => number,
): string {
  let d = '';
  for (let i = 0; i < s.values.length; i++) {
    const yv = y(s.values[i]!);
    d += `${i === 0 ? 'M' : 'L'}${px(x(s.startsNs[i]!))} ${px(yv)}H${px(x(s.endsNs[i]!))}`;
  }
  return d;
}

/** Value of a series at time t (the bucket holding t), or undefined outside it. */
function valueAt(s: Series, t: number): number | undefined {
  let lo = 0;
  let hi = s.startsNs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s.startsNs[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  const start = s.startsNs[lo]!;
  return t >= start && t < start + s.bucketNs ? s.values[lo] : undefined;
}

/** Invisible columns along the densest series; each tooltip lists every series' value there. */
function hoverTargets(
  series: Series[],
  x: (t: number) => number,
  top: number,
  bottom: number,
  format: (v: number) => string,
): string {
  const densest = series.reduce((a, b) => (b.startsNs.length > a.startsNs.length ? b : a));
  let out = '';
  for (let i = 0; i < densest.startsNs.length; i++) {
    const t = densest.startsNs[i]!;
    const x0 = x(t);
    const x1 = x(t + densest.bucketNs);
    const lines = [`${formatDuration(t)} – ${formatDuration(t + densest.bucketNs)}`];
    for (const s of series) {
      const v = valueAt(s, t);
      if (v !== undefined) lines.push(`${s.name}: ${format(v)}`);
    }
    out += el(
      'rect',
      { class: 'hover', x: x0, y: top, width: Math.max(1, x1 - x0), height: bottom - top },
      title(lines.join('\n')),
    );
  }
  return out;
}

export function timeSeries(series: Series[], o: TimeSeriesOptions): string {
  const height = o.height ?? 230;
  const nonEmpty = series.filter((s) => s.values.length > 0);
  if (nonEmpty.length === 0) return emptyChart(WIDTH, height, o.label, 'no calls');
  const f = frame(WIDTH, height, { top: 26, right: 16, bottom: 34, left: 70 });
  const from = o.fromNs ?? Math.min(...nonEmpty.map((s) => s.startsNs[0]!));
  const to = o.toNs ?? Math.max(...nonEmpty.map((s) => s.startsNs[s.startsNs.length - 1]! + s.bucketNs));
  const x = spanScale(from, to, f.left, f.right);
  let max = 0;
  for (const s of nonEmpty)
    for (let i = 0; i < s.values.length; i++)
      if (s.startsNs[i]! + s.bucketNs > from && s.startsNs[i]! < to) max = Math.max(max, s.values[i]!);
  const y = linearScale(max, f.bottom, f.top, 4);
  let body = yAxis(f, y, o.format, o.yLabel);
  const clipped = nonEmpty.map((s) => clip(s, from, to)).filter((s) => s.values.length > 0);
  for (const s of clipped) {
    body += el('path', {
      class: `line s${s.slot}${s.dashed ? ' dashed' : ''}`,
      d: stepPath(s, x, y),
    });
  }
  if (clipped.length > 0) body += hoverTargets(clipped, x, f.top, f.bottom, o.format);
  for (const m of o.markers ?? []) {
    if (m.tNs < from || m.tNs > to) continue;
    const mx = x(m.tNs);
    // Overlay events cut across the chart; fault buckets get a tick on the top edge only.
    const line = m.kind === 'overlay' ? el('line', { x1: mx, x2: mx, y1: f.top, y2: f.bottom }) : '';
    const tick = el('path', { d: `M${px(mx - 4)} ${px(f.top - 7)}h8l-4 7z` });
    body += `<g class="event ${m.kind}">${title(m.label)}${line}${tick}</g>`;
  }
  body += xAxis(f, x, formatDuration);
  return svgRoot(WIDTH, height, o.label, body);
}

/** The `<span>` legend under a chart: swatches in the series' colours. */
export function legend(series: Pick<Series, 'name' | 'slot' | 'dashed'>[], extra: string[] = []): string {
  const items = series.map(
    (s) =>
      `<span class="key"><i class="swatch s${s.slot}${s.dashed ? ' dashed' : ''}"></i>${escapeXml(s.name)}</span>`,
  );
  return `<div class="legend">${[...items, ...extra].join('')}</div>`;
}
