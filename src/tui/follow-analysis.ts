/**
 * The analysis state of the TUI in `--follow` mode: every source follows its trace with the
 * current filter, and each update of any of them becomes a new report (and diff) on screen.
 * A filter change stops these followers and starts new ones (the filter changes which rows
 * count, so the trace is read once more from its start, then followed again).
 */
import type { MultiTraceOptions } from '../analyze/analyze.js';
import type { FollowStatus } from '../analyze/follow.js';
import type { Report, ReportDiff } from '../analyze/types.js';
import type { TraceSource } from './sources.js';
import type { AnalysisState, Loaded } from './use-analysis.js';

/** What the status line says about a followed trace. */
export interface FollowInfo {
  /** Rows analyzed so far, all sources. */
  rows: number;
  /** Date.now() when rows last arrived. */
  updatedAt: number;
  /** Every followed file is complete (its recorder closed it). */
  complete: boolean;
  /** The last poll failed with this message (polling continues). */
  waiting?: string;
}

export function startFollowing(
  sources: readonly TraceSource[],
  options: MultiTraceOptions,
  diff: (a: Report, b: Report) => ReportDiff,
  publish: (state: AnalysisState) => void,
  previous: Loaded | undefined,
): () => void {
  const reports: (Report | undefined)[] = sources.map(() => undefined);
  const statuses: (FollowStatus | undefined)[] = sources.map(() => undefined);
  const done = sources.map(() => 0);
  const totals = sources.map(() => 0);
  let updatedAt = Date.now();
  let waiting: string | undefined;
  let shown: Loaded | undefined;

  const show = (recompute: boolean): void => {
    const ready = reports.every((r) => r !== undefined);
    if (!ready) {
      publish({
        status: 'loading',
        progress: { rowsRead: done.reduce((a, b) => a + b, 0), totalRows: totals.reduce((a, b) => a + b, 0) },
        previous,
        waiting,
      });
      return;
    }
    const all = reports as Report[];
    const follow: FollowInfo = {
      rows: statuses.reduce((n, s) => n + (s?.rows ?? 0), 0),
      updatedAt,
      complete: statuses.every((s) => s?.complete === true),
      ...(waiting !== undefined && { waiting }),
    };
    const reportDiff =
      recompute || !shown ? (all.length >= 2 ? diff(all[0]!, all[1]!) : undefined) : shown.diff;
    shown = { reports: all, diff: reportDiff, follow };
    publish({ status: 'ready', ...shown });
  };

  // Until the first poll with this filter answers, the previous report stays up, marked loading.
  show(false);
  const stops = sources.map((source, i) =>
    source.follow!(options, {
      update(report, status) {
        reports[i] = report;
        statuses[i] = status;
        updatedAt = Date.now();
        waiting = undefined;
        show(true);
      },
      idle(status) {
        const changed = waiting !== undefined || statuses[i]?.complete !== status.complete;
        statuses[i] = status;
        waiting = undefined;
        if (changed) show(false);
      },
      progress(rowsDone, rowsTotal) {
        done[i] = rowsDone;
        totals[i] = rowsTotal;
        // Only the first read of a backlog shows a bar; later polls are small.
        if (!reports[i]) show(false);
      },
      waiting(message) {
        waiting = message;
        show(false);
      },
    }),
  );
  return () => {
    for (const stop of stops) stop();
  };
}
