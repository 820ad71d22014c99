/** Entry points: analyze a trace file or a stream of batches into a Report. */
import type { Int64Column, TraceBatch } from '../trace/batch.js';
import { openTrace, TraceFormatError, type TraceFile } from '../trace/reader.js';
import { METADATA_KEYS } from '../trace/schema.js';
import { TraceAnalyzer } from './analyzer.js';
import { hiveKeys, resolveTraceInputs, sourceMatches, type SourceFilter } from './inputs.js';
import type { AnalyzeOptions, Report, SourceStats } from './types.js';

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
  return analyzeTraceFiles([path], options);
}

export interface MultiTraceOptions extends AnalyzeOptions {
  /** Keep only trace files whose source keys match (node=..., pod=..., hostname=..., file=...). */
  sourceFilter?: SourceFilter;
}

/**
 * Analyzes several trace files, directories or globs as one run: the traces of every node and
 * pod of one run, aligned on wall-clock time through each file's anchor, with a per-source
 * breakdown in `report.sources`.
 */
export async function analyzeTraces(
  inputs: readonly string[],
  options: MultiTraceOptions = {},
): Promise<Report> {
  return analyzeTraceFiles(await resolveTraceInputs(inputs), options);
}

/** The keys a source filter can use: hive keys, hostname (metadata, else node=), file, source (the label). */
export function sourceKeysOf(trace: TraceFile): Record<string, string> {
  const keys: Record<string, string> = { ...hiveKeys(trace.path), file: trace.path };
  const hostname = trace.metadata.keyValue[METADATA_KEYS.hostname] ?? keys.node;
  if (hostname !== undefined) keys.hostname = hostname;
  // The label the Sources table shows (node/namespace/pod/volume, else the file name).
  keys.source = sourceLabel(keys, trace.path);
  return keys;
}

/** A source's entry of report.sources from its trace file, time offset and numbers. */
export function describeSource(
  t: TraceFile,
  offsetNs: bigint,
  n: { calls: number; bytes: number; errors: number; timeNs: number; first: number; last: number },
  ioTimeNs: number,
): SourceStats {
  const keys = sourceKeysOf(t);
  return {
    file: t.path,
    label: sourceLabel(keys, t.path),
    hostname: keys.hostname ?? null,
    pod: keys.pod ?? null,
    namespace: keys.namespace ?? null,
    volume: keys.volume ?? t.metadata.keyValue[METADATA_KEYS.mountpoint] ?? null,
    keys: hiveKeys(t.path),
    wallClockAnchorNs: t.metadata.wallClockAnchorNs > 0n ? t.metadata.wallClockAnchorNs.toString() : null,
    offsetNs: Number(offsetNs),
    calls: n.calls,
    bytes: n.bytes,
    errors: n.errors,
    timeNs: n.timeNs,
    shareOfTime: ioTimeNs > 0 ? n.timeNs / ioTimeNs : 0,
    firstStartNs: n.first,
    lastEndNs: n.last,
  };
}

/** Offsets aligning each trace on the earliest anchor (traces without an anchor keep their clock). */
export function alignmentOf(traces: readonly TraceFile[]): { origin: bigint; offsets: bigint[] } {
  const anchors = traces.map((t) => t.metadata.wallClockAnchorNs);
  const known = anchors.filter((a) => a > 0n);
  const origin = known.length ? known.reduce((m, a) => (a < m ? a : m)) : 0n;
  return { origin, offsets: anchors.map((a) => (a > 0n ? a - origin : 0n)) };
}

function sourceLabel(keys: Record<string, string>, path: string): string {
  const parts = ['node', 'namespace', 'pod', 'volume'].flatMap((k) => (keys[k] ? [keys[k]] : []));
  return parts.length ? parts.join('/') : (path.split('/').pop() ?? path);
}

