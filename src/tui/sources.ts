/**
 * Where the TUI's reports come from: a trace file, in-memory batches (tests, generators) or a
 * report computed elsewhere. Each source re-runs the analysis for a filter.
 */
import { analyzeBatches, analyzeTraces, type MultiTraceOptions } from '../analyze/analyze.js';
import type { AnalyzeOptions, Report } from '../analyze/types.js';
import { UserError } from '../errors.js';
import type { SqlSession } from '../analyze/sql-engine.js';
import type { TraceBatch } from '../trace/batch.js';
import { FOLLOW_INTERVAL_MS, followTraces, type Follow } from './follow-source.js';

export interface TraceSource {
  /** Short name for headers (file name). */
  label: string;
  /** Options may carry a source filter (several traces: node=, pod=, ...). */
  analyze(options: MultiTraceOptions): Promise<Report>;
  /** False when the source cannot re-run with a filter (a saved report). */
  canFilter?: boolean;
  /**
   * A fast first report (the sql engine through DuckDB: everything but concurrency, access
   * patterns and the findings that need row order) shown while `analyze` reads every row. May
   * throw: the full one follows anyway.
   */
  quick?(options: MultiTraceOptions): Promise<Report>;
  /**
   * An even faster report of the first rows only, for traces too big for `quick` to answer at
   * once; undefined when the trace is small enough not to need one.
   */
  preview?(options: MultiTraceOptions): Promise<{ report: Report; rowsTotal: number } | undefined>;
  /**
   * Starts `preview` then `quick` for these options now; their next calls with equal options
   * take the results. Resolves once DuckDB reads (or the first report ended). The TUI waits for
   * that before loading Ink: loading Ink holds the main thread for hundreds of milliseconds, in
   * which the steps before the first scan (loading DuckDB, opening the trace, connecting) would
   * wait their turn; started first, DuckDB reads on its threads while Ink loads.
   */
  prefetch?(options: MultiTraceOptions): Promise<void>;
  /** Keeps reading a trace that is still recorded (`--follow`); the TUI then uses only this. */
  follow?: Follow;
}

/** Lists hold this many rows, so they fill any terminal height (the CLI's default is 20). */
export const TUI_TOP = 500;

/**
 * The first screen of a big trace is a preview: the sql engine's report of its first eighth,
 * at least PREVIEW_MIN_ROWS (DuckDB reads whole row groups of 131,072 rows anyway) and at most
 * PREVIEW_MAX_ROWS, for traces of more than four previews. Measured in a 200x50 terminal on 2
 * cores: the first screen at 0.5M and 1M rows came about 0.1 s sooner with a preview than with
 * the report of all rows, which follows it.
 */
export const PREVIEW_MIN_ROWS = 100_000;
export const PREVIEW_MAX_ROWS = 1_000_000;

/** Rows of the preview for a trace of `total` rows; undefined when the trace needs none. */
export function previewRowsFor(total: number): number | undefined {
  const rows = Math.min(PREVIEW_MAX_ROWS, Math.max(PREVIEW_MIN_ROWS, Math.ceil(total / 8)));
  return total > 4 * rows ? rows : undefined;
}

function baseName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? path;
}

/**
 * A trace file, a directory of traces or a glob (one run: aligned, per-source breakdown). Unless
 * `quick` is false, reports come first from the sql engine (one DuckDB session kept for every
 * filter): a preview of the first rows on big traces, then all rows, while the stream reads them.
 */
export function fileSource(
  path: string,
  options: { quick?: boolean; previewRows?: number; follow?: boolean; followIntervalMs?: number } = {},
): TraceSource {
  // A fixed preview size (tests) previews traces of more than twice as many rows.
  const previewRows = (total: number): number | undefined =>
    options.previewRows === undefined
      ? previewRowsFor(total)
      : total > 2 * options.previewRows
        ? options.previewRows
        : undefined;
  const source: TraceSource = { label: baseName(path), analyze: (o) => analyzeTraces([path], o) };
  if (options.follow) source.follow = followTraces([path], options.followIntervalMs ?? FOLLOW_INTERVAL_MS);
  if (options.quick === false) return source;
  let session: Promise<SqlSession> | undefined;
  const open = (): Promise<SqlSession> =>
    (session ??= import('../analyze/sql-engine.js').then(({ SqlSession }) => SqlSession.open([path])));
  // Reports for other options than the latest asked for are stale: they are stopped.
  let wanted = '';
  let controller = new AbortController();
  const signalFor = (o: MultiTraceOptions): AbortSignal => {
    const key = optionsKey(o);
    if (key !== wanted) {
      controller.abort();
      controller = new AbortController();
      wanted = key;
    }
    return controller.signal;
  };
  const quick = async (o: MultiTraceOptions, onReading?: () => void): Promise<Report> => {
    const signal = signalFor(o);
    return (await open()).report(o, undefined, signal, onReading);
  };
  const preview = async (o: MultiTraceOptions, onReading?: () => void) => {
    const signal = signalFor(o);
    const s = await open();
    const rows = previewRows(s.rowsTotal);
    if (rows === undefined) return undefined;
    return { report: await s.report(o, rows, signal, onReading), rowsTotal: s.rowsTotal };
  };
  const started = new Map<string, Promise<unknown>>();
  /**
   * The prefetched result for (kind, options), else a new run. Kept, so the program that
   * prefetched and the screen that shows it can both ask: the trace does not change (a followed
   * one is never prefetched).
   */
  const take = <T>(kind: string, o: MultiTraceOptions, run: () => Promise<T>): Promise<T> =>
    (started.get(`${kind} ${optionsKey(o)}`) as Promise<T> | undefined) ?? run();
  source.preview = (o) => take('preview', o, () => preview(o));
  source.quick = (o) => take('quick', o, () => quick(o));
  source.prefetch = (o) => {
    let reading = (): void => undefined;
    const readingStarted = new Promise<void>((resolve) => (reading = resolve));
    const first = preview(o, reading);
    // One after the other, as the TUI asks for them: the preview gets both cores.
    const all = first.catch(() => undefined).then(() => quick(o, reading));
    void all.finally(reading).catch(() => undefined);
    for (const [kind, p] of [
      ['preview', first],
      ['quick', all],
    ] as const) {
      const key = `${kind} ${optionsKey(o)}`;
      started.set(key, p);
      // Errors surface when the TUI takes the promise, and only there: a failed run (stopped
      // for a newer filter, say) is not kept, so asking again later runs it anew.
      p.catch(() => {
        if (started.get(key) === p) started.delete(key);
      });
    }
    return readingStarted;
  };
  return source;
}

/** Options as a key: the filters (bigints as text, unset fields dropped), top and bucket. */
function optionsKey(o: MultiTraceOptions): string {
  return JSON.stringify(
    { f: o.filter ?? {}, s: o.sourceFilter ?? {}, t: o.top, b: o.bucketNs },
    (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
  );
}

export function batchSource(label: string, batches: readonly TraceBatch[]): TraceSource {
  return { label, analyze: (options) => analyzeBatches(batches, options) };
}

function hasFilter(options: AnalyzeOptions): boolean {
  return Object.values(options.filter ?? {}).some((v) => v !== undefined);
}

/** A fixed report: shown as-is; filtering needs the trace, so it is refused with a message. */
export function reportSource(label: string, report: Report): TraceSource {
  return {
    label,
    canFilter: false,
    analyze: async (options) => {
      if (hasFilter(options))
        throw new UserError(`${label}: filtering needs the trace file, not a saved report`);
      return report;
    },
  };
}
