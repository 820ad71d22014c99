/**
 * Two traces side by side: totals, per-op latency and time, and the files whose cost changed.
 * Red means B is worse (slower, more errors, more time), green means better.
 */
import type { Delta } from '../../analyze/types.js';
import { formatBytes, formatCount, formatDuration, formatRatio, truncateLeft, wrapText } from '../format.js';
import { BLANK, plain, tableLines, title, type Line, type ViewContent } from '../lines.js';
import type { ViewContext } from './context.js';

/** A cost went up by more than 5%: red; down by more than 5%: green. */
export function costColor(d: Delta): string | undefined {
  if (d.a === 0 && d.b === 0) return undefined;
  if (d.a === 0) return 'red';
  const r = d.b / d.a;
  if (r > 1.05) return 'red';
  if (r < 0.95) return 'green';
  return undefined;
}

function ratio(d: Delta): string {
  return formatRatio(d.a, d.b);
}

export function renderDiff(ctx: ViewContext): ViewContent {
  const diff = ctx.diff;
  const { width } = ctx;
  if (!diff) return { fixed: [plain('open two traces to compare them', { dim: true })], body: [] };
  const [la = 'A', lb = 'B'] = ctx.labels;
  const labelWidth = Math.max(8, Math.floor((width - 8) / 2));
  const fixed: Line[] = [
    [
      { text: 'A ', bold: true },
      { text: truncateLeft(la, labelWidth), color: 'cyan' },
      { text: '   B ', bold: true },
      { text: truncateLeft(lb, labelWidth), color: 'cyan' },
    ],
  ];
  const body: Line[] = [];
  const t = diff.totals;
  const totals: [string, Delta, (v: number) => string, boolean][] = [
    ['calls', t.calls, (v) => formatCount(v), false],
    ['span', t.spanNs, formatDuration, true],
    ['I/O time', t.ioTimeNs, formatDuration, true],
    ['bytes read', t.bytesRead, formatBytes, false],
    ['bytes written', t.bytesWritten, formatBytes, false],
    ['errors', t.errors, (v) => formatCount(v), true],
    ['fault cost', t.faultCostNs, formatDuration, true],
  ];
  const totalsTable = tableLines(
    [
      { header: 'total' },
      { header: 'A', align: 'right' },
      { header: 'B', align: 'right' },
      { header: 'B/A', align: 'right' },
    ],
    totals.map(([name, d, fmt]) => [name, fmt(d.a), fmt(d.b), ratio(d)]),
    width,
    (r, c) => (c === 3 && totals[r]![3] ? costColor(totals[r]![1]) : undefined),
  );
  body.push(totalsTable.header, ...totalsTable.rows);
  if (diff.summary.length) {
    body.push(BLANK, title('What changed'));
    for (const s of diff.summary)
      wrapText(s, width - 2).forEach((part, i) => body.push(plain(`${i ? '  ' : '• '}${part}`)));
  }
  body.push(BLANK);
  const ops = diff.ops;
  const opsTable = tableLines(
    [
      { header: 'op', flex: true, minWidth: 6 },
      { header: 'calls A', align: 'right', priority: 6 },
      { header: 'calls B', align: 'right', priority: 6 },
      { header: 'p50 A', align: 'right', priority: 7 },
      { header: 'p50 B', align: 'right', priority: 7 },
      { header: 'p99 A', align: 'right' },
      { header: 'p99 B', align: 'right' },
      { header: 'p99', align: 'right' },
      { header: 'time', align: 'right' },
      { header: 'err', align: 'right', priority: 6 },
    ],
    ops.map((o) => [
      o.op,
      formatCount(o.count.a),
      formatCount(o.count.b),
      // An op absent on one side has no latency there: "-", not "0 ns".
      o.count.a > 0 ? formatDuration(o.p50Ns.a) : '-',
      o.count.b > 0 ? formatDuration(o.p50Ns.b) : '-',
      o.count.a > 0 ? formatDuration(o.p99Ns.a) : '-',
      o.count.b > 0 ? formatDuration(o.p99Ns.b) : '-',
      ratio(o.p99Ns),
      ratio(o.totalTimeNs),
      o.errors.delta === 0 ? '=' : `${o.errors.delta > 0 ? '+' : ''}${formatCount(o.errors.delta)}`,
    ]),
    width,
    (r, c) => {
      const o = ops[r];
      if (!o) return undefined;
      if (c === 7) return costColor(o.p99Ns);
      if (c === 8) return costColor(o.totalTimeNs);
      if (c === 9) return costColor(o.errors);
      return undefined;
    },
  );
  body.push(opsTable.header, ...opsTable.rows);
  if (diff.files.length) {
    body.push(BLANK);
    const files = diff.files;
    const filesTable = tableLines(
      [
        { header: 'file', flex: true, truncate: 'left', minWidth: 16 },
        { header: 'time A', align: 'right' },
        { header: 'time B', align: 'right' },
        { header: 'B/A', align: 'right' },
        { header: 'ops B/A', align: 'right', priority: 7 },
      ],
      files.map((f) => [
        f.path,
        formatDuration(f.timeNs.a),
        formatDuration(f.timeNs.b),
        ratio(f.timeNs),
        ratio(f.ops),
      ]),
      width,
      (r, c) => (c === 3 && files[r] ? costColor(files[r].timeNs) : c === 0 ? 'cyan' : undefined),
    );
    body.push(filesTable.header, ...filesTable.rows);
  }
  if (diff.errors.length) {
    body.push(BLANK, title('Errors that changed'));
    for (const e of diff.errors) {
      body.push([
        { text: `  ${e.op} ${e.errno}: ${formatCount(e.a)} → ` },
        { text: formatCount(e.b), color: e.b > e.a ? 'red' : 'green' },
      ]);
    }
  }
  const findings: [string, string[], string][] = [
    ['Only in A', diff.findingsOnlyInA, 'green'],
    ['Only in B', diff.findingsOnlyInB, 'red'],
  ];
  for (const [name, list, color] of findings) {
    if (!list.length) continue;
    body.push(BLANK, title(`Findings ${name.toLowerCase()}`));
    for (const s of list)
      wrapText(s, width - 2).forEach((part, i) => body.push(plain(`${i ? '  ' : '• '}${part}`, { color })));
  }
  return { fixed, body };
}
