/** The sections of one trace's report: summary, latency, throughput, heatmap, files, processes. */
import type { AccessPattern, Finding, HotEntry, Report, SizeBucket } from '../../analyze/index.js';
import { formatBytes, formatCount, formatDuration, formatShare } from '../../analyze/units.js';
import { stackedBars } from '../charts/bars.js';
import { gridChart, gridScaleLegend } from '../charts/grid.js';
import { latencyHistogram } from '../charts/histogram.js';
import { legend, timeSeries, type Series, type TimeMarker } from '../charts/lines.js';
import type { TraceAggregates } from '../collect.js';
import type { Heatmap } from '../heatmap.js';
import { splitErrors } from '../kernel-routine.js';
import { cards, esc, figure, section, table, type Cell } from './html.js';

/** Histograms drawn; further ops are in the table only. */
const MAX_HISTOGRAMS = 12;
/** A histogram of a handful of calls says nothing the table does not. */
const MIN_HISTOGRAM_CALLS = 10;
/** Overlay event lines drawn on time charts (beyond that they would hide the data). */
const MAX_EVENT_MARKERS = 60;
/** Fault-bearing buckets marked one by one; beyond that the faults/s series says it. */
const MAX_FAULT_MARKERS = 100;

const perSec = (format: (v: number) => string) => (v: number) => `${format(v)}/s`;
export const formatRate = (v: number): string =>
  v >= 100 ? formatCount(v) : String(Math.round(v * 10) / 10);
const formatBytesPerSec = perSec(formatBytes);

/** Where each finding's evidence is in the page. */
const EVIDENCE: Record<Finding['kind'], [string, string]> = {
  'dominant-io': ['files', 'top files and their access pattern'],
  'tail-latency': ['latency', 'latency per op'],
  contention: ['processes', 'processes'],
  errors: ['summary-errors', 'errors by op'],
  'fault-cost': ['throughput', 'faults on the timeline'],
  metadata: ['latency', 'time per op'],
  sync: ['latency', 'time per op'],
  'hot-file': ['files', 'top files'],
  'kernel-routine': ['summary-errors', 'errors by op (routine answers apart)'],
  'write-pattern': ['files', 'top files and their access pattern'],
};

export function summarySection(a: TraceAggregates, id: string): string {
  const r = a.report;
  const t = r.totals;
  const errors = splitErrors(r.ops);
  const body =
    cards([
      { value: formatDuration(t.spanNs), label: 'duration' },
      { value: formatCount(t.calls), label: 'calls' },
      { value: formatBytes(t.bytesRead), label: 'read' },
      { value: formatBytes(t.bytesWritten), label: 'written' },
      { value: formatDuration(t.ioTimeNs), label: 'time in I/O (sum of calls)' },
      { value: formatCount(errors.application), label: 'application errors', bad: errors.application > 0 },
      { value: formatCount(errors.routine), label: 'routine answers (ENOENT lookups, absent xattrs)' },
      { value: formatCount(r.faults.rows), label: 'calls with injected faults', bad: r.faults.rows > 0 },
    ]) +
    findingsList(r.findings, id) +
    errorTable(errors, `${id}-errors`);
  return section(id, 'Summary', body);
}

function findingsList(findings: Finding[], id: string): string {
  if (findings.length === 0) return '<h3>Findings</h3><p class="sub">No finding crossed its threshold.</p>';
  const prefix = id.replace(/summary$/, '');
  const items = findings.map((f) => {
    const [anchor, what] = EVIDENCE[f.kind];
    return `<li>${esc(f.text)} — <a href="#${esc(prefix + anchor)}">${esc(what)}</a></li>`;
  });
  return `<h3>Findings</h3><p class="sub">Most important first (by share of I/O time); thresholds in the README.</p><ul class="findings">${items.join('')}</ul>`;
}

