/**
 * Where the TUI's reports come from: a trace file, in-memory batches (tests, generators) or a
 * report computed elsewhere. Each source re-runs the analysis for a filter.
 */
import { analyzeBatches, analyzeTraces } from '../analyze/analyze.js';
import type { AnalyzeOptions, Report } from '../analyze/types.js';
import { UserError } from '../errors.js';
import type { SqlSession } from '../analyze/sql-engine.js';
import type { TraceBatch } from '../trace/batch.js';

export interface TraceSource {
  /** Short name for headers (file name). */
  label: string;
  analyze(options: AnalyzeOptions): Promise<Report>;
  /** False when the source cannot re-run with a filter (a saved report). */
  canFilter?: boolean;
  /**
   * A fast first report (the sql engine through DuckDB: everything but concurrency, access
   * patterns and the findings that need row order) shown while `analyze` reads every row. May
   * throw: the full one follows anyway.
   */
  quick?(options: AnalyzeOptions): Promise<Report>;
  /**
   * An even faster report of the first rows only, for traces too big for `quick` to answer at
   * once; undefined when the trace is small enough not to need one.
   */
  preview?(options: AnalyzeOptions): Promise<{ report: Report; rowsTotal: number } | undefined>;
}

/** Traces of more rows than twice this get a preview of their first PREVIEW_ROWS rows first. */
export const PREVIEW_ROWS = 1_000_000;

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
  options: { quick?: boolean; previewRows?: number } = {},
): TraceSource {
  const previewRows = options.previewRows ?? PREVIEW_ROWS;
  const source: TraceSource = { label: baseName(path), analyze: (o) => analyzeTraces([path], o) };
  if (options.quick === false) return source;
  let session: Promise<SqlSession> | undefined;
  const open = (): Promise<SqlSession> =>
    (session ??= import('../analyze/sql-engine.js').then(({ SqlSession }) => SqlSession.open([path])));
  source.quick = async (o) => (await open()).report(o);
  source.preview = async (o) => {
    const s = await open();
    if (s.rowsTotal <= 2 * previewRows) return undefined;
    return { report: await s.report(o, previewRows), rowsTotal: s.rowsTotal };
  };
  return source;
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
