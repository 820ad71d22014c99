/**
 * Runs the analysis of every open trace once per filter change and exposes progress, the
 * reports (and their diff when two traces are open) or the error. Views only format what this
 * returns, so key presses never re-scan a trace.
 */
import { useEffect, useRef, useState } from 'react';
import type { SourceFilter } from '../analyze/inputs.js';
import type { Report, ReportDiff, TraceFilter } from '../analyze/types.js';
import { UserError } from '../errors.js';
import { startFollowing, type FollowInfo } from './follow-analysis.js';
import type { Progress } from './progress-bar.js';
import { TUI_TOP, type TraceSource } from './sources.js';

export type AnalysisState =
  | { status: 'loading'; progress: Progress; previous?: Loaded; waiting?: string | undefined }
  | ({ status: 'ready' } & Loaded)
  | { status: 'error'; message: string };

export interface Loaded {
  reports: Report[];
  diff: ReportDiff | undefined;
  /** The quick aggregate report, shown while the full analysis reads the rows. */
  partial?: boolean;
  /** A quick report of the first rows only (big traces), shown until the quick one is ready. */
  preview?: boolean;
  /** `--follow`: the trace is still read as it grows. */
  follow?: FollowInfo;
}

export { TUI_TOP };
/** Reports kept for instant back / clear. */
const MAX_CACHED_REPORTS = 16;

/** Thrown from onProgress to stop an analysis whose filter is no longer wanted. */
class StaleAnalysis extends Error {}

/** A message for the error screen: user errors (bad files) as-is, bugs with a hint. */
export function describeError(err: unknown): string {
  if (err instanceof UserError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  return `internal error (please report): ${message}`;
}

/** The same loading screen: progress, the report shown under it and what it waits for. */
function sameLoading(a: AnalysisState, b: AnalysisState): boolean {
  return (
    a.status === 'loading' &&
    b.status === 'loading' &&
    a.previous === b.previous &&
    a.waiting === b.waiting &&
    a.progress.rowsRead === b.progress.rowsRead &&
    a.progress.totalRows === b.progress.totalRows
  );
}

/**
 * Quick reports of every trace (the sql engine's): previews of the first rows, or of all rows.
 * Given to the TUI as its first reports when they are ready before the first draw.
 */
export interface FirstReports {
  reports: Report[];
  /** Of the first rows only, out of rowsTotal (a preview). */
  preview: boolean;
  rowsTotal: number;
}

/** What quick reports show while the full analysis reads the rows. */
function quickLoaded(quick: FirstReports, diff: (a: Report, b: Report) => ReportDiff): Loaded {
  const { reports } = quick;
  return {
    reports,
    diff: reports.length >= 2 ? diff(reports[0]!, reports[1]!) : undefined,
    partial: true,
    ...(quick.preview ? { preview: true } : {}),
  };
}

/** The loading screen over `shown`, with a preview's rows as progress. */
function loadingWith(quick: FirstReports | undefined, shown: Loaded | undefined): AnalysisState {
  const rowsRead = quick?.preview ? quick.reports.reduce((s, r) => s + r.totals.rowsScanned, 0) : 0;
  const totalRows = quick?.preview ? quick.rowsTotal : 0;
  return { status: 'loading', progress: { rowsRead, totalRows }, previous: shown };
}

export function useAnalysis(
  sources: readonly TraceSource[],
  filter: TraceFilter,
  filterKey: string,
  diff: (a: Report, b: Report) => ReportDiff,
  sourceFilter?: SourceFilter,
  first?: FirstReports,
): AnalysisState {
  const shownFirst = useRef<Loaded | undefined>(undefined);
  if (first && !shownFirst.current) shownFirst.current = quickLoaded(first, diff);
  // With the first reports given, the first screen drawn shows them (no loading screen first).
  const [state, setShownState] = useState<AnalysisState>(() => loadingWith(first, shownFirst.current));
  // An unchanged loading screen is not drawn again: a draw of the whole screen costs tens of
  // milliseconds of the one thread that also turns the first report into rows.
  const setState = (next: AnalysisState): void =>
    setShownState((shown) => (sameLoading(shown, next) ? shown : next));
  const generation = useRef(0);
  const last = useRef<Loaded | undefined>(shownFirst.current);
  // Reports by filter: going back (Backspace) or clearing the filter shows the kept report at
  // once instead of reading the traces again.
  const cache = useRef(new Map<string, Loaded>());

  useEffect(() => {
    const mine = ++generation.current;
    const scope = sourceFilter ? { sourceFilter } : {};
    // A followed trace grows: no kept report stays valid, the followers publish as rows arrive.
    if (sources.length > 0 && sources.every((s) => s.follow)) {
      const publish = (next: AnalysisState): void => {
        // The shown report stays up while a new filter's first poll reads the trace.
        if (next.status === 'ready') last.current = next;
        setState(next);
      };
      return startFollowing(sources, { filter, top: TUI_TOP, ...scope }, diff, publish, last.current);
    }
    const kept = cache.current.get(filterKey);
    if (kept) {
      last.current = kept;
      setState({ status: 'ready', ...kept });
      return;
    }
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
    setState(
      last.current && last.current === shownFirst.current
        ? loadingWith(first, last.current)
        : { status: 'loading', progress: { rowsRead: 0, totalRows: 0 }, previous: last.current },
    );
    const showQuick = (quick: FirstReports): void => {
      // Drawn already when they were the first reports.
      if (quick.reports.every((r, i) => r === last.current?.reports[i])) return;
      last.current = quickLoaded(quick, diff);
      setState(loadingWith(quick, last.current));
    };
    (async () => {
      // First screen fast: the aggregate SQL (DuckDB reads Parquet on every core), then the
      // full streaming analysis replaces it.
      if (sources.every((s) => s.quick)) {
        try {
          const previews = await Promise.all(
            sources.map((s) => s.preview?.({ filter, top: TUI_TOP, ...scope })),
          );
          if (!current()) return;
          if (previews.every((p) => p !== undefined))
            showQuick({
              reports: previews.map((p) => p.report),
              preview: true,
              rowsTotal: previews.reduce((s, p) => s + p.rowsTotal, 0),
            });
          const quick = await Promise.all(sources.map((s) => s.quick!({ filter, top: TUI_TOP, ...scope })));
          if (!current()) return;
          showQuick({ reports: quick, preview: false, rowsTotal: 0 });
        } catch {
          // No DuckDB, or it failed on this file: the streaming analysis alone will do.
        }
      }
      const reports: Report[] = [];
      // One after the other: two cores, and the progress line reads naturally.
      for (const [i, source] of sources.entries()) {
        reports.push(
          await source.analyze({
            filter,
            top: TUI_TOP,
            ...scope,
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
      cache.current.set(filterKey, loaded);
      if (cache.current.size > MAX_CACHED_REPORTS)
        cache.current.delete(cache.current.keys().next().value as string);
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
