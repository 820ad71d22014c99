/**
 * The comparison page: totals with ratios, --fail-if results, per-op percentiles as paired bars
 * and a ratio table, throughput and IOPS of both sides overlaid (each from its own first call),
 * and both latency heatmaps.
 */
import { formatBytes, formatCount, formatDuration } from '../../analyze/units.js';
import { pairedBars } from '../charts/bars.js';
import { legend, timeSeries, type Series } from '../charts/lines.js';
import type { Comparison, OpPair, TotalPair } from '../comparison.js';
import { cards, esc, figure, section, table, type Cell } from './html.js';
import { formatRate, heatmapSection, timelineSeries } from './trace.js';

/** Ratios beyond these are highlighted in the tables. */
const WORSE = 1.5;
const BETTER = 1 / 1.5;

const FORMATS: Record<TotalPair['format'], (v: number) => string> = {
  count: formatCount,
  bytes: formatBytes,
  duration: formatDuration,
  rate: formatRate,
};

/** b / a, red when worse and green when better by 1.5x; `neutral` for counts and bytes. */
function ratioCell(
  a: number,
  b: number,
  direction: 'higher-is-worse' | 'higher-is-better' | 'neutral' = 'higher-is-worse',
): Cell {
  if (!(a > 0)) return b > 0 ? 'new' : '';
  const r = b / a;
  const text = `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}x`;
  if (direction === 'neutral') return text;
  const higherIsWorse = direction === 'higher-is-worse';
  const bad = higherIsWorse ? r >= WORSE : r <= BETTER;
  const good = higherIsWorse ? r <= BETTER : r >= WORSE;
  return bad
    ? { html: `<span class="failed">${text}</span>` }
    : good
      ? { html: `<span class="passed">${text}</span>` }
      : text;
}

const DIRECTION = {
  count: 'neutral',
  bytes: 'neutral',
  duration: 'higher-is-worse',
  rate: 'higher-is-better',
} as const;

function summary(c: Comparison, id: string): string {
  const failed = c.thresholds?.filter((t) => t.failed).length ?? 0;
  const cardList = c.totals.slice(0, 4).map((t) => ({
    value: t.a > 0 ? `${(t.b / t.a).toFixed(2)}x` : FORMATS[t.format](t.b),
    label: `${t.label}: ${FORMATS[t.format](t.a)} → ${FORMATS[t.format](t.b)}`,
  }));
  if (c.thresholds)
    cardList.unshift({
      value: c.thresholds.length === 0 ? 'none' : failed > 0 ? `${failed} failed` : 'all passed',
      label: `--fail-if thresholds (${c.thresholds.length})`,
      ...(failed > 0 ? { bad: true } : {}),
    } as (typeof cardList)[number]);
  const totals = table(
    ['', c.names[0], c.names[1], 'ratio'],
    c.totals.map((t) => [
      t.label,
      FORMATS[t.format](t.a),
      FORMATS[t.format](t.b),
      ratioCell(t.a, t.b, DIRECTION[t.format]),
    ]),
  );
  const thresholds =
    c.thresholds === null
      ? ''
      : c.thresholds.length === 0
        ? '<p class="sub">No --fail-if thresholds were given.</p>'
        : `<h3 id="${id}-thresholds">--fail-if thresholds</h3>` +
          table(
            ['threshold', 'actual', 'result'],
            c.thresholds.map((t) => [
              t.text,
              t.actual,
              {
                html: t.failed ? '<span class="failed">FAILED</span>' : '<span class="passed">passed</span>',
              },
            ]),
          );
  const notes = c.notes.length
    ? `<ul class="findings">${c.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`
    : '';
  return section(id, 'Summary', cards(cardList) + notes + thresholds + totals);
}

