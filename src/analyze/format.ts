/** Plain-text rendering of reports and diffs for terminals (default 100 columns). */
import type { Delta, HotEntry, Report, ReportDiff, TimelineBucket } from './types.js';
import { formatBytes, formatCount, formatDuration, formatShare } from './units.js';

export const DEFAULT_WIDTH = 100;

interface ColumnSpec {
  title: string;
  align?: 'left' | 'right';
  /** The one flexible column takes the width left over and truncates its cells. */
  flex?: boolean;
}

/** Shortens text to `width` by cutting the middle (paths keep their start and file name). */
export function truncateMiddle(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, width);
  const keepEnd = Math.ceil((width - 1) * 0.6);
  const keepStart = width - 1 - keepEnd;
  return `${text.slice(0, keepStart)}…${text.slice(text.length - keepEnd)}`;
}

export function table(columns: ColumnSpec[], rows: string[][], width: number, indent = '  '): string[] {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] ?? '').length)));
  const flex = columns.findIndex((c) => c.flex);
  const total = () => indent.length + widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1);
  if (flex >= 0 && total() > width) widths[flex] = Math.max(8, widths[flex]! - (total() - width));
  const render = (cells: string[]) =>
    indent +
    cells
      .map((cell, i) => {
        const w = widths[i]!;
        const text = truncateMiddle(cell, w);
        return columns[i]!.align === 'right' ? text.padStart(w) : text.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [render(columns.map((c) => c.title)), ...rows.map((r) => render(r))];
}

/** Word-wraps `text` to `width` columns with the given first-line and continuation indents. */
export function wrap(text: string, width: number, indent: string, hanging: string): string[] {
  const lines: string[] = [];
  let line = indent;
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = hanging;
      empty = true;
    }
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  lines.push(line);
  return lines.map((l) => truncateMiddle(l, width));
}

const SPARK = ' ▁▂▃▄▅▆▇█';

/** One row of block characters, max-downsampled to `width` cells. */
export function sparkline(values: number[], width: number): string {
  if (values.length === 0 || width <= 0) return '';
  const cells = Math.min(width, values.length);
  const sampled: number[] = [];
  for (let c = 0; c < cells; c++) {
    const from = Math.floor((c * values.length) / cells);
    const to = Math.max(from + 1, Math.floor(((c + 1) * values.length) / cells));
    let max = 0;
    for (let i = from; i < to; i++) max = Math.max(max, values[i]!);
    sampled.push(max);
  }
  const peak = Math.max(...sampled);
  return sampled
    .map((v) =>
      peak <= 0 || v <= 0 ? SPARK[0]! : SPARK[Math.max(1, Math.round((v / peak) * (SPARK.length - 1)))]!,
    )
    .join('');
}

function section(title: string): string {
  return `\n${title}`;
}

function hotRows(entries: HotEntry[]): string[][] {
  return entries.map((e) => [
    e.path,
    formatCount(e.ops),
    formatBytes(e.bytes),
    formatDuration(e.timeNs),
    formatShare(e.shareOfTime),
    e.errors ? formatCount(e.errors) : '',
  ]);
}

const HOT_COLUMNS: ColumnSpec[] = [
  { title: 'path', flex: true },
  { title: 'calls', align: 'right' },
  { title: 'bytes', align: 'right' },
  { title: 'time', align: 'right' },
  { title: 'share', align: 'right' },
  { title: 'errors', align: 'right' },
];

function timelineLines(buckets: TimelineBucket[], bucketNs: number, width: number): string[] {
  const label = 18;
  const chart = Math.max(10, width - label - 2 - 14);
  const peak = (pick: (b: TimelineBucket) => number) => Math.max(0, ...buckets.map(pick));
  const line = (name: string, pick: (b: TimelineBucket) => number, fmt: (v: number) => string) =>
    `  ${name.padEnd(label)}${sparkline(buckets.map(pick), chart)}  max ${fmt(peak(pick))}`;
  return [
    `  ${buckets.length} buckets of ${formatDuration(bucketNs)}`,
    line(
      'calls/s',
      (b) => b.opsPerSec,
      (v) => formatCount(v),
    ),
    line('read/s', (b) => b.readBytesPerSec, formatBytes),
    line('written/s', (b) => b.writeBytesPerSec, formatBytes),
    line('p99 latency', (b) => b.p99Ns, formatDuration),
    line(
      'in flight',
      (b) => b.maxConcurrency,
      (v) => formatCount(v),
    ),
    line(
      'errors',
      (b) => b.errors,
      (v) => formatCount(v),
    ),
  ];
}

