/**
 * Following traces that are still being recorded (`interposer-tui --follow`). A live trace has
 * no footer yet; its journal lists every row group written so far, so each poll reads the
 * journal's new records (LiveTrace: never the whole journal again) and feeds only the row groups
 * added since the last poll to one long-lived analyzer. The report of each poll is a
 * snapshot of that analyzer: the rows are read once, however long the recording runs.
 */
import { LiveTrace } from '../trace/live.js';
import { TraceFormatError, type TraceFile } from '../trace/reader.js';
import {
  ANALYZE_COLUMNS,
  describeSource,
  interleaveSources,
  sourceKeysOf,
  type MultiTraceOptions,
} from './analyze.js';
import { TraceAnalyzer } from './analyzer.js';
import { resolveTraceInputs, sourceMatches } from './inputs.js';
import type { Report } from './types.js';

export interface FollowStatus {
  /** Rows analyzed so far, over every followed file. */
  rows: number;
  /** Rows the last poll added (0: nothing new was written). */
  newRows: number;
  /** Trace files followed (a directory or glob picks up files that appear later). */
  files: number;
  /** Every file has its footer: the recordings ended (files may still appear in a directory). */
  complete: boolean;
}

export interface FollowUpdate {
  report: Report;
  status: FollowStatus;
}

interface Followed {
  trace: TraceFile;
  /** Index among the followed files: the analyzer's source number. */
  index: number;
  /** Row groups already fed to the analyzer. */
  rowGroupsRead: number;
  offsetNs: bigint;
}

export class TraceFollower {
  private readonly analyzer: TraceAnalyzer;
  private readonly files = new Map<string, Followed>();
  /** Per path: re-opens read only what the journal gained since (see LiveTrace). */
  private readonly live = new Map<string, LiveTrace>();
  /** Wall-clock origin fixed by the first poll (later files are placed relative to it). */
  private originNs: bigint | undefined;
  private lastReport: Report | undefined;

  constructor(
    private readonly inputs: readonly string[],
    private readonly options: Omit<MultiTraceOptions, 'onProgress'> = {},
  ) {
    this.analyzer = new TraceAnalyzer(options);
  }

  /**
   * Reads what was written since the last poll and returns the report of everything so far.
   * Throws the reader's errors (no such file yet, no trace matching the filter); the caller may
   * simply poll again later. `onProgress` reports rows while a large backlog is read.
   */
  async poll(onProgress?: (rowsDone: number, rowsTotal: number) => void): Promise<FollowUpdate> {
    const traces = await this.openAll();
    const before = this.analyzer.rowsSeen;
    const pending = traces.reduce(
      (n, f) => n + f.trace.meta.rowGroups.slice(f.rowGroupsRead).reduce((m, rg) => m + rg.numRows, 0),
      0,
    );
    await this.feed(traces, (done) => onProgress?.(done - before, pending));
    const newRows = this.analyzer.rowsSeen - before;
    const status: FollowStatus = {
      rows: this.analyzer.rowsSeen,
      newRows,
      files: this.files.size,
      complete: traces.every((f) => !f.trace.recovered),
    };
    // Nothing new: the previous snapshot still holds (and costs nothing to hand out again).
    if (newRows === 0 && this.lastReport) return { report: this.lastReport, status };
    this.lastReport = this.snapshot();
    return { report: this.lastReport, status };
  }

  /** Re-opens every input (new row groups, new files), keeping those the source filter allows. */
  private async openAll(): Promise<Followed[]> {
    const paths = await resolveTraceInputs(this.inputs);
    const opened = await Promise.all(
      paths.map((p) => {
        let live = this.live.get(p);
        if (!live) this.live.set(p, (live = new LiveTrace(p)));
        return live.open();
      }),
    );
    const wanted = opened.filter(
      (t) => !this.options.sourceFilter || sourceMatches(sourceKeysOf(t), this.options.sourceFilter),
    );
    if (wanted.length === 0)
      throw new TraceFormatError(`no trace matches the source filter (of ${opened.length})`);
    if (this.originNs === undefined) {
      const anchors = wanted.map((t) => t.metadata.wallClockAnchorNs).filter((a) => a > 0n);
      this.originNs = anchors.length ? anchors.reduce((m, a) => (a < m ? a : m)) : 0n;
    }
    const origin = this.originNs;
    return wanted.map((trace) => {
      const known = this.files.get(trace.path);
      if (known) {
        if (trace.numRowGroups < known.rowGroupsRead)
          throw new TraceFormatError(
            `${trace.path}: has fewer row groups than when it was last read (replaced or truncated?)`,
          );
        known.trace = trace;
        return known;
      }
      const anchor = trace.metadata.wallClockAnchorNs;
      const entry: Followed = {
        trace,
        index: this.files.size,
        rowGroupsRead: 0,
        offsetNs: anchor > 0n && origin > 0n ? anchor - origin : 0n,
      };
      this.files.set(trace.path, entry);
      return entry;
    });
  }

  /** Feeds the new row groups of every file, interleaved by completion time (as analyzeTraces). */
  private async feed(all: Followed[], progress: (rowsDone: number) => void): Promise<void> {
    // Files with nothing new are not even opened.
    const traces = all.filter((f) => f.trace.numRowGroups > f.rowGroupsRead);
    const sources = traces.map((f) => ({
      batches: f.trace.batches({ columns: ANALYZE_COLUMNS, fromRowGroup: f.rowGroupsRead }),
      offsetNs: f.offsetNs,
    }));
    for await (const { batch, source } of interleaveSources(sources)) {
      this.analyzer.add(batch, traces[source]!.index);
      traces[source]!.rowGroupsRead++;
      progress(this.analyzer.rowsSeen);
      // A UI in the same process stays responsive while a backlog is read.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private snapshot(): Report {
    const files = [...this.files.values()];
    const first = files[0]!.trace;
    const report = this.analyzer.snapshot({
      source: files.length === 1 ? first.path : `${files.length} traces (${first.path}, ...)`,
      schemaVersion: first.metadata.schemaVersion,
      wallClockAnchorNs: (files.length === 1 ? first.metadata.wallClockAnchorNs : this.originNs!).toString(),
      keyValue: first.metadata.keyValue,
    });
    const totals = this.analyzer.sourceTotals();
    const io = report.totals.ioTimeNs;
    report.sources = files.map((f) =>
      describeSource(
        f.trace,
        f.offsetNs,
        totals[f.index] ?? { calls: 0, bytes: 0, errors: 0, timeNs: 0, first: 0, last: 0 },
        io,
      ),
    );
    if (this.options.sourceFilter) report.meta.filter.sources = { ...this.options.sourceFilter };
    return report;
  }
}
