/**
 * The traces of a run (every node, pod and volume): calls, bytes and time per source. Enter on a
 * row narrows the whole UI to that source (its hive keys, else its file), like `--source`.
 */
import type { SourceStats } from '../../analyze/types.js';
import { escapeGlob, type FilterSpec } from '../filter-spec.js';
import { formatBytes, formatCount, formatDuration, formatPercent } from '../format.js';
import { BLANK, plain, tableLines, type ViewContent } from '../lines.js';
import type { ViewContext } from './context.js';

const HIVE_KEYS = ['node', 'namespace', 'pod', 'volume'] as const;

/** The filter that keeps exactly this source: its hive keys when it has them, else its file. */
export function sourceTarget(src: SourceStats): FilterSpec {
  const keys = HIVE_KEYS.filter((k) => src.keys[k] !== undefined);
  if (keys.length) return { sources: Object.fromEntries(keys.map((k) => [k, escapeGlob(src.keys[k]!)])) };
  return { sources: { file: escapeGlob(src.file) } };
}

export function renderSources(ctx: ViewContext): ViewContent {
  const report = ctx.reports[0]!;
  const sources = report.sources;
  if (sources.length === 0)
    return {
      fixed: [plain('Sources', { bold: true })],
      body: [plain('one trace without source keys: nothing to break down', { dim: true })],
    };
  const table = tableLines(
    [
      { header: 'source', flex: true, minWidth: 12 },
      { header: 'host', priority: 7 },
      { header: 'calls', align: 'right' },
      { header: 'bytes', align: 'right', priority: 5 },
      { header: 'time', align: 'right' },
      { header: 'time%', align: 'right' },
      { header: 'err', align: 'right', priority: 6 },
      { header: 'offset', align: 'right', priority: 8 },
    ],
    sources.map((src) => [
      src.label,
      src.hostname ?? '-',
      formatCount(src.calls),
      formatBytes(src.bytes),
      formatDuration(src.timeNs),
      formatPercent(src.shareOfTime),
      src.errors ? formatCount(src.errors) : '-',
      formatDuration(src.offsetNs),
    ]),
    ctx.width,
    (r, c) => (c === 6 && (sources[r]?.errors ?? 0) > 0 ? 'red' : c === 0 ? 'cyan' : undefined),
  );
  const kept = report.meta.filter.sources;
  const heading = `Sources (${sources.length} trace${sources.length === 1 ? '' : 's'}, aligned on wall-clock time)`;
  const fixed = [plain(heading, { bold: true })];
  if (kept)
    fixed.push(
      plain(
        `source filter: ${Object.entries(kept)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
        { dim: true },
      ),
    );
  fixed.push(table.header);
  // With two traces open (a diff), Enter would apply the source to both: drill only on one.
  const drill = ctx.reports.length === 1;
  return {
    fixed,
    body: table.rows.length ? table.rows : [BLANK],
    ...(drill && { targets: sources.map(sourceTarget) }),
  };
}