function describeFilter(report: Report): string | null {
  const f = report.meta.filter;
  const parts: string[] = [];
  if (f.ops) parts.push(`ops ${f.ops.join(',')}`);
  if (f.pathGlob) parts.push(`path ${f.pathGlob}`);
  if (f.pids) parts.push(`pid ${f.pids.join(',')}`);
  if (f.fromNs !== null) parts.push(`from ${formatDuration(f.fromNs)}`);
  if (f.toNs !== null) parts.push(`to ${formatDuration(f.toNs)}`);
  return parts.length ? parts.join(', ') : null;
}

export function formatReportText(report: Report, width = DEFAULT_WIDTH): string {
  const out: string[] = [];
  const t = report.totals;
  const title = report.meta.source ? `Trace ${report.meta.source}` : 'Trace';
  out.push(truncateMiddle(title, width));
  const filter = describeFilter(report);
  if (filter) out.push(`  filter: ${filter} (${formatCount(t.rows)} of ${formatCount(t.rowsScanned)} rows)`);
  out.push(
    `  ${formatCount(t.calls)} calls over ${formatDuration(t.spanNs)}, I/O time ${formatDuration(t.ioTimeNs)}, ` +
      `read ${formatBytes(t.bytesRead)}, written ${formatBytes(t.bytesWritten)}, ` +
      `${formatCount(t.errors - t.kernelRoutineErrors)} errors` +
      (t.kernelRoutineErrors ? ` (+${formatCount(t.kernelRoutineErrors)} routine kernel answers)` : '') +
      (t.markers ? `, ${formatCount(t.markers)} markers` : ''),
  );
  if (report.meta.engine === 'sql')
    out.push(
      ...wrap(
        'engine: sql (DuckDB; no concurrency per bucket, access patterns or write-pattern findings: --engine stream has them)',
        width,
        '  ',
        '    ',
      ),
    );
  if (t.calls === 0) {
    out.push('  (no calls to analyze)');
    return out.join('\n') + '\n';
  }

  out.push(section('Findings'));
  if (report.bottlenecks.length === 0) out.push('  nothing stands out (see thresholds in the docs)');
  report.findings.forEach((f, i) => {
    if (i > 0 && !f.actionable && report.findings[i - 1]!.actionable) out.push('  Observations');
    out.push(...wrap(`${i + 1}. ${f.text}`, width, '  ', '     '));
    for (const e of f.evidence) out.push(...wrap(`- ${e}`, width, '     ', '       '));
    out.push(...wrap(`next: ${f.nextStep}`, width, '     ', '       '));
  });
  if (report.kernelRoutine.length) {
    out.push(section("Kernel's routine requests (not application calls)"));
    out.push(
      ...table(
        [
          { title: 'kind' },
          { title: 'calls', align: 'right' },
          { title: 'answered', align: 'right' },
          { title: 'time', align: 'right' },
          { title: 'what', flex: true },
        ],
        report.kernelRoutine.map((k) => [
          k.kind,
          formatCount(k.calls),
          Object.entries(k.errorsByErrno)
            .map(([n, c]) => `${n} ${formatCount(c)}`)
            .join(' '),
          formatDuration(k.timeNs),
          k.description,
        ]),
        width,
      ),
    );
  }

  if (report.sources.length > 1) {
    out.push(section(`Sources (${report.sources.length} traces, aligned on wall-clock time)`));
    out.push(
      ...table(
        [
          { title: 'source', flex: true },
          { title: 'host' },
          { title: 'calls', align: 'right' },
          { title: 'bytes', align: 'right' },
          { title: 'time', align: 'right' },
          { title: 'share', align: 'right' },
          { title: 'errors', align: 'right' },
          { title: 'offset', align: 'right' },
        ],
        report.sources.map((src) => [
          src.label,
          src.hostname ?? '',
          formatCount(src.calls),
          formatBytes(src.bytes),
          formatDuration(src.timeNs),
          formatShare(src.shareOfTime),
          src.errors ? formatCount(src.errors) : '',
          formatDuration(src.offsetNs),
        ]),
        width,
      ),
    );
  }

  out.push(section('Operations'));
  out.push(
    ...table(
      [
        { title: 'op' },
        { title: 'calls', align: 'right' },
        { title: 'errors', align: 'right' },
        { title: 'bytes', align: 'right' },
        { title: 'time', align: 'right' },
        { title: 'share', align: 'right' },
        { title: 'mean', align: 'right' },
        { title: 'p50', align: 'right' },
        { title: 'p99', align: 'right' },
        { title: 'p99.9', align: 'right' },
        { title: 'max', align: 'right' },
      ],
      report.ops.map((o) => [
        o.op,
        formatCount(o.count),
        o.errors ? formatCount(o.errors) : '',
        o.bytes ? formatBytes(o.bytes) : '',
        formatDuration(o.totalTimeNs),
        formatShare(o.shareOfTime),
        formatDuration(o.latency.meanNs),
        formatDuration(o.latency.p50Ns),
        formatDuration(o.latency.p99Ns),
        formatDuration(o.latency.p999Ns),
        formatDuration(o.latency.maxNs),
      ]),
      width,
    ),
  );

  out.push(section('Timeline'));
  out.push(...timelineLines(report.timeline.buckets, report.timeline.bucketNs, width));

  out.push(section('Hot files (by time)'));
  out.push(...table(HOT_COLUMNS, hotRows(report.hotFiles.byTime), width));
  out.push(section('Hot directories (by time)'));
  out.push(...table(HOT_COLUMNS, hotRows(report.hotDirectories.byTime), width));

  if (report.accessPatterns.length) {
    out.push(section('Access patterns'));
    out.push(
      ...table(
        [
          { title: 'path', flex: true },
          { title: 'reads', align: 'right' },
          { title: 'writes', align: 'right' },
          { title: 'seq', align: 'right' },
          { title: 'pattern' },
          { title: 'common sizes' },
        ],
        report.accessPatterns.map((p) => [
          p.path,
          formatCount(p.reads),
          formatCount(p.writes),
          formatShare(p.sequentialFraction),
          // A WAL's writes look random by offset; its write pattern says what it is.
          p.writePattern === 'log-rewrite'
            ? 'log-rewrite'
            : p.writePattern === 'append'
              ? 'append'
              : p.pattern,
          [...p.sizeHistogram]
            .sort((a, b) => b.count - a.count)
            .slice(0, 2)
            .map((s) => `${formatBytes(s.fromBytes)}+ ${formatShare(s.count / (p.reads + p.writes))}`)
            .join(' '),
        ]),
        width,
      ),
    );
  }

  out.push(section('Slowest calls'));
  out.push(
    ...table(
      [
        { title: 'start', align: 'right' },
        { title: 'duration', align: 'right' },
        { title: 'op' },
        { title: 'path', flex: true },
        { title: 'process' },
        { title: 'offset', align: 'right' },
        { title: 'size', align: 'right' },
        { title: 'result' },
      ],
      report.slowest.map((s) => [
        formatDuration(s.startNs),
        formatDuration(s.durationNs),
        s.op,
        s.path,
        `${s.comm ?? '?'} ${s.pid}`,
        s.offset === null ? '' : String(s.offset),
        s.size === null ? '' : formatBytes(s.size),
        (s.errno ? s.errnoName : 'ok') + (s.faultKind ? ` [${s.faultKind}]` : ''),
      ]),
      width,
    ),
  );

  out.push(section('Processes (by time in I/O)'));
  out.push(
    ...table(
      [
        { title: 'pid', align: 'right' },
        { title: 'command', flex: true },
        { title: 'uid', align: 'right' },
        { title: 'calls', align: 'right' },
        { title: 'read', align: 'right' },
        { title: 'written', align: 'right' },
        { title: 'time', align: 'right' },
        { title: 'share', align: 'right' },
        { title: 'errors', align: 'right' },
      ],
      report.processes.map((p) => [
        String(p.pid),
        p.comm ?? '?',
        String(p.uid),
        formatCount(p.ops),
        formatBytes(p.readBytes),
        formatBytes(p.writeBytes),
        formatDuration(p.timeNs),
        formatShare(p.shareOfTime),
        p.errors ? formatCount(p.errors) : '',
      ]),
      width,
    ),
  );

  const f = report.faults;
  if (f.rows > 0 || f.costNs > 0) {
    out.push(section('Faults and shaping'));
    const kv = (r: Record<string, number>) =>
      Object.entries(r)
        .map(([k, v]) => `${k} ${formatCount(v)}`)
        .join(', ') || '-';
    out.push(`  ${formatCount(f.rows)} rows touched by overlays; by kind: ${kv(f.byKind)}`);
    out.push(truncateMiddle(`  by errno: ${kv(f.byErrno)}; by op: ${kv(f.byOp)}`, width));
    out.push(
      `  cost ${formatDuration(f.costNs)} (${formatShare(f.shareOfTime)} of I/O time): ` +
        `delay ${formatDuration(f.injectedDelayNs)}, throttle wait ${formatDuration(f.throttleWaitNs)}`,
    );
    if (f.byPath.length) {
      out.push(
        truncateMiddle(
          `  top paths: ${f.byPath
            .slice(0, 5)
            .map((e) => `${e.key} ${formatCount(e.count)}`)
            .join(', ')}`,
          width,
        ),
      );
    }
  }
  return out.join('\n') + '\n';
}

