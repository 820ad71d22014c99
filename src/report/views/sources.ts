/**
 * Several traces of one run (nodes, pods) on one time axis: each trace's timeline is shifted by
 * the difference of its wall-clock anchor to the earliest one, so simultaneous work lines up.
 */
import { formatBytes, formatCount, formatDuration } from '../../analyze/units.js';
import { legend, timeSeries, type Series, type TimeMarker } from '../charts/lines.js';
import type { TraceAggregates } from '../collect.js';
import { splitErrors } from '../kernel-routine.js';
import { esc, figure, section, table } from './html.js';
import { formatRate, timeMarkers, timelineSeries } from './trace.js';

/** Offset of each trace on the shared axis (ns); 0 for all when an anchor is unknown. */
export function alignOffsets(traces: TraceAggregates[]): number[] {
  if (traces.some((t) => t.anchorNs === 0n)) return traces.map(() => 0);
  const earliest = traces.reduce((min, t) => (t.anchorNs < min ? t.anchorNs : min), traces[0]!.anchorNs);
  return traces.map((t) => Number(t.anchorNs - earliest));
}

export function sourcesSection(traces: TraceAggregates[], id: string): string {
  const offsets = alignOffsets(traces);
  const aligned = offsets.some((o) => o !== 0) || traces.every((t) => t.anchorNs !== 0n);
  const slot = (i: number) => i % 8;
  const bytes: Series[] = traces.map((t, i) => {
    const read = timelineSeries(t.report, offsets[i]!, 'readBytesPerSec', t.name, slot(i));
    const write = timelineSeries(t.report, offsets[i]!, 'writeBytesPerSec', t.name, slot(i));
    return { ...read, values: read.values.map((v, k) => v + write.values[k]!) };
  });
  const ops = traces.map((t, i) => timelineSeries(t.report, offsets[i]!, 'opsPerSec', t.name, slot(i)));
  const p99 = traces.map((t, i) => timelineSeries(t.report, offsets[i]!, 'p99Ns', t.name, slot(i)));
  const markers: TimeMarker[] = traces.flatMap((t, i) =>
    timeMarkers(t.report, offsets[i]!).markers.map((m) => ({ ...m, label: `${t.name}: ${m.label}` })),
  );
  const totals = table(
    [
      'source',
      'starts at',
      'duration',
      'calls',
      'read',
      'written',
      'time in I/O',
      'app. errors',
      'faults',
      'top finding',
    ],
    traces.map((t, i) => {
      const r = t.report;
      const errors = splitErrors(r.ops);
      return [
        { html: `<a href="#s${i}-summary">${esc(t.name)}</a>`, left: true },
        `+${formatDuration(offsets[i]!)}`,
        formatDuration(r.totals.spanNs),
        formatCount(r.totals.calls),
        formatBytes(r.totals.bytesRead),
        formatBytes(r.totals.bytesWritten),
        formatDuration(r.totals.ioTimeNs),
        formatCount(errors.application),
        formatCount(r.faults.rows),
        {
          html: r.findings[0] ? esc(r.findings[0].text) : '',
          left: true,
        },
      ];
    }),
  );
  const note = aligned
    ? "Aligned on each trace's wall clock (its recording start)."
    : 'At least one trace has no wall-clock anchor: all start at 0.';
  const body =
    `<p class="sub">${traces.length} traces. ${note}</p>` +
    totals +
    figure({
      caption: 'Throughput per source (read + write bytes per second)',
      chart: timeSeries(bytes, {
        label: 'throughput per source',
        yLabel: 'bytes/s',
        format: (v) => `${formatBytes(v)}/s`,
        markers,
      }),
      legend: legend(bytes),
    }) +
    figure({
      caption: 'Operations per second per source',
      chart: timeSeries(ops, { label: 'IOPS per source', yLabel: 'ops/s', format: formatRate, markers }),
      legend: legend(ops),
    }) +
    figure({
      caption: 'p99 latency per source (buckets with calls)',
      chart: timeSeries(p99, { label: 'p99 per source', yLabel: 'p99', format: formatDuration }),
      legend: legend(p99),
    });
  return section(id, 'All sources on one time axis', body);
}
