/**
 * Trace analysis: summaries, timelines, hot spots, findings and diffs of interposer traces.
 *
 *   const report = await analyzeTrace('trace.parquet', { filter: { ops: ['read'] } });
 *   console.log(formatReportText(report));
 *
 * All report numbers are plain JSON (ns and bytes as numbers); see types.ts.
 */
export {
  analyzeBatches,
  analyzeTrace,
  analyzeTraces,
  ANALYZE_COLUMNS,
  type MultiTraceOptions,
} from './analyze.js';
export { analyzeTracesSql, SQL_DIR, SQL_QUERIES } from './sql-engine.js';
export { resolveTraceInputs, parseSourceFilter, hiveKeys, type SourceFilter } from './inputs.js';
export * from './kernel-routine.js';
export { TraceAnalyzer } from './analyzer.js';
export { diffReports } from './diff.js';
export { formatDiffText, formatReportText } from './format.js';
export { THRESHOLDS } from './findings.js';
export { EXACT_SAMPLE_LIMIT, LogHistogram } from './latency-sketch.js';
export { formatBytes, formatCount, formatDuration, formatShare, parseDuration } from './units.js';
export type * from './types.js';
