/** The slowest individual calls: what, where, who, and whether an overlay caused it. */
import { formatBytes, formatDuration, formatOffset } from '../format.js';
import { plain, tableLines, type ViewContent } from '../lines.js';
import type { ViewContext } from './context.js';

export function renderSlow(ctx: ViewContext): ViewContent {
  const calls = ctx.reports[0]!.slowest;
  const table = tableLines(
    [
      { header: 'duration', align: 'right' },
      { header: 'op' },
      { header: 'path', flex: true, truncate: 'left', minWidth: 16 },
      { header: 'pid', align: 'right', priority: 6 },
      { header: 'comm', priority: 7 },
      { header: 'bytes', align: 'right', priority: 6 },
      { header: 'result', priority: 4 },
      { header: 'at', align: 'right', priority: 7 },
    ],
    calls.map((c) => [
      formatDuration(c.durationNs),
      c.op,
      c.path2 ? `${c.path} → ${c.path2}` : c.path,
      String(c.pid),
      c.comm ?? '',
      c.bytes ? formatBytes(c.bytes) : '-',
      (c.errno ? c.errnoName : 'ok') + (c.faultKind ? ` [${c.faultKind}]` : ''),
      formatOffset(c.startNs),
    ]),
    ctx.width,
    (r, c) => {
      const call = calls[r];
      if (c === 0) return 'yellow';
      if (c === 6 && call && (call.errno || call.faultKind)) return call.errno ? 'red' : 'magenta';
      return undefined;
    },
  );
  return {
    fixed: [
      plain(`Slowest ${calls.length} calls (result: errno or ok, [fault] when injected)`, { bold: true }),
      table.header,
    ],
    body: table.rows.length ? table.rows : [plain('no calls match the filter', { dim: true })],
    targets: calls.map((c) => ({ path: c.path })),
  };
}
