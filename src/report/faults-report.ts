/**
 * `interposer faults ... --html`: the injected faults of a run on its timeline (one row per
 * rule), per rule and per process that saw them; with the run's trace, its throughput and IOPS
 * with the faults marked, and the log-vs-trace cross-check.
 */
import { formatBytes, formatCount, formatDuration } from '../analyze/units.js';
import { kindMismatches, type FaultLogContents, type FaultReport } from '../overlay/fault-report.js';
import { stackedBars } from './charts/bars.js';
import { gridChart, gridScaleLegend } from './charts/grid.js';
import type { TraceAggregates } from './collect.js';
import { faultTimeline } from './fault-timeline.js';
import { renderPage } from './page.js';
import { cards, esc, figure, section, table, type Cell } from './views/html.js';
import { throughputSection } from './views/trace.js';

const joinCounts = (items: { key: string; count: number }[]) =>
  items.map((c) => `${c.key} ${formatCount(c.count)}`).join(', ');

function summary(report: FaultReport, contents: FaultLogContents): string {
  const body = cards([
    { value: formatCount(report.total), label: 'ops affected', bad: report.total > 0 },
    { value: formatCount(report.byRule.length), label: 'rules that fired' },
    { value: formatDuration(report.spanNs), label: 'from first to last fault' },
    { value: formatCount(report.byProcess.length), label: 'processes hit' },
    { value: formatBytes(report.corruptedBytes), label: 'bytes corrupted' },
    {
      value: formatCount(contents.skipped.length),
      label: 'unreadable log lines',
      bad: contents.skipped.length > 0,
    },
  ]);
  const lines = [
    report.byKind.length ? `By kind: ${joinCounts(report.byKind)}.` : '',
    report.byErrno.length ? `Errnos returned: ${joinCounts(report.byErrno)}.` : '',
    report.bySignal.length ? `Signals sent: ${joinCounts(report.bySignal)}.` : '',
    report.byOp.length ? `Ops: ${joinCounts(report.byOp)}.` : '',
    report.firstTime ? `Wall clock: ${report.firstTime} to ${report.lastTime}.` : '',
  ].filter(Boolean);
  return section(
    'summary',
    'Summary',
    body + `<ul class="findings">${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`,
  );
}

function timeline(contents: FaultLogContents, trace: TraceAggregates | null): string {
  const from = trace ? trace.report.totals.firstStartNs : undefined;
  const to = trace ? trace.report.totals.lastEndNs : undefined;
  const t = faultTimeline(contents.records, from, to);
  let max = 0;
  for (const c of t.counts) for (const v of c) max = Math.max(max, v);
  const chart = gridChart(
    'faults per rule over time',
    {
      originNs: t.originNs,
      columnNs: t.columnNs,
      counts: t.counts,
      rowLabels: t.rules,
      rowTitle: (r) => t.rules[r]!,
      fromNs: t.originNs,
    },
    Math.max(18, Math.min(36, 240 / Math.max(1, t.rules.length))),
  );
  const rows: Cell[][] = [];
  t.counts.forEach((c, i) => {
    if (c.every((v) => v === 0)) return;
    rows.push([formatDuration(t.originNs + i * t.columnNs), ...c.map((v) => (v ? formatCount(v) : ''))]);
  });
  return section(
    'timeline',
    'Faults on the timeline',
    `<p class="sub">One row per rule; columns of ${formatDuration(t.columnNs)} on the capture clock${trace ? " (the trace's span)" : ''}. Colour: log of the ops affected.</p>` +
      figure({ chart, legend: gridScaleLegend(max), numbers: table(['column start', ...t.rules], rows, 0) }),
  );
}

