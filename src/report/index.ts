/**
 * Self-contained HTML reports: one file per trace (or run of traces), diff, replay or fault run,
 * with SVG charts written at generation time, styles inlined and no network access needed.
 *
 *   const html = traceReportHtml([await collectTrace('trace.parquet')]);
 *
 * Reports embed aggregates only (histograms, timelines, top lists), so their size does not grow
 * with the trace's length.
 */
export { collectTrace, type CollectOptions, type TraceAggregates } from './collect.js';
export { HeatmapAccumulator, type Heatmap } from './heatmap.js';
export { isKernelRoutine, splitErrors } from './kernel-routine.js';
export { traceReportHtml } from './trace-report.js';
export { writeReportFile } from './write.js';
export { diffComparison, replayComparison, type Comparison } from './comparison.js';
export { comparisonReportHtml } from './comparison-report.js';
export { faultsReportHtml } from './faults-report.js';
