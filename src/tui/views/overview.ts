/** Overview: totals, the bottleneck findings in plain words, and the ops that cost the most time. */
import type { Report } from '../../analyze/types.js';
import { hbar, sparkline } from '../charts.js';
import {
  formatByteRate,
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  wrapText,
} from '../format.js';
import { BLANK, plain, tableLines, title, type Line, type Segment, type ViewContent } from '../lines.js';
import type { ViewContext } from './context.js';

function kv(label: string, value: string, color?: string): Segment[] {
  return [
    { text: `${label} `, dim: true },
    color ? { text: value, color, bold: true } : { text: value, bold: true },
  ];
}

function joinFitting(parts: Segment[][], width: number): Line[] {
  // Lays "label value" pairs out left to right, starting a new line when the next would overflow.
  const lines: Line[] = [];
  let current: Segment[] = [];
  let used = 0;
  for (const part of parts) {
    const len = part.reduce((a, s) => a + [...s.text].length, 0);
    const sep = current.length ? 3 : 0;
    if (current.length && used + sep + len > width) {
      lines.push(current);
      current = [];
      used = 0;
    }
    if (current.length) current.push({ text: '   ' });
    current.push(...part);
    used += (current.length > part.length ? 3 : 0) + len;
  }
  if (current.length) lines.push(current);
  return lines;
}

export function summaryLines(report: Report, width: number): Line[] {
  const t = report.totals;
  const seconds = t.spanNs / 1e9;
  const perSec = (n: number): number => (seconds > 0 ? n / seconds : 0);
  // The kernel's routine requests (kernel-routine.ts) are not application errors: shown apart.
  const routineErrors = t.kernelRoutineErrors ?? 0;
  const appErrors = t.errors - routineErrors;
  const errorShare = t.calls > 0 ? appErrors / t.calls : 0;
  const parts: Segment[][] = [
    kv('calls', formatCount(t.calls)),
    kv('span', formatDuration(t.spanNs)),
    kv('I/O time', formatDuration(t.ioTimeNs)),
    kv('IOPS', formatRate(perSec(t.calls))),
    kv('read', `${formatBytes(t.bytesRead)} (${formatByteRate(perSec(t.bytesRead))})`),
    kv('written', `${formatBytes(t.bytesWritten)} (${formatByteRate(perSec(t.bytesWritten))})`),
    kv('errors', `${formatCount(appErrors)} (${formatPercent(errorShare)})`, appErrors > 0 ? 'red' : 'green'),
  ];
  if (routineErrors > 0) parts.push(kv('kernel routine answers', formatCount(routineErrors)));
  if (report.faults.rows > 0) {
    parts.push(
      kv(
        'faults',
        `${formatCount(report.faults.rows)} rows, cost ${formatDuration(report.faults.costNs)} (${formatPercent(report.faults.shareOfTime)} of I/O)`,
        'yellow',
      ),
    );
  }
  if (t.rowsScanned !== t.rows)
    parts.push(kv('filter kept', `${formatCount(t.rows)} of ${formatCount(t.rowsScanned)} rows`, 'cyan'));
  return joinFitting(parts, width);
}

/** One-row IOPS sparkline over the trace: where the activity is, at a glance. */
function activityLine(report: Report, width: number): Line[] {
  const buckets = report.timeline.buckets;
  if (buckets.length === 0) return [];
  const label = 'activity ';
  const peak = `  peak ${formatRate(Math.max(...buckets.map((b) => b.opsPerSec)))}`;
  const room = width - label.length - peak.length;
  if (room < 10) return [];
  return [
    [
      { text: label, dim: true },
      {
        text: sparkline(
          buckets.map((b) => b.opsPerSec),
          room,
        ),
        color: 'cyan',
      },
      { text: peak, dim: true },
    ],
  ];
}

export function renderOverview(ctx: ViewContext): ViewContent {
  const report = ctx.reports[0]!;
  const { width } = ctx;
  const fixed = [...summaryLines(report, width), ...activityLine(report, width)];
  const body: Line[] = [BLANK, title('Bottlenecks')];
  if (report.bottlenecks.length === 0)
    body.push(plain("  no findings: nothing here crosses the analyzer's thresholds", { dim: true }));
  // Bottlenecks (actionable) in yellow with their next step; observations after them, dimmed.
  const findings = report.findings.slice(0, 6);
  findings.forEach((f, n) => {
    if (!f.actionable && (n === 0 || findings[n - 1]!.actionable)) body.push(title('Observations'));
    wrapText(f.text, width - 2).forEach((part, i) =>
      body.push(plain(`${i === 0 ? '• ' : '  '}${part}`, f.actionable ? { color: 'yellow' } : { dim: true })),
    );
    // The top bottleneck's next step only: the op table must stay on an 80x24 screen.
    if (n === 0 && f.actionable && f.nextStep)
      wrapText(`→ ${f.nextStep}`, width - 4).forEach((part) =>
        body.push(plain(`    ${part}`, { dim: true })),
      );
  });
  body.push(BLANK, title('Top ops by time'));
  const ops = report.ops.slice(0, 10);
  const barWidth = Math.max(4, Math.min(20, width - 56));
  const table = tableLines(
    [
      { header: 'op', minWidth: 6, flex: true },
      { header: 'calls', align: 'right' },
      { header: 'time', align: 'right' },
      { header: 'share', align: 'right' },
      { header: 'p50', align: 'right', priority: 6 },
      { header: 'p99', align: 'right' },
      { header: 'errors', align: 'right', priority: 7 },
      { header: '', priority: 8 },
    ],
    ops.map((o) => [
      o.op,
      formatCount(o.count),
      formatDuration(o.totalTimeNs),
      formatPercent(o.shareOfTime),
      formatDuration(o.latency.p50Ns),
      formatDuration(o.latency.p99Ns),
      formatCount(o.errors),
      hbar(o.shareOfTime, 1, barWidth),
    ]),
    width,
    (r, c) => (c === 6 && (ops[r]?.errors ?? 0) > 0 ? 'red' : c === 7 ? 'green' : undefined),
  );
  body.push(table.header, ...table.rows);
  if (ops.length === 0) body.push(plain('  no calls match', { dim: true }));
  return { fixed, body };
}