function errorTable(errors: ReturnType<typeof splitErrors>, id: string): string {
  if (errors.entries.length === 0) return `<div id="${esc(id)}"></div>`;
  const rows: Cell[][] = errors.entries.map((e) => [
    e.op,
    e.errno,
    formatCount(e.count),
    e.injected > 0 ? formatCount(e.injected) : '',
    {
      html: e.routine ? '<span class="routine">routine answer</span>' : '<b>application error</b>',
      left: true,
    },
  ]);
  return `<h3 id="${esc(id)}">Errors by op</h3>${table(['op', 'errno', 'calls', 'injected', 'kind'], rows, 2)}`;
}

function percentileMarks(p: Report['ops'][number]['latency']) {
  return [
    { label: 'p50', valueNs: p.p50Ns },
    { label: 'p90', valueNs: p.p90Ns },
    { label: 'p99', valueNs: p.p99Ns },
    { label: 'p99.9', valueNs: p.p999Ns },
  ];
}

/** "p50 3.8 µs · p90 ..." in the marks' colours, under the histogram. */
function percentileLegend(p: Report['ops'][number]['latency']): string {
  const items = percentileMarks(p).map(
    (m, i) =>
      `<span class="key"><i class="swatch marker m${i}"></i>${m.label} ${esc(formatDuration(m.valueNs))}</span>`,
  );
  return `<div class="legend">${items.join('')}<span class="key">max ${esc(formatDuration(p.maxNs))}</span></div>`;
}

