/**
 * Timeline: throughput, IOPS, p99 latency and concurrency over the trace as braille area plots
 * that fill the width, sharing one time axis.
 */
import type { TimelineBucket } from '../../analyze/types.js';
import { brailleArea, type Aggregate } from '../charts.js';
import { fit, formatByteRate, formatCount, formatDuration, formatOffset, formatRate } from '../format.js';
import { plain, type Line, type ViewContent } from '../lines.js';
import type { ViewContext } from './context.js';

interface Series {
  name: string;
  color: string;
  values: number[];
  how: Aggregate;
  format: (v: number) => string;
}

function series(buckets: readonly TimelineBucket[]): Series[] {
  return [
    {
      name: 'Throughput (read+write)',
      color: 'green',
      values: buckets.map((b) => b.readBytesPerSec + b.writeBytesPerSec),
      how: 'mean',
      format: formatByteRate,
    },
    { name: 'IOPS', color: 'cyan', values: buckets.map((b) => b.opsPerSec), how: 'mean', format: formatRate },
    {
      name: 'Latency p99',
      color: 'yellow',
      values: buckets.map((b) => b.p99Ns),
      how: 'max',
      format: formatDuration,
    },
    {
      name: 'Concurrency (max in flight)',
      color: 'magenta',
      values: buckets.map((b) => b.maxConcurrency),
      how: 'max',
      // Averages of small integers: keep a decimal so "mean 0.6" does not read as idle.
      format: (v) => (Number.isInteger(v) ? formatCount(v) : v < 100 ? v.toFixed(1) : formatCount(v)),
    },
  ];
}

function stats(values: readonly number[]): { peak: number; mean: number } {
  const peak = Math.max(0, ...values);
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  return { peak, mean };
}

function axis(fromNs: number, toNs: number, width: number): Line {
  const left = formatOffset(fromNs);
  const mid = formatOffset((fromNs + toNs) / 2);
  const right = formatOffset(toNs);
  const half = Math.floor(width / 2);
  const text = fit(left, half - Math.floor(mid.length / 2)) + mid;
  return plain(text + fit(right, Math.max(0, width - [...text].length), 'right'), { dim: true });
}

export function renderTimeline(ctx: ViewContext): ViewContent {
  const { timeline } = ctx.reports[0]!;
  const { width } = ctx;
  const buckets = timeline.buckets;
  if (buckets.length === 0)
    return { fixed: [plain('no calls in range: nothing to plot', { dim: true })], body: [] };
  const all = series(buckets);
  // Title line per chart plus one axis line; the rest is shared between the charts.
  const chartRows = Math.max(1, Math.floor((ctx.height - 1 - all.length) / all.length));
  const lines: Line[] = [];
  for (const s of all) {
    const { peak, mean } = stats(s.values);
    const label = `${s.name}`;
    const numbers = `peak ${s.format(peak)}  mean ${s.format(mean)}`;
    lines.push([
      { text: label, bold: true, color: s.color },
      { text: fit(numbers, Math.max(0, width - label.length), 'right'), dim: true },
    ]);
    for (const row of brailleArea(s.values, width, chartRows, s.how))
      lines.push(plain(row, { color: s.color }));
  }
  const fromNs = timeline.originNs;
  const toNs = timeline.originNs + buckets.length * timeline.bucketNs;
  lines.push(axis(fromNs, toNs, width));
  return { fixed: lines, body: [] };
}
