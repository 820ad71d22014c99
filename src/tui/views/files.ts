/** Hot files or directories (x toggles), ranked by time, bytes or ops (b cycles). */
import type { AccessPattern, HotEntry } from '../../analyze/types.js';
import { formatBytes, formatCount, formatDuration, formatPercent } from '../format.js';
import { plain, tableLines, type Line, type ViewContent } from '../lines.js';
import type { ViewContext } from './context.js';

function accessText(p: AccessPattern): string {
  const mix =
    p.readFraction === 1
      ? 'reads'
      : p.readFraction === 0
        ? 'writes'
        : `${formatPercent(p.readFraction)} reads`;
  // A log (rewrite-in-place-then-advance) or append-only file is named as such, not "random".
  if (p.writePattern === 'log-rewrite') return `log ${mix}`;
  if (p.writePattern === 'append') return `append ${mix}`;
  return `${p.pattern === 'sequential' ? 'seq' : p.pattern === 'random' ? 'rand' : 'mixed'} ${mix}`;
}

export function renderFiles(ctx: ViewContext): ViewContent {
  const report = ctx.reports[0]!;
  const { directories, by } = ctx.ui.hot;
  const lists = directories ? report.hotDirectories : report.hotFiles;
  const entries: HotEntry[] = by === 'bytes' ? lists.byBytes : by === 'ops' ? lists.byOps : lists.byTime;
  const patterns = new Map(report.accessPatterns.map((p) => [p.path, p]));
  const heading: Line = [
    { text: `Hot ${directories ? 'directories' : 'files'} by ${by}`, bold: true },
    {
      text: `  x: ${directories ? 'files' : 'directories'}  b: sort by ${by === 'time' ? 'bytes' : by === 'bytes' ? 'ops' : 'time'}`,
      dim: true,
    },
  ];
  const table = tableLines(
    [
      { header: directories ? 'directory' : 'file', flex: true, truncate: 'left', minWidth: 16 },
      { header: 'ops', align: 'right' },
      { header: 'read', align: 'right' },
      { header: 'written', align: 'right' },
      { header: 'time', align: 'right' },
      { header: 'time%', align: 'right', priority: 6 },
      { header: 'err', align: 'right', priority: 7 },
      { header: 'access', priority: 8 },
    ],
    entries.map((e) => {
      const p = patterns.get(e.path);
      return [
        e.path,
        formatCount(e.ops),
        e.readBytes ? formatBytes(e.readBytes) : '-',
        e.writeBytes ? formatBytes(e.writeBytes) : '-',
        formatDuration(e.timeNs),
        formatPercent(e.shareOfTime),
        e.errors ? formatCount(e.errors) : '-',
        p ? accessText(p) : '',
      ];
    }),
    ctx.width,
    (r, c) => (c === 6 && (entries[r]?.errors ?? 0) > 0 ? 'red' : c === 0 ? 'cyan' : undefined),
  );
  return {
    fixed: [heading, table.header],
    body: table.rows.length ? table.rows : [plain('no file activity matches the filter', { dim: true })],
    // A directory row drills into everything below it.
    targets: entries.map((e) => ({ path: directories ? `${e.path === '/' ? '' : e.path}/**` : e.path })),
  };
}
