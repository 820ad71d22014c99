/**
 * Where the TUI's reports come from: a trace file, in-memory batches (tests, generators) or a
 * report computed elsewhere. Each source re-runs the analysis for a filter.
 */
import { analyzeBatches, analyzeTrace } from '../analyze/analyze.js';
import type { AnalyzeOptions, Report } from '../analyze/types.js';
import { UserError } from '../errors.js';
import type { TraceBatch } from '../trace/batch.js';

export interface TraceSource {
  /** Short name for headers (file name). */
  label: string;
  analyze(options: AnalyzeOptions): Promise<Report>;
  /** False when the source cannot re-run with a filter (a saved report). */
  canFilter?: boolean;
}

function baseName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? path;
}

export function fileSource(path: string): TraceSource {
  return { label: baseName(path), analyze: (options) => analyzeTrace(path, options) };
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
