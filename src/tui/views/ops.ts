/** Per-op table: how often, how much data, how slow (percentiles) and how often it failed. */
import { formatBytes, formatCount, formatDuration, formatPercent } from '../format.js';
import { plain, tableLines, type ViewContent } from '../lines.js';
import type { ViewContext } from './context.js';

export function renderOps(ctx: ViewContext): ViewContent {
  const report = ctx.reports[0]!;
  const ops = report.ops;
  const table = tableLines(
    [
      { header: 'op', flex: true, minWidth: 7 },
      { header: 'count', align: 'right' },
      { header: 'bytes', align: 'right', priority: 4 },
      { header: 'p50', align: 'right' },
      { header: 'p90', align: 'right', priority: 6 },
      { header: 'p99', align: 'right' },
      { header: 'p99.9', align: 'right', priority: 6 },
      { header: 'max', align: 'right' },
      { header: 'errors', align: 'right' },
      { header: 'time%', align: 'right', priority: 7 },
    ],
    ops.map((o) => [
      o.latency.exact ? o.op : `${o.op}~`,
      formatCount(o.count),
      o.bytes > 0 ? formatBytes(o.bytes) : '-',
      formatDuration(o.latency.p50Ns),
      formatDuration(o.latency.p90Ns),
      formatDuration(o.latency.p99Ns),
      formatDuration(o.latency.p999Ns),
      formatDuration(o.latency.maxNs),
      o.errors > 0 ? formatCount(o.errors) : '-',
      formatPercent(o.shareOfTime),
    ]),
    ctx.width,
    (r, c) =>
      c === 8 && (ops[r]?.errors ?? 0) > 0 ? 'red' : c === 5 || c === 6 || c === 7 ? 'yellow' : undefined,
  );
  const approx = ops.some((o) => !o.latency.exact);
  const note = approx
    ? plain(
        `percentiles within ±${formatPercent(report.meta.relativeErrorBound)} (sketch) for ops marked ~`,
        { dim: true },
      )
    : plain('percentiles exact (nearest rank)', { dim: true });
  return {
    fixed: [note, table.header],
    body: table.rows.length ? table.rows : [plain('no calls match the filter', { dim: true })],
    targets: ops.map((o) => ({ ops: [o.op] })),
  };
}
