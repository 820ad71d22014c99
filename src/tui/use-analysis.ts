/**
 * Runs the analysis of every open trace once per filter change and exposes progress, the
 * reports (and their diff when two traces are open) or the error. Views only format what this
 * returns, so key presses never re-scan a trace.
 */
import { useEffect, useRef, useState } from 'react';
import type { Report, ReportDiff, TraceFilter } from '../analyze/types.js';
import { UserError } from '../errors.js';
import type { Progress } from './progress-bar.js';
import type { TraceSource } from './sources.js';

export type AnalysisState =
  | { status: 'loading'; progress: Progress; previous?: Loaded }
  | ({ status: 'ready' } & Loaded)
  | { status: 'error'; message: string };

export interface Loaded {
  reports: Report[];
  diff: ReportDiff | undefined;
}

/** Thrown from onProgress to stop an analysis whose filter is no longer wanted. */
class StaleAnalysis extends Error {}

/** A message for the error screen: user errors (bad files) as-is, bugs with a hint. */
export function describeError(err: unknown): string {
  if (err instanceof UserError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  return `internal error (please report): ${message}`;
}

export function useAnalysis(
  sources: readonly TraceSource[],
  filter: TraceFilter,
  filterKey: string,
  diff: (a: Report, b: Report) => ReportDiff,
): AnalysisState {
  const [state, setState] = useState<AnalysisState>({
    status: 'loading',
    progress: { rowsRead: 0, totalRows: 0 },
  });
  const generation = useRef(0);
  const last = useRef<Loaded | undefined>(undefined);

  useEffect(() => {
    const mine = ++generation.current;
    const current = (): boolean => generation.current === mine;
    const done = sources.map(() => 0);
    const totals = sources.map(() => 0);
    // Progress callbacks can fire per batch; React batches the state updates.
    const report = (): void => {
      if (!current()) return;
      const rowsRead = done.reduce((a, b) => a + b, 0);
      const totalRows = totals.reduce((a, b) => a + b, 0);
      setState({ status: 'loading', progress: { rowsRead, totalRows }, previous: last.current });
    };
    setState({ status: 'loading', progress: { rowsRead: 0, totalRows: 0 }, previous: last.current });
    (async () => {
      const reports: Report[] = [];
      // One after the other: two cores, and the progress line reads naturally.
      for (const [i, source] of sources.entries()) {
        reports.push(
          await source.analyze({
            filter,
            onProgress: (rowsDone, rowsTotal) => {
              // Stops reading a large trace for a filter that was replaced meanwhile.
              if (!current()) throw new StaleAnalysis();
              done[i] = rowsDone;
              totals[i] = rowsTotal;
              report();
            },
          }),
        );
        if (!current()) return;
      }
      const loaded: Loaded = {
        reports,
        diff: reports.length >= 2 ? diff(reports[0]!, reports[1]!) : undefined,
      };
      last.current = loaded;
      if (current()) setState({ status: 'ready', ...loaded });
    })().catch((err: unknown) => {
      if (err instanceof StaleAnalysis) return;
      if (current()) setState({ status: 'error', message: describeError(err) });
    });
    return () => {
      // A newer filter (or unmount) makes this run's results stale.
      if (current()) generation.current++;
    };
    // filterKey stands for `filter`, which is a fresh object on every render.
  }, [sources, filterKey]);

  return state;
}