function latency(c: Comparison, id: string): string {
  const ops = c.ops.filter((o) => o.a.count > 0 || o.b.count > 0);
  const paired = (field: 'p50Ns' | 'p99Ns') =>
    pairedBars(
      `${field.slice(0, 3)} per op`,
      ops.map((o: OpPair) => ({ label: o.op, a: o.a[field], b: o.b[field] })),
      c.names,
      formatDuration,
      true,
    );
  const key = legend([
    { name: c.names[0], slot: 0 },
    { name: c.names[1], slot: 1, dashed: true },
  ]);
  const ratios = table(
    [
      'op',
      `calls ${c.names[0]}`,
      `calls ${c.names[1]}`,
      'p50',
      'p50',
      'ratio',
      'p90 ratio',
      'p99',
      'p99',
      'ratio',
      'mean ratio',
    ],
    ops.map((o) => [
      o.op,
      formatCount(o.a.count),
      formatCount(o.b.count),
      formatDuration(o.a.p50Ns),
      formatDuration(o.b.p50Ns),
      ratioCell(o.a.p50Ns, o.b.p50Ns),
      ratioCell(o.a.p90Ns, o.b.p90Ns),
      formatDuration(o.a.p99Ns),
      formatDuration(o.b.p99Ns),
      ratioCell(o.a.p99Ns, o.b.p99Ns),
      ratioCell(o.a.meanNs, o.b.meanNs),
    ]),
  );
  return section(
    id,
    'Latency per op',
    `<p class="sub">Upper bar ${esc(c.names[0])}, lower (lighter) bar ${esc(c.names[1])}; log scale. Ratios are ${esc(c.names[1])} / ${esc(c.names[0])}: red when at least ${WORSE}x slower, green when at least ${WORSE}x faster.</p>` +
      figure({ caption: 'p50 latency', chart: paired('p50Ns'), legend: key }) +
      figure({ caption: 'p99 latency', chart: paired('p99Ns'), legend: key }) +
      `<h3>Ratios</h3>${ratios}`,
  );
}

function overTime(c: Comparison, id: string): string {
  if (!c.a || !c.b)
    return section(id, 'Over time', '<p class="sub">One of the traces could not be read: no timeline.</p>');
  const sides = [c.a, c.b] as const;
  // Each side from its own first call, so a replay started later still lines up.
  const offsets = sides.map((s) => -s.report.totals.firstStartNs);
  const series = (field: 'opsPerSec' | 'p99Ns') =>
    sides.map((s, i) => timelineSeries(s.report, offsets[i]!, field, c.names[i]!, i, i === 1));
  const bytes: Series[] = sides.map((s, i) => {
    const read = timelineSeries(s.report, offsets[i]!, 'readBytesPerSec', c.names[i]!, i, i === 1);
    const write = timelineSeries(s.report, offsets[i]!, 'writeBytesPerSec', c.names[i]!, i, i === 1);
    return { ...read, values: read.values.map((v, k) => v + write.values[k]!) };
  });
  const from = 0;
  const ops = series('opsPerSec');
  const p99 = series('p99Ns');
  return section(
    id,
    'Over time',
    '<p class="sub">Both sides from their first call (time 0); the replayed side dashed.</p>' +
      figure({
        caption: 'Throughput (read + write bytes per second)',
        chart: timeSeries(bytes, {
          label: 'throughput compared',
          yLabel: 'bytes/s',
          format: (v) => `${formatBytes(v)}/s`,
          fromNs: from,
        }),
        legend: legend(bytes),
      }) +
      figure({
        caption: 'Operations per second',
        chart: timeSeries(ops, { label: 'IOPS compared', yLabel: 'ops/s', format: formatRate, fromNs: from }),
        legend: legend(ops),
      }) +
      figure({
        caption: 'p99 latency per bucket',
        chart: timeSeries(p99, {
          label: 'p99 compared',
          yLabel: 'p99',
          format: formatDuration,
          fromNs: from,
        }),
        legend: legend(p99),
      }),
  );
}

export function comparisonBody(c: Comparison): string {
  const tables = c.tables
    .filter((t) => t.rows.length > 0)
    .map((t) => `<h3>${esc(t.title)}</h3>${table(t.headers, t.rows)}`)
    .join('');
  const heatmaps = [c.a, c.b]
    .map((side, i) =>
      side
        ? heatmapSection(side, `heatmap-${i}`).replace(
            '<h2>Latency over time</h2>',
            `<h2>Latency over time: ${esc(c.names[i]!)}</h2>`,
          )
        : '',
    )
    .join('');
  return [
    summary(c, 'summary'),
    latency(c, 'latency'),
    overTime(c, 'time'),
    heatmaps,
    tables ? section('details', 'Details', tables) : '',
  ].join('\n');
}

export const COMPARISON_NAV: [string, string][] = [
  ['summary', 'Summary'],
  ['latency', 'Latency'],
  ['time', 'Over time'],
  ['heatmap-0', 'Heatmaps'],
  ['details', 'Details'],
];