function deltaCells(d: Delta, fmt: (v: number) => string): string[] {
  const ratio = d.ratio === null ? (d.b === 0 ? '' : 'new') : `${d.ratio.toFixed(2)}x`;
  return [fmt(d.a), fmt(d.b), ratio];
}

export function formatDiffText(d: ReportDiff, width = DEFAULT_WIDTH): string {
  const out: string[] = [];
  out.push(truncateMiddle(`Diff A=${d.a.source ?? '(a)'}  B=${d.b.source ?? '(b)'}`, width));
  out.push(section('Changes'));
  if (d.summary.length === 0) out.push('  no large changes (all within 1.25x)');
  for (const line of d.summary) out.push(truncateMiddle(`  - ${line}`, width));

  out.push(section('Totals'));
  const t = d.totals;
  out.push(
    ...table(
      [
        { title: '' },
        { title: 'A', align: 'right' },
        { title: 'B', align: 'right' },
        { title: 'B/A', align: 'right' },
      ],
      [
        ['calls', ...deltaCells(t.calls, formatCount)],
        ['span', ...deltaCells(t.spanNs, formatDuration)],
        ['I/O time', ...deltaCells(t.ioTimeNs, formatDuration)],
        ['read', ...deltaCells(t.bytesRead, formatBytes)],
        ['written', ...deltaCells(t.bytesWritten, formatBytes)],
        ['errors', ...deltaCells(t.errors, formatCount)],
        ['fault cost', ...deltaCells(t.faultCostNs, formatDuration)],
      ],
      width,
    ),
  );

  out.push(section('Operations (by change in time)'));
  out.push(
    ...table(
      [
        { title: 'op' },
        { title: 'calls A', align: 'right' },
        { title: 'calls B', align: 'right' },
        { title: 'time A', align: 'right' },
        { title: 'time B', align: 'right' },
        { title: 'p50 A', align: 'right' },
        { title: 'p50 B', align: 'right' },
        { title: 'p99 A', align: 'right' },
        { title: 'p99 B', align: 'right' },
        { title: 'p99 B/A', align: 'right' },
      ],
      d.ops.map((o) => [
        o.op,
        formatCount(o.count.a),
        formatCount(o.count.b),
        formatDuration(o.totalTimeNs.a),
        formatDuration(o.totalTimeNs.b),
        // An op absent on one side has no latency there: "-", not "0 ns".
        o.count.a > 0 ? formatDuration(o.p50Ns.a) : '-',
        o.count.b > 0 ? formatDuration(o.p50Ns.b) : '-',
        o.count.a > 0 ? formatDuration(o.p99Ns.a) : '-',
        o.count.b > 0 ? formatDuration(o.p99Ns.b) : '-',
        o.p99Ns.ratio === null ? '' : `${o.p99Ns.ratio.toFixed(2)}x`,
      ]),
      width,
    ),
  );

  if (d.files.length) {
    out.push(section('Files (by change in time)'));
    out.push(
      ...table(
        [
          { title: 'path', flex: true },
          { title: 'time A', align: 'right' },
          { title: 'time B', align: 'right' },
          { title: 'calls A', align: 'right' },
          { title: 'calls B', align: 'right' },
        ],
        d.files
          .slice(0, 20)
          .map((f) => [
            f.path,
            formatDuration(f.timeNs.a),
            formatDuration(f.timeNs.b),
            formatCount(f.ops.a),
            formatCount(f.ops.b),
          ]),
        width,
      ),
    );
  }
  if (d.errors.length) {
    out.push(section('Errors'));
    for (const e of d.errors) out.push(`  ${e.op} ${e.errno}: ${formatCount(e.a)} -> ${formatCount(e.b)}`);
  }
  if (d.findingsOnlyInA.length || d.findingsOnlyInB.length) {
    out.push(section('Findings'));
    for (const f of d.findingsOnlyInA) out.push(truncateMiddle(`  only in A: ${f}`, width));
    for (const f of d.findingsOnlyInB) out.push(truncateMiddle(`  only in B: ${f}`, width));
  }
  return out.join('\n') + '\n';
}
