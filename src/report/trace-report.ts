/** `interposer report`: one page for one trace, or for several traces of a run on one axis. */
import { basename } from 'node:path';
import type { TraceAggregates } from './collect.js';
import { renderPage } from './page.js';
import { esc } from './views/html.js';
import { sourcesSection } from './views/sources.js';
import { TRACE_NAV, traceSections } from './views/trace.js';

export const GENERATOR = 'interposer report';

/** The aggregates embedded as JSON: everything but the slowest calls (those are raw rows). */
function embedded(a: TraceAggregates) {
  const { slowest: _slowest, ...report } = a.report;
  return { name: a.name, anchorNs: a.anchorNs.toString(), report, heatmap: a.heatmap };
}

export function traceReportHtml(traces: TraceAggregates[], generatedAt = new Date()): string {
  if (traces.length === 0) throw new Error('traceReportHtml needs at least one trace');
  const when = generatedAt.toISOString().replace('T', ' ').slice(0, 19);
  if (traces.length === 1) {
    const t = traces[0]!;
    return renderPage({
      title: `I/O report: ${t.name}`,
      subtitle: `${esc(t.path)} · generated ${when} UTC`,
      nav: TRACE_NAV,
      body: traceSections(t),
      data: { traces: [embedded(t)] },
      generator: GENERATOR,
    });
  }
  const nav: [string, string][] = [
    ['sources', 'All sources'],
    ...traces.map((t, i): [string, string] => [`s${i}-summary`, t.name]),
  ];
  const perSource = traces
    .map(
      (t, i) =>
        `<section class="source" id="s${i}"><h2 style="border-top:3px solid var(--c${i % 8})">${esc(t.name)}</h2><p class="sub">${esc(t.path)}</p>${traceSections(t, `s${i}-`)}</section>`,
    )
    .join('\n');
  return renderPage({
    title: `I/O report: ${traces.length} traces`,
    subtitle: `${traces.map((t) => esc(basename(t.path))).join(', ')} · generated ${when} UTC`,
    nav,
    body: sourcesSection(traces, 'sources') + perSource,
    data: { traces: traces.map(embedded) },
    generator: GENERATOR,
  });
}