/** start_ns + offset, as a new column (the batch's own arrays may be shared). */
function shifted(batch: TraceBatch, offsetNs: bigint): TraceBatch {
  if (offsetNs === 0n) return batch;
  const col = batch.columns.start_ns as Int64Column;
  const values = new BigInt64Array(batch.length);
  for (let i = 0; i < batch.length; i++) values[i] = col.values[i]! + offsetNs;
  return { length: batch.length, columns: { ...batch.columns, start_ns: { ...col, values } } };
}

/** When the batch's first call ended: the order in which row groups of several traces interleave. */
function firstEnd(batch: TraceBatch): bigint {
  const s = batch.columns.start_ns as Int64Column;
  const d = batch.columns.duration_ns as Int64Column;
  return batch.length ? s.values[0]! + d.values[0]! : 0n;
}

/** Index of the head batch whose first call ended first (-1 when every source is exhausted). */
function earliestHead(heads: readonly (TraceBatch | null)[]): number {
  let pick = -1;
  for (let i = 0; i < heads.length; i++) {
    const h = heads[i];
    if (h && (pick < 0 || firstEnd(h) < firstEnd(heads[pick]!))) pick = i;
  }
  return pick;
}

/**
 * The batches of several sources, interleaved by when each batch's first call ended (so the
 * concurrency sweep sees a nearly ordered stream across sources), each shifted by its source's
 * offset onto the common clock, with the index of the source it came from. Ending early (a
 * break, an error, a source that fails) ends every source's stream too: one left suspended would
 * keep its trace file open until garbage collection closed it (with a warning).
 */
export async function* interleaveSources(
  sources: readonly { batches: AsyncIterable<TraceBatch>; offsetNs: bigint }[],
): AsyncGenerator<{ batch: TraceBatch; source: number }> {
  const streams = sources.map((s) => s.batches[Symbol.asyncIterator]());
  const next = async (i: number): Promise<TraceBatch | null> => {
    const r = await streams[i]!.next();
    return r.done ? null : shifted(r.value, sources[i]!.offsetNs);
  };
  try {
    const heads = await Promise.all(streams.map((_, i) => next(i)));
    for (;;) {
      const pick = earliestHead(heads);
      if (pick < 0) return;
      yield { batch: heads[pick]!, source: pick };
      heads[pick] = await next(pick);
    }
  } finally {
    await Promise.allSettled(streams.map((s) => s.return?.()));
  }
}

async function analyzeTraceFiles(paths: readonly string[], options: MultiTraceOptions): Promise<Report> {
  const opened = await Promise.all(paths.map((p) => openTrace(p)));
  const traces = opened.filter(
    (t) => !options.sourceFilter || sourceMatches(sourceKeysOf(t), options.sourceFilter),
  );
  if (traces.length === 0)
    throw new TraceFormatError(`no trace matches the source filter (of ${opened.length})`);
  const { origin, offsets } = alignmentOf(traces);

  const analyzer = new TraceAnalyzer(options);
  const rowsTotal = traces.reduce((sum, t) => sum + t.numRows, 0);
  const sources = traces.map((t, i) => ({
    batches: t.batches({ columns: ANALYZE_COLUMNS }),
    offsetNs: offsets[i]!,
  }));
  for await (const { batch, source } of interleaveSources(sources)) {
    analyzer.add(batch, source);
    options.onProgress?.(analyzer.rowsSeen, rowsTotal);
    await yieldToEventLoop();
  }

  const first = traces[0]!;
  const report = analyzer.finish({
    source: traces.length === 1 ? first.path : `${traces.length} traces (${first.path}, ...)`,
    schemaVersion: first.metadata.schemaVersion,
    wallClockAnchorNs: (traces.length === 1 ? first.metadata.wallClockAnchorNs : origin).toString(),
    keyValue: first.metadata.keyValue,
  });
  const totals = analyzer.sourceTotals();
  const io = report.totals.ioTimeNs;
  report.sources = traces.map((t, i) =>
    describeSource(
      t,
      offsets[i]!,
      totals[i] ?? { calls: 0, bytes: 0, errors: 0, timeNs: 0, first: 0, last: 0 },
      io,
    ),
  );
  if (options.sourceFilter) report.meta.filter.sources = { ...options.sourceFilter };
  return report;
}