function rules(report: FaultReport): string {
  const chart = stackedBars(
    'ops affected per rule',
    report.byRule.map((r) => ({
      label: `${r.rule} (${r.kind})`,
      segments: [{ value: r.count, slot: 3, name: 'ops affected' }],
      note: r.detail,
    })),
    formatCount,
  );
  const numbers = table(
    ['rule', 'kind', 'ops', 'detail', 'ops hit', 'first', 'last', 'delay total', 'max delay', 'corrupted'],
    report.byRule.map((r) => [
      r.rule,
      r.kind,
      formatCount(r.count),
      r.detail,
      joinCounts(r.ops),
      r.firstTime,
      r.lastTime,
      r.totalDelayNs ? formatDuration(r.totalDelayNs) : '',
      r.maxDelayNs ? formatDuration(r.maxDelayNs) : '',
      r.corruptedBytes ? formatBytes(r.corruptedBytes) : '',
    ]),
    2,
  );
  const paths = report.topPaths.length
    ? `<h3>Paths hit most</h3>${table(
        ['path', 'ops'],
        report.topPaths.map((p) => [p.key, formatCount(p.count)]),
      )}`
    : '';
  return section('rules', 'Per rule', figure({ chart, numbers }) + paths);
}

const KIND_SLOTS: Record<string, number> = {
  errno: 3,
  truncate: 1,
  delay: 4,
  corrupt: 7,
  throttle: 5,
  signal: 6,
  drop: 2,
};

function processes(report: FaultReport): string {
  const chart = stackedBars(
    'faults per process',
    report.byProcess.map((p) => ({
      label: `${p.comm ?? '?'} (${p.pid})`,
      segments: p.kinds.map((k) => ({ value: k.count, slot: KIND_SLOTS[k.key] ?? 0, name: k.key })),
      note: [joinCounts(p.errnos), joinCounts(p.signals)].filter(Boolean).join('; '),
    })),
    formatCount,
  );
  const kinds = [...new Set(report.byProcess.flatMap((p) => p.kinds.map((k) => k.key)))];
  const key = `<div class="legend">${kinds.map((k) => `<span class="key"><i class="swatch s${KIND_SLOTS[k] ?? 0}"></i>${esc(k)}</span>`).join('')}</div>`;
  const numbers = table(
    ['process', 'ops affected', 'kinds', 'errnos', 'signals'],
    report.byProcess.map((p) => [
      `${p.comm ?? '?'} (${p.pid})`,
      formatCount(p.count),
      joinCounts(p.kinds),
      joinCounts(p.errnos),
      joinCounts(p.signals),
    ]),
  );
  let joined = '';
  if (report.trace) {
    const t = report.trace;
    const mismatches = kindMismatches(report, t);
    joined =
      `<h3>What the trace recorded (${esc(t.tracePath)})</h3>` +
      table(
        ['process', 'kind', 'errno', 'op', 'rows'],
        t.processes.map((p) => [
          `${p.comm ?? '?'} (${p.pid})`,
          p.kind,
          p.errno ?? '',
          p.op,
          formatCount(p.count),
        ]),
      ) +
      (mismatches.length === 0
        ? '<p class="sub passed">The trace\'s fault columns agree with the log.</p>'
        : `<p class="failed">Log and trace disagree: ${esc(mismatches.map((m) => `${m.kind}: log ${m.log}, trace ${m.trace}`).join('; '))}</p>`);
  }
  return section(
    'processes',
    'Per process',
    figure({ caption: 'Ops affected per process, by kind', chart, legend: key, numbers }) + joined,
  );
}

export function faultsReportHtml(
  report: FaultReport,
  contents: FaultLogContents,
  trace: TraceAggregates | null,
  generatedAt = new Date(),
): string {
  const when = generatedAt.toISOString().replace('T', ' ').slice(0, 19);
  const nav: [string, string][] = [
    ['summary', 'Summary'],
    ['timeline', 'Timeline'],
    ...(trace ? ([['throughput', 'Throughput']] as [string, string][]) : []),
    ['rules', 'Per rule'],
    ['processes', 'Per process'],
  ];
  const body = [
    summary(report, contents),
    timeline(contents, trace),
    trace
      ? throughputSection(trace, 'throughput').replace(
          '<h2>Throughput and IOPS over time</h2>',
          `<h2>The run: ${esc(trace.name)}</h2>`,
        )
      : '',
    rules(report),
    processes(report),
  ].join('\n');
  return renderPage({
    title: `Injected faults: ${report.logPath}`,
    subtitle: `${esc(report.logPath)}${trace ? ` with ${esc(trace.path)}` : ''} · generated ${when} UTC`,
    nav,
    body,
    data: { faults: report, timeline: faultTimeline(contents.records) },
    generator: 'interposer faults',
  });
}
