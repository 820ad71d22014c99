/**
 * Where the TUI's reports come from: a trace file, in-memory batches (tests, generators) or a
 * report computed elsewhere. Each source re-runs the analysis for a filter.
 */
import { analyzeBatches, analyzeTraces, type MultiTraceOptions } from '../analyze/analyze.js';
import type { AnalyzeOptions, Report } from '../analyze/types.js';
import { UserError } from '../errors.js';
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
   * A fast first report (the aggregate SQL through DuckDB: no concurrency, access patterns or
   * slowest calls) shown while `analyze` reads every row. May throw: the full one follows anyway.
   */
  quick?(options: MultiTraceOptions): Promise<Report>;
  /** Keeps reading a trace that is still recorded (`--follow`); the TUI then uses only this. */
  follow?: Follow;
}

function baseName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? path;
}

/**
 * A trace file, a directory of traces or a glob (one run: aligned, per-source breakdown). With
 * `quick`, a first report comes from the sql engine while the rows are read (opt-in: on the
 * 2-core machine it measured slower than the stream at 10M rows, see bench/analyze.mjs).
 */
export function fileSource(
  path: string,
  options: { quick?: boolean; follow?: boolean; followIntervalMs?: number } = {},
): TraceSource {
  const source: TraceSource = { label: baseName(path), analyze: (o) => analyzeTraces([path], o) };
  if (options.follow) source.follow = followTraces([path], options.followIntervalMs ?? FOLLOW_INTERVAL_MS);
  if (options.quick)
    source.quick = async (o) => (await import('../analyze/sql-engine.js')).analyzeTracesSql([path], o);
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