export function latencySection(a: TraceAggregates, id: string): string {
  const r = a.report;
  const histograms = new Map(r.latencyHistograms.map((h) => [h.op, h.buckets]));
  const drawn = r.ops.filter((o) => o.count >= MIN_HISTOGRAM_CALLS).slice(0, MAX_HISTOGRAMS);
  const figures = drawn.map((o) => {
    const l = o.latency;
    const buckets = histograms.get(o.op) ?? [];
    return figure({
      caption:
        `<b>${esc(o.op)}</b> — ${formatCount(o.count)} calls, ${formatShare(o.shareOfTime)} of I/O time` +
        (o.errors > 0 ? `, ${formatCount(o.errors)} errors` : ''),
      chart: latencyHistogram(`${o.op} latency histogram`, buckets, percentileMarks(l)),
      legend: percentileLegend(l),
      numbers: table(
        ['from', 'to', 'calls'],
        buckets.map((b) => [formatDuration(b.fromNs), formatDuration(b.toNs), formatCount(b.count)]),
        0,
      ),
    });
  });
  const summary = table(
    ['op', 'calls', 'errors', 'bytes', 'time', 'share', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max'],
    r.ops.map((o) => [
      o.op,
      formatCount(o.count),
      formatCount(o.errors),
      formatBytes(o.bytes),
      formatDuration(o.totalTimeNs),
      formatShare(o.shareOfTime),
      formatDuration(o.latency.meanNs),
      formatDuration(o.latency.p50Ns),
      formatDuration(o.latency.p90Ns),
      formatDuration(o.latency.p99Ns),
      formatDuration(o.latency.p999Ns),
      formatDuration(o.latency.maxNs),
    ]),
  );
  const others = r.ops.length - drawn.length;
  const more =
    others > 0
      ? ` ${others} op${others > 1 ? 's' : ''} with fewer calls (or beyond the first ${MAX_HISTOGRAMS}) only in the table.`
      : '';
  return section(
    id,
    'Latency per op',
    `<p class="sub">Log-scale histograms, ops by total time. Dashed lines: p50, p90, p99, p99.9.${more}</p>` +
      `<div class="small-multiples">${figures.join('')}</div>${summary}`,
  );
}

/** Overlay events and fault-bearing buckets of a trace, on its own capture-relative axis. */
export function timeMarkers(r: Report, offsetNs = 0): { markers: TimeMarker[]; hidden: number } {
  const events = r.markers.slice(0, MAX_EVENT_MARKERS).map<TimeMarker>((m) => ({
    tNs: m.startNs + offsetNs,
    kind: 'overlay',
    label: `${formatDuration(m.startNs)}: ${m.path}${m.path2 ? ` ${m.path2}` : ''}`,
  }));
  const faultBuckets = r.timeline.buckets.filter((b) => b.faults > 0);
  const faults =
    faultBuckets.length <= MAX_FAULT_MARKERS
      ? faultBuckets.map<TimeMarker>((b) => ({
          tNs: b.startNs + r.timeline.bucketNs / 2 + offsetNs,
          kind: 'fault',
          label: `${formatDuration(b.startNs)}: ${formatCount(b.faults)} calls with injected faults`,
        }))
      : [];
  return { markers: [...events, ...faults], hidden: r.markers.length - events.length };
}

export function timelineSeries(
  r: Report,
  offsetNs: number,
  field: 'readBytesPerSec' | 'writeBytesPerSec' | 'opsPerSec' | 'p99Ns',
  name: string,
  slot: number,
  dashed = false,
): Series {
  const tl = r.timeline;
  const buckets = field === 'p99Ns' ? tl.buckets.filter((b) => b.ops > 0) : tl.buckets;
  return {
    name,
    slot,
    dashed,
    bucketNs: tl.bucketNs,
    startsNs: buckets.map((b) => b.startNs + offsetNs),
    values: buckets.map((b) => b[field]),
  };
}

function markerLegend(markers: TimeMarker[], hidden: number): string[] {
  const out: string[] = [];
  if (markers.some((m) => m.kind === 'overlay'))
    out.push(
      `<span class="key"><i class="swatch marker overlay"></i>overlay event${hidden > 0 ? ` (first ${MAX_EVENT_MARKERS}; ${hidden} more in the table)` : ''}</span>`,
    );
  if (markers.some((m) => m.kind === 'fault'))
    out.push('<span class="key"><i class="swatch marker fault"></i>injected faults (bucket marks)</span>');
  return out;
}

export function throughputSection(a: TraceAggregates, id: string): string {
  const r = a.report;
  const tl = r.timeline;
  const { markers, hidden } = timeMarkers(r);
  const bytes = [
    timelineSeries(r, 0, 'readBytesPerSec', 'read', 0),
    timelineSeries(r, 0, 'writeBytesPerSec', 'write', 1),
  ];
  const ops: Series[] = [timelineSeries(r, 0, 'opsPerSec', 'all ops', 4)];
  const perSecond = 1e9 / tl.bucketNs;
  if (tl.buckets.some((b) => b.errors > 0))
    ops.push({
      ...ops[0]!,
      name: 'errors (routine answers included)',
      slot: 3,
      values: tl.buckets.map((b) => b.errors * perSecond),
    });
  if (tl.buckets.some((b) => b.faults > 0))
    ops.push({
      ...ops[0]!,
      name: 'injected faults',
      slot: 6,
      dashed: true,
      values: tl.buckets.map((b) => b.faults * perSecond),
    });
  const numbers = table(
    ['start', 'ops', 'ops/s', 'read/s', 'write/s', 'errors', 'faults', 'p50', 'p99', 'max in flight'],
    tl.buckets.map((b) => [
      formatDuration(b.startNs),
      formatCount(b.ops),
      formatRate(b.opsPerSec),
      formatBytesPerSec(b.readBytesPerSec),
      formatBytesPerSec(b.writeBytesPerSec),
      formatCount(b.errors),
      formatCount(b.faults),
      b.ops ? formatDuration(b.p50Ns) : '',
      b.ops ? formatDuration(b.p99Ns) : '',
      formatCount(b.maxConcurrency),
    ]),
    0,
  );
  const eventTable =
    r.markers.length === 0
      ? ''
      : `<details><summary>Overlay events (${formatCount(r.markers.length)})</summary>${table(
          ['time', 'event', 'details'],
          r.markers.map((m) => [formatDuration(m.startNs), m.path, m.path2 ?? '']),
        )}</details>`;
  const body =
    `<p class="sub">Buckets of ${formatDuration(tl.bucketNs)}; calls count in the bucket where they started.</p>` +
    figure({
      caption: 'Throughput (bytes per second)',
      chart: timeSeries(bytes, {
        label: 'throughput over time',
        yLabel: 'bytes/s',
        format: formatBytesPerSec,
        markers,
      }),
      legend: legend(bytes, markerLegend(markers, hidden)),
    }) +
    figure({
      caption: 'Operations per second (IOPS)',
      chart: timeSeries(ops, { label: 'IOPS over time', yLabel: 'ops/s', format: formatRate, markers }),
      legend: legend(ops, markerLegend(markers, hidden)),
      numbers,
    }) +
    eventTable;
  return section(id, 'Throughput and IOPS over time', body);
}

export function heatmapRowTitle(h: Heatmap): (row: number) => string {
  return (row) => `latency ${formatDuration(h.rowEdgesNs[row]!)} – ${formatDuration(h.rowEdgesNs[row + 1]!)}`;
}

export function heatmapSection(a: TraceAggregates, id: string): string {
  const h = a.heatmap;
  // Band edges are powers of two: labelled to two significant digits ("33 µs", not "32.8 µs").
  const labels = h.rowEdgesNs
    .slice(0, -1)
    .map((edge, i) => (i % 2 === 0 ? formatDuration(Number(edge.toPrecision(2))) : ''));
  const chart = gridChart('latency heatmap', {
    originNs: h.originNs,
    columnNs: h.columnNs,
    counts: h.counts,
    rowLabels: labels,
    rowTitle: heatmapRowTitle(h),
  });
  const rows: Cell[][] = [];
  for (let r = h.rowEdgesNs.length - 2; r >= 0; r--) {
    let total = 0;
    let peak = 0;
    for (const c of h.counts) {
      total += c[r]!;
      peak = Math.max(peak, c[r]!);
    }
    rows.push([
      `${formatDuration(h.rowEdgesNs[r]!)} – ${formatDuration(h.rowEdgesNs[r + 1]!)}`,
      formatCount(total),
      formatCount(peak),
    ]);
  }
  return section(
    id,
    'Latency over time',
    `<p class="sub">Each cell counts the calls that started in a ${formatDuration(h.columnNs)} column with a latency in that band (two bands per power of two). Colour: log of the count.</p>` +
      figure({
        chart,
        legend: gridScaleLegend(h.maxCount),
        numbers: table(['latency band', 'calls', 'most in one column'], rows),
      }),
  );
}

/** The most common request size of a file ("4 KiB"), from its power-of-two histogram. */
function typicalSize(buckets: SizeBucket[]): string {
  if (buckets.length === 0) return '';
  const top = buckets.reduce((a, b) => (b.count > a.count ? b : a));
  return top.fromBytes === 0 ? '0 B' : `${formatBytes(top.fromBytes)}–${formatBytes(top.toBytes)}`;
}

function patternNote(p: AccessPattern | undefined): string {
  if (!p) return '';
  return `${p.pattern}, ${typicalSize(p.sizeHistogram)}`;
}

function pill(p: AccessPattern | undefined): Cell {
  if (!p) return '';
  return {
    html: `<span class="pill ${p.pattern}">${p.pattern}</span> ${formatShare(p.sequentialFraction)} seq`,
    left: true,
  };
}

function hotRows(entries: HotEntry[], patterns: Map<string, AccessPattern>): Cell[][] {
  return entries.map((e) => {
    const p = patterns.get(e.path);
    return [
      e.path,
      formatDuration(e.timeNs),
      formatShare(e.shareOfTime),
      formatCount(e.ops),
      formatBytes(e.readBytes),
      formatBytes(e.writeBytes),
      formatCount(e.errors),
      pill(p),
      p ? typicalSize(p.sizeHistogram) : '',
      p ? formatShare(p.readFraction) : '',
    ];
  });
}

export function filesSection(a: TraceAggregates, id: string): string {
  const r = a.report;
  const patterns = new Map(r.accessPatterns.map((p) => [p.path, p]));
  const barsOf = (entries: HotEntry[], withPattern: boolean) =>
    entries.map((e) => ({
      label: e.path,
      segments: [{ value: e.timeNs, slot: 0, name: 'time in I/O' }],
      note: withPattern ? patternNote(patterns.get(e.path)) : `${formatCount(e.ops)} ops`,
    }));
  const headers = [
    'path',
    'time',
    'share',
    'ops',
    'read',
    'written',
    'errors',
    'pattern',
    'typical size',
    'reads',
  ];
  const body =
    `<p class="sub">Pattern: a read or write is sequential when it starts where the previous one on the same handle ended. Bars: time in I/O (sum of call durations).</p>` +
    figure({
      caption: 'Files by time in I/O, with access pattern and most common request size',
      chart: stackedBars('top files by time', barsOf(r.hotFiles.byTime, true), formatDuration),
      numbers: table(headers, hotRows(r.hotFiles.byTime, patterns)),
    }) +
    figure({
      caption: 'Directories by time in I/O (calls on their files and on the directory itself)',
      chart: stackedBars('top directories by time', barsOf(r.hotDirectories.byTime, false), formatDuration),
      numbers: table(
        headers.slice(0, 7),
        hotRows(r.hotDirectories.byTime, new Map()).map((row) => row.slice(0, 7)),
      ),
    }) +
    (r.accessPatterns.length === 0
      ? ''
      : `<details><summary>Access patterns of the files with data calls (${r.accessPatterns.length})</summary>${table(
          ['path', 'pattern', 'reads', 'writes', 'read', 'written', 'sizes (count)'],
          r.accessPatterns.map((p) => [
            p.path,
            pill(p),
            formatCount(p.reads),
            formatCount(p.writes),
            formatBytes(p.readBytes),
            formatBytes(p.writeBytes),
            {
              html: esc(
                p.sizeHistogram.map((s) => `${formatBytes(s.fromBytes)}: ${formatCount(s.count)}`).join(', '),
              ),
              left: true,
            },
          ]),
        )}</details>`);
  return section(id, 'Files and directories', body);
}

export function processesSection(a: TraceAggregates, id: string): string {
  const r = a.report;
  const name = (p: Report['processes'][number]) => `${p.comm ?? (p.pid === 0 ? 'kernel' : '?')} (${p.pid})`;
  const chart = stackedBars(
    'processes by time in I/O',
    r.processes.map((p) => ({
      label: name(p),
      segments: [{ value: p.timeNs, slot: 2, name: 'time in I/O' }],
      note: `${formatCount(p.ops)} ops${p.errors > 0 ? `, ${formatCount(p.errors)} errors` : ''}`,
    })),
    formatDuration,
  );
  const numbers = table(
    ['process', 'uid', 'time in I/O', 'share', 'ops', 'errors', 'read', 'written', 'active from', 'to'],
    r.processes.map((p) => [
      name(p),
      p.uid,
      formatDuration(p.timeNs),
      formatShare(p.shareOfTime),
      formatCount(p.ops),
      formatCount(p.errors),
      formatBytes(p.readBytes),
      formatBytes(p.writeBytes),
      formatDuration(p.firstStartNs),
      formatDuration(p.lastEndNs),
    ]),
  );
  return section(
    id,
    'Processes',
    figure({
      caption: 'Time in I/O per process (errors include routine answers such as ENOENT lookups)',
      chart,
      numbers,
    }),
  );
}

/** Every section of one trace, ids prefixed so several traces can share a page. */
export function traceSections(a: TraceAggregates, prefix = ''): string {
  return [
    summarySection(a, `${prefix}summary`),
    latencySection(a, `${prefix}latency`),
    throughputSection(a, `${prefix}throughput`),
    heatmapSection(a, `${prefix}heatmap`),
    filesSection(a, `${prefix}files`),
    processesSection(a, `${prefix}processes`),
  ].join('\n');
}

export const TRACE_NAV: [string, string][] = [
  ['summary', 'Summary'],
  ['latency', 'Latency'],
  ['throughput', 'Throughput'],
  ['heatmap', 'Heatmap'],
  ['files', 'Files'],
  ['processes', 'Processes'],
];
