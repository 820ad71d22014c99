/** Axes with tick labels and light grid lines, drawn into a Frame. */
import type { Scale } from './scales.js';
import { el, text, type Frame } from './svg.js';

export function xAxis(f: Frame, scale: Scale, format: (v: number) => string, label?: string): string {
  let out = el('line', { class: 'axis', x1: f.left, x2: f.right, y1: f.bottom, y2: f.bottom });
  let lastRight = -Infinity;
  for (const t of scale.ticks) {
    const x = scale(t);
    if (x < f.left - 0.5 || x > f.right + 0.5) continue;
    out += el('line', { class: 'tick', x1: x, x2: x, y1: f.bottom, y2: f.bottom + 4 });
    const content = format(t);
    const halfWidth = content.length * 3.2;
    if (x - halfWidth < lastRight + 4) continue;
    lastRight = x + halfWidth;
    out += text(x, f.bottom + 16, content, { 'text-anchor': 'middle' });
  }
  if (label)
    out += text((f.left + f.right) / 2, f.height - 4, label, { class: 'label', 'text-anchor': 'middle' });
  return out;
}

export function yAxis(f: Frame, scale: Scale, format: (v: number) => string, label?: string): string {
  let out = '';
  for (const t of scale.ticks) {
    const y = scale(t);
    if (y < f.top - 0.5 || y > f.bottom + 0.5) continue;
    out += el('line', { class: 'grid', x1: f.left, x2: f.right, y1: y, y2: y });
    out += text(f.left - 6, y + 4, format(t), { 'text-anchor': 'end' });
  }
  if (label) out += text(f.left, f.top - 8, label, { class: 'label', 'text-anchor': 'start' });
  return out;
}
