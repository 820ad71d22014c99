/** Who does the I/O: processes by time spent in file-system calls. */
import { formatBytes, formatCount, formatDuration, formatPercent } from '../format.js';
import { plain, tableLines, type ViewContent } from '../lines.js';
import type { ViewContext } from './context.js';

export function renderProcesses(ctx: ViewContext): ViewContent {
  const procs = ctx.reports[0]!.processes;
  const table = tableLines(
    [
      { header: 'pid', align: 'right' },
      { header: 'command', flex: true, minWidth: 8 },
      { header: 'uid', align: 'right', priority: 8 },
      { header: 'ops', align: 'right' },
      { header: 'read', align: 'right' },
      { header: 'written', align: 'right' },
      { header: 'time', align: 'right' },
      { header: 'time%', align: 'right', priority: 6 },
      { header: 'err', align: 'right', priority: 6 },
      { header: 'active', align: 'right', priority: 9 },
    ],
    procs.map((p) => [
      String(p.pid),
      p.comm ?? '?',
      String(p.uid),
      formatCount(p.ops),
      p.readBytes ? formatBytes(p.readBytes) : '-',
      p.writeBytes ? formatBytes(p.writeBytes) : '-',
      formatDuration(p.timeNs),
      formatPercent(p.shareOfTime),
      p.errors ? formatCount(p.errors) : '-',
      formatDuration(p.lastEndNs - p.firstStartNs),
    ]),
    ctx.width,
    (r, c) => (c === 8 && (procs[r]?.errors ?? 0) > 0 ? 'red' : c === 1 ? 'cyan' : undefined),
  );
  return {
    fixed: [plain('Processes by I/O time', { bold: true }), table.header],
    body: table.rows.length ? table.rows : [plain('no calls match the filter', { dim: true })],
    targets: procs.map((p) => ({ pids: [p.pid] })),
  };
}
