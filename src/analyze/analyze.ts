/** Entry points: analyze a trace file or a stream of batches into a Report. */
import type { TraceBatch } from '../trace/batch.js';
import { TraceAnalyzer } from './analyzer.js';
import { openTrace } from '../trace/reader.js';
import type { AnalyzeOptions, Report } from './types.js';

/** Columns the analyzer reads: all but end_ns (= start_ns + duration_ns), mode, gid, fault_truncated_to. */
export const ANALYZE_COLUMNS = [
  'seq',
  'op',
  'path',
  'path2',
  'fh',
  'offset',
  'size',
  'bytes',
  'errno',
  'flags',
  'start_ns',
  'duration_ns',
  'pid',
  'tid',
  'uid',
  'comm',
  'fault_kind',
  'fault_errno',
  'fault_delay_ns',
  'throttle_wait_ns',
];

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Summarises batches (sync or async iterable). Yields to the event loop between batches so a UI
 * in the same process stays responsive.
 */
export async function analyzeBatches(
  batches: Iterable<TraceBatch> | AsyncIterable<TraceBatch>,
  options: AnalyzeOptions = {},
  rowsTotal = 0,
  meta: Parameters<TraceAnalyzer['finish']>[0] = {},
): Promise<Report> {
  const analyzer = new TraceAnalyzer(options);
  for await (const batch of batches) {
    analyzer.add(batch);
    options.onProgress?.(analyzer.rowsSeen, rowsTotal);
    await yieldToEventLoop();
  }
  return analyzer.finish(meta);
}

/** Streams a trace file (bounded memory). Missing or corrupt files throw the reader's TraceFormatError. */
export async function analyzeTrace(path: string, options: AnalyzeOptions = {}): Promise<Report> {
  const trace = await openTrace(path);
  return analyzeBatches(trace.batches({ columns: ANALYZE_COLUMNS }), options, trace.numRows, {
    source: path,
    schemaVersion: trace.metadata.schemaVersion,
    wallClockAnchorNs: trace.metadata.wallClockAnchorNs.toString(),
    keyValue: trace.metadata.keyValue,
  });
}
