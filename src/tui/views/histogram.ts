/** Latency histogram of one op (←/→ picks the op), in power-of-two buckets with bars. */
import type { LatencyHistogram, Report } from '../../analyze/types.js';
import { hbar } from '../charts.js';
import { formatCount, formatDuration, formatPercent } from '../format.js';
import { plain, tableLines, type Line, type ViewContent } from '../lines.js';
import type { ViewContext } from './context.js';

/** Histograms in the report's op order (most time first): the order ←/→ walks. */
export function histogramsInOpOrder(report: Report): LatencyHistogram[] {
  const byOp = new Map(report.latencyHistograms.map((h) => [h.op, h]));
  return report.ops.map((o) => byOp.get(o.op)).filter((h): h is LatencyHistogram => h !== undefined);
}

export function renderHistogram(ctx: ViewContext): ViewContent {
  const report = ctx.reports[0]!;
  const hists = histogramsInOpOrder(report);
  if (hists.length === 0) return { fixed: [plain('no calls match the filter', { dim: true })], body: [] };
  const index = Math.min(ctx.ui.histogramOp, hists.length - 1);
  const hist = hists[index]!;
  const stats = report.ops.find((o) => o.op === hist.op)!;
  const l = stats.latency;
  const selector: Line = [
    { text: '◀ ', color: 'cyan' },
    { text: hist.op, bold: true, inverse: true },
    { text: ' ▶', color: 'cyan' },
    { text: `  op ${index + 1} of ${hists.length} (←/→)  ${formatCount(l.count)} calls`, dim: true },
  ];
  const pct: Line = plain(
    `p50 ${formatDuration(l.p50Ns)}  p90 ${formatDuration(l.p90Ns)}  p99 ${formatDuration(l.p99Ns)}  p99.9 ${formatDuration(l.p999Ns)}  max ${formatDuration(l.maxNs)}`,
    { color: 'yellow' },
  );
  const total = hist.buckets.reduce((a, b) => a + b.count, 0);
  const peak = Math.max(0, ...hist.buckets.map((b) => b.count));
  const marks = (from: number, to: number): string =>
    [
      [l.p50Ns, 'p50'],
      [l.p99Ns, 'p99'],
    ]
      .filter(([v]) => (v as number) >= from && (v as number) < to)
      .map(([, name]) => name)
      .join(',');
  const rowsData = hist.buckets.map((b) => [
    `${formatDuration(b.fromNs)}–${formatDuration(b.toNs)}`,
    formatCount(b.count),
    formatPercent(total ? b.count / total : 0),
    marks(b.fromNs, b.toNs),
    '',
  ]);
  const fixedWidth = 17 + 1 + 9 + 1 + 7 + 1 + 7 + 1;
  const barWidth = Math.max(4, ctx.width - fixedWidth);
  hist.buckets.forEach((b, i) => (rowsData[i]![4] = hbar(b.count, peak, barWidth)));
  const table = tableLines(
    [
      { header: 'latency', minWidth: 10 },
      { header: 'calls', align: 'right' },
      { header: 'share', align: 'right' },
      { header: 'mark', priority: 7 },
      { header: '', flex: true, minWidth: 4 },
    ],
    rowsData,
    ctx.width,
    (r, c) => (c === 4 ? 'green' : c === 3 && rowsData[r]![3] ? 'yellow' : undefined),
  );
  return { fixed: [selector, pct, table.header], body: table.rows };
}
