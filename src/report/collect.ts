/**
 * One pass over a trace for its report: the analyzer's aggregates plus the latency heatmap,
 * fed the same decoded batches so the file is read once.
 */
import { basename } from 'node:path';
import { ANALYZE_COLUMNS, TraceAnalyzer, type AnalyzeOptions, type Report } from '../analyze/index.js';
import { openTrace } from '../trace/reader.js';
import { HeatmapAccumulator, type Heatmap } from './heatmap.js';

export interface TraceAggregates {
  /** File name shown in the report. */
  name: string;
  path: string;
  report: Report;
  heatmap: Heatmap;
  /** Wall clock (ns since the Unix epoch) of start_ns 0; 0n when the trace does not say. */
  anchorNs: bigint;
}

/** The analyzer's options (filter, bucket width, top-list length); the heatmap honours the filter. */
export type CollectOptions = AnalyzeOptions;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function collectTrace(path: string, options: CollectOptions = {}): Promise<TraceAggregates> {
  const trace = await openTrace(path);
  const analyzer = new TraceAnalyzer(options);
  const heatmap = new HeatmapAccumulator(options.filter);
  for await (const batch of trace.batches({ columns: ANALYZE_COLUMNS })) {
    analyzer.add(batch);
    heatmap.add(batch);
    options.onProgress?.(analyzer.rowsSeen, trace.numRows);
    await yieldToEventLoop();
  }
  const report = analyzer.finish({
    source: path,
    schemaVersion: trace.metadata.schemaVersion,
    wallClockAnchorNs: trace.metadata.wallClockAnchorNs.toString(),
    keyValue: trace.metadata.keyValue,
  });
  return {
    name: basename(path),
    path,
    report,
    heatmap: heatmap.finish(),
    anchorNs: trace.metadata.wallClockAnchorNs,
  };
}
