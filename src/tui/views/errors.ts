/** Errors callers saw (by op and errno, injected or not) and what the fault overlays did. */
import type { Report } from '../../analyze/types.js';
import { formatCount, formatDuration, formatPercent, wrapText } from '../format.js';
import { BLANK, plain, tableLines, title, type Line, type ViewContent } from '../lines.js';
import type { ViewContext } from './context.js';

function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${formatCount(n)}`)
    .join(', ');
}

function errorRows(report: Report): string[][] {
  const rows: { op: string; errno: string; count: number; injected: number }[] = [];
  for (const o of report.ops) {
    for (const [errno, count] of Object.entries(o.errorsByErrno)) {
      rows.push({ op: o.op, errno, count, injected: o.injectedErrorsByErrno[errno] ?? 0 });
    }
  }
  rows.sort((a, b) => b.count - a.count);
  return rows.map((r) => [
    r.op,
    r.errno,
    formatCount(r.count),
    r.injected ? formatCount(r.injected) : '-',
    formatPercent(r.count / Math.max(1, report.ops.find((o) => o.op === r.op)?.count ?? 1)),
  ]);
}

export function renderErrors(ctx: ViewContext): ViewContent {
  const report = ctx.reports[0]!;
  const { width } = ctx;
  const f = report.faults;
  const body: Line[] = [];
  const rows = errorRows(report);
  const headline: Line = [
    { text: 'Errors ', bold: true },
    {
      text: `${formatCount(report.totals.errors)} of ${formatCount(report.totals.calls)} calls failed`,
      color: report.totals.errors ? 'red' : 'green',
    },
  ];
  if (rows.length) {
    const table = tableLines(
      [
        { header: 'op', flex: true, minWidth: 6 },
        { header: 'errno' },
        { header: 'calls', align: 'right' },
        { header: 'injected', align: 'right' },
        { header: 'of op', align: 'right' },
      ],
      rows,
      Math.min(width, 60),
      (_r, c) => (c === 1 ? 'red' : c === 3 ? 'magenta' : undefined),
    );
    body.push(table.header, ...table.rows);
  } else {
    body.push(plain('  no failed calls', { dim: true }));
  }
  body.push(BLANK, title('Faults and shaping (overlays)'));
  if (f.rows === 0 && f.throttleWaitNs === 0) {
    body.push(plain('  no overlay touched these calls', { dim: true }));
  } else {
    const facts: string[] = [
      `${formatCount(f.rows)} rows carry a fault: ${countsText(f.byKind) || 'none'}`,
      `injected errno: ${countsText(f.byErrno) || 'none'}`,
      `by op: ${countsText(f.byOp) || 'none'}`,
      `time added: ${formatDuration(f.costNs)} = ${formatPercent(f.shareOfTime)} of I/O time (delays ${formatDuration(f.injectedDelayNs)}, throttling ${formatDuration(f.throttleWaitNs)})`,
    ];
    for (const fact of facts)
      wrapText(fact, width - 2).forEach((part, i) => body.push(plain(`${i ? '  ' : '• '}${part}`)));
    if (f.byPath.length) {
      body.push(BLANK);
      const table = tableLines(
        [
          { header: 'faulted path', flex: true, truncate: 'left', minWidth: 16 },
          { header: 'rows', align: 'right' },
        ],
        f.byPath.map((e) => [e.key, formatCount(e.count)]),
        width,
        (_r, c) => (c === 0 ? 'cyan' : undefined),
      );
      body.push(table.header, ...table.rows);
    }
  }
  if (report.totals.markers > 0) {
    body.push(BLANK, title(`Markers (${formatCount(report.totals.markers)})`));
    for (const m of report.markers.slice(0, 50)) {
      body.push(
        plain(`  ${formatDuration(m.startNs).padStart(8)}  ${m.path}${m.path2 ? ` → ${m.path2}` : ''}`, {
          dim: true,
        }),
      );
    }
  }
  return { fixed: [headline], body };
}
