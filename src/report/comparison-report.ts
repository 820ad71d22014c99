/** `analyze --diff --html` and `replay --html`: one page comparing two runs. */
import type { Comparison } from './comparison.js';
import { renderPage } from './page.js';
import { esc } from './views/html.js';
import { COMPARISON_NAV, comparisonBody } from './views/compare.js';

export function comparisonReportHtml(c: Comparison, generator: string, generatedAt = new Date()): string {
  const when = generatedAt.toISOString().replace('T', ' ').slice(0, 19);
  const side = (s: Comparison['a']) =>
    s ? { name: s.name, report: { ...s.report, slowest: undefined }, heatmap: s.heatmap } : null;
  return renderPage({
    title: c.title,
    subtitle: `${esc(c.names[0])} vs ${esc(c.names[1])} · generated ${when} UTC`,
    nav: COMPARISON_NAV,
    body: comparisonBody(c),
    data: {
      names: c.names,
      ops: c.ops,
      totals: c.totals,
      thresholds: c.thresholds,
      notes: c.notes,
      a: side(c.a),
      b: side(c.b),
    },
    generator,
  });
}
