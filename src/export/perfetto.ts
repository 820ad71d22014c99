/**
 * Trace → Chrome trace-event JSON ("JSON Object Format"), which ui.perfetto.dev and
 * chrome://tracing open: one process per pid, one thread track per tid, a complete event
 * ("X") per operation, thread-scoped instants for injected faults and global instants for
 * marker rows. Written as the batches stream in; the only state kept between batches is per
 * process/thread/lane (names, the end of each lane's last slice).
 *
 * Timestamps are microseconds written as exact decimals ("12.345" = 12345 ns). By default they
 * are capture-relative (start_ns / 1000): a double holds those to the nanosecond for ~100 days
 * of capture. With clock "wall" they are Unix-epoch microseconds (anchor + start_ns); a double
 * then resolves only ~0.25 µs, so viewers round them, but they line up with other wall-clock
 * traces.
 */
import { errnoName } from '../analyze/errno.js';
import type { Int32Column, Int64Column, StringColumn, TraceBatch } from '../trace/batch.js';
import { encodedDictionary, int32Column, int64Column, isNull, stringAt, stringColumn } from './columns.js';
import { ChunkWriter } from './chunks.js';
import { LaneAllocator, type Lane, type Track } from './lanes.js';
import type { TextSink } from './sink.js';

export type ClockMode = 'relative' | 'wall';

export interface PerfettoOptions {
  clock: ClockMode;
  wallClockAnchorNs: bigint;
  /** Key-value metadata of the trace file, copied into the output's "metadata". */
  traceMetadata: Record<string, string>;
}

/** Columns the Perfetto export reads. */
export const PERFETTO_COLUMNS = [
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
  'mode',
  'start_ns',
  'end_ns',
  'pid',
  'tid',
  'uid',
  'gid',
  'comm',
  'fault_kind',
  'fault_errno',
  'fault_delay_ns',
  'fault_truncated_to',
  'throttle_wait_ns',
] as const;

export const KERNEL_TRACK_NAME = 'kernel';
export const KERNEL_THREAD_NAME = 'kernel (no caller: release, write-back)';

export interface PerfettoCounts {
  /** Complete events ("X"), one per file-system operation. */
  operations: number;
  /** Global instants, one per marker row (op "event"). */
  markers: number;
  /** Thread instants, one per row with an injected fault. */
  faults: number;
  /** Synthetic thread tracks created for operations overlapping on one thread. */
  overlapLanes: number;
}

const json = (value: string): string => JSON.stringify(value);

/** Exact decimal microseconds from whole µs and the remaining ns (0..999). */
export function micros(wholeUs: number, fracNs: number): string {
  if (fracNs === 0) return String(wholeUs);
  // Three digits, trailing zeros dropped; no regex, this runs twice per row.
  if (fracNs % 100 === 0) return `${wholeUs}.${fracNs / 100}`;
  if (fracNs % 10 === 0) return `${wholeUs}.${fracNs < 100 ? '0' : ''}${fracNs / 10}`;
  return `${wholeUs}.${fracNs < 10 ? '00' : fracNs < 100 ? '0' : ''}${fracNs}`;
}

function relativeMicros(ns: number): string {
  const whole = Math.floor(ns / 1000);
  return micros(whole, ns - whole * 1000);
}

/**
 * Smallest gap between two slices of one lane that viewers still see as disjoint. They parse
 * µs into a double and truncate µs * 1000 to ns: both ends of a slice may move by up to one
 * unit in the last place (ULP) of the timestamp, 1 ns at capture-relative magnitudes, ~0.25 µs
 * at Unix-epoch ones.
 */
function minGapNs(baseUs: number): number {
  const ulpNs = baseUs > 0 ? 2 ** (Math.floor(Math.log2(baseUs)) - 52) * 1000 : 0;
  return Math.max(1, Math.ceil(2 * ulpNs) + 1);
}

export class PerfettoEncoder {
  private readonly lanes: LaneAllocator;
  private readonly processNames = new Map<number, string>();
  private readonly threadNames = new Map<Track, string>();
  private first = true;
  private readonly out: ChunkWriter;
  private readonly counts: PerfettoCounts = { operations: 0, markers: 0, faults: 0, overlapLanes: 0 };
  /** Anchor split so wall-clock µs stay exact in doubles: whole µs + 0..999 ns. */
  private readonly anchorUs: number;
  private readonly anchorRemNs: number;

  constructor(
    private readonly sink: TextSink,
    private readonly options: PerfettoOptions,
  ) {
    this.out = new ChunkWriter(sink);
    const anchor = options.clock === 'wall' ? options.wallClockAnchorNs : 0n;
    this.anchorUs = Number(anchor / 1000n);
    this.anchorRemNs = Number(anchor % 1000n);
    this.lanes = new LaneAllocator(minGapNs(this.anchorUs));
  }

  async begin(): Promise<void> {
    this.out.append('{"traceEvents":[\n');
    await this.out.drain();
  }

  private timestamp(ns: number): string {
    if (this.options.clock === 'relative') return relativeMicros(ns);
    const total = this.anchorRemNs + ns;
    const whole = Math.floor(total / 1000);
    return micros(this.anchorUs + whole, total - whole * 1000);
  }

  private emit(event: string): void {
    if (this.first) this.first = false;
    else this.out.append(',\n');
    this.out.append(event);
  }

  private metadataEvent(
    kind: 'process_name' | 'thread_name',
    pid: number,
    tid: number,
    name: string,
  ): string {
    return `{"name":"${kind}","ph":"M","ts":0,"pid":${pid},"tid":${tid},"args":{"name":${json(name)}}}`;
  }

  /** Names a process on first sight, and again when its command name changes (exec). */
  private nameProcess(pid: number, comm: string | null, kernel: boolean): void {
    const known = this.processNames.get(pid);
    const name = kernel ? KERNEL_TRACK_NAME : (comm ?? known ?? `pid ${pid}`);
    if (known === name) return;
    this.processNames.set(pid, name);
    // tid = pid: Perfetto binds every event's (pid, tid) pair, and tid 0 is the kernel track.
    this.emit(this.metadataEvent('process_name', pid, pid, name));
  }

  private nameThread(track: Track, comm: string | null, kernel: boolean): void {
    const known = this.threadNames.get(track);
    const name = kernel ? KERNEL_THREAD_NAME : (comm ?? known ?? `tid ${track.tid}`);
    if (known === name) return;
    this.threadNames.set(track, name);
    this.emit(this.metadataEvent('thread_name', track.pid, track.tid, name));
  }

  private nameLane(track: Track, lane: Lane): void {
    const owner = this.threadNames.get(track) ?? `tid ${track.tid}`;
    const name = `${owner} ${track.tid} (overlapping ops, lane ${lane.index})`;
    this.emit(this.metadataEvent('thread_name', lane.pid, lane.tid, name));
  }

  /** Writes the events of `rows` (indices into `batch`), in start order within the batch. */
  async writeBatch(batch: TraceBatch, rows: Uint32Array): Promise<void> {
    const seq = int64Column(batch, 'seq').values;
    const op = stringColumn(batch, 'op');
    const opName = encodedDictionary(op, (s) => s);
    const opJson = encodedDictionary(op, json);
    const startCol = int64Column(batch, 'start_ns').values;
    const endCol = int64Column(batch, 'end_ns').values;
    const pidCol = int32Column(batch, 'pid').values;
    const tidCol = int32Column(batch, 'tid').values;
    const comm = stringColumn(batch, 'comm');
    const faultKind = stringColumn(batch, 'fault_kind');
    const args = new ArgsEncoder(batch);

    const starts = new Float64Array(batch.length);
    let sorted = true;
    let previous = -Infinity;
    for (const i of rows) {
      const s = Number(startCol[i]!);
      starts[i] = s;
      if (s < previous) sorted = false;
      previous = s;
    }
    // Rows arrive in completion order; start order inside the window keeps lanes minimal.
    const order = sorted ? rows : Uint32Array.from(rows).sort((a, b) => starts[a]! - starts[b]! || a - b);

    for (const i of order) {
      if (this.out.pendingChunks > 0) await this.out.drain();
      const startNs = starts[i]!;
      const endNs = Math.max(startNs, Number(endCol[i]!));
      let pid = pidCol[i]!;
      let tid = tidCol[i]!;
      const kernel = pid === 0 || tid === 0;
      if (kernel) pid = tid = 0;
      const rowComm = stringAt(comm, i);
      this.nameProcess(pid, rowComm, kernel);
      const { track } = this.lanes.track(pid, tid);
      this.nameThread(track, rowComm, kernel);
      const name = opName(i) ?? 'unknown';
      const ts = this.timestamp(startNs);

      if (name === 'event') {
        const label = stringAt(stringColumn(batch, 'path'), i) ?? 'event';
        const detail = stringAt(stringColumn(batch, 'path2'), i);
        const detailArg = detail === null ? '' : `,"detail":${json(detail)}`;
        this.emit(
          `{"name":${json(label)},"cat":"marker","ph":"i","s":"g","ts":${ts},"pid":${pid},"tid":${tid},"args":{"seq":${seq[i]}${detailArg}}}`,
        );
        this.counts.markers++;
        continue;
      }

      const { lane, created } = this.lanes.place(track, startNs, endNs);
      if (created) this.nameLane(track, lane);
      const dur = relativeMicros(endNs - startNs);
      this.emit(
        `{"name":${opJson(i) ?? '"unknown"'},"cat":"fs","ph":"X","ts":${ts},"dur":${dur},"pid":${pid},"tid":${lane.tid},"args":${args.operation(i)}}`,
      );
      this.counts.operations++;

      const kind = stringAt(faultKind, i);
      if (kind !== null) {
        this.emit(
          `{"name":${json(`fault:${kind}`)},"cat":"fault","ph":"i","s":"t","ts":${ts},"pid":${pid},"tid":${lane.tid},"args":${args.fault(i, name)}}`,
        );
        this.counts.faults++;
      }
    }
    await this.out.drain();
  }

  /** Closes the event array and writes the document's metadata; returns what was written. */
  async end(extra: Record<string, string | number>): Promise<PerfettoCounts> {
    this.counts.overlapLanes = this.lanes.extraLaneCount;
    const anchor = this.options.wallClockAnchorNs;
    const metadata: Record<string, string | number> = {
      ...this.options.traceMetadata,
      'interposer.export.clock': this.options.clock,
      'interposer.export.wall_clock_start': new Date(Number(anchor / 1_000_000n)).toISOString(),
      'interposer.export.operations': this.counts.operations,
      'interposer.export.markers': this.counts.markers,
      'interposer.export.faults': this.counts.faults,
      'interposer.export.overlap_lanes': this.counts.overlapLanes,
      ...extra,
    };
    this.out.append(`\n],"displayTimeUnit":"ns","metadata":${JSON.stringify(metadata)}}\n`);
    await this.out.drain(true);
    return { ...this.counts };
  }
}

/** Builds the "args" objects of one batch, escaping each distinct string only once. */
class ArgsEncoder {
  private readonly seq: BigInt64Array;
  private readonly path: (i: number) => string | null;
  private readonly path2: (i: number) => string | null;
  private readonly faultKind: StringColumn;
  private readonly int64s: Record<Int64Arg, Int64Column>;
  private readonly int32s: Record<Int32Arg, Int32Column>;

  constructor(batch: TraceBatch) {
    this.seq = int64Column(batch, 'seq').values;
    this.path = encodedDictionary(stringColumn(batch, 'path'), json);
    this.path2 = encodedDictionary(stringColumn(batch, 'path2'), json);
    this.faultKind = stringColumn(batch, 'fault_kind');
    this.int64s = Object.fromEntries(INT64_ARGS.map((n) => [n, int64Column(batch, n)])) as Record<
      Int64Arg,
      Int64Column
    >;
    this.int32s = Object.fromEntries(INT32_ARGS.map((n) => [n, int32Column(batch, n)])) as Record<
      Int32Arg,
      Int32Column
    >;
  }

  private int64(name: Int64Arg, i: number): string | null {
    const col = this.int64s[name];
    return isNull(col, i) ? null : col.values[i]!.toString();
  }

  private int32(name: Int32Arg, i: number): number | null {
    const col = this.int32s[name];
    return isNull(col, i) ? null : col.values[i]!;
  }

  operation(i: number): string {
    // Plain concatenation: this runs once per row and dominates the export's CPU time.
    let out = `{"seq":${this.seq[i]},"path":${this.path(i) ?? '""'}`;
    const path2 = this.path2(i);
    if (path2 !== null) out += `,"path2":${path2}`;
    for (const name of HANDLE_ARGS) {
      const v = this.int64(name, i);
      if (v !== null) out += `,"${name}":${v}`;
    }
    const errno = this.int32('errno', i) ?? 0;
    out += `,"errno":${errno}`;
    if (errno !== 0) out += `,"errno_name":${json(errnoName(errno))}`;
    const flags = this.int32('flags', i);
    if (flags !== null) out += `,"flags":${flags}`;
    const mode = this.int32('mode', i);
    if (mode !== null) out += `,"mode":"0${(mode >>> 0).toString(8)}"`;
    out += `,"uid":${this.int32('uid', i)},"gid":${this.int32('gid', i)}`;
    const kind = stringAt(this.faultKind, i);
    if (kind !== null) out += `,"fault_kind":${json(kind)}`;
    const wait = this.int64('throttle_wait_ns', i);
    if (wait !== null) out += `,"throttle_wait_ns":${wait}`;
    return out + '}';
  }

  fault(i: number, op: string): string {
    const parts = [`"seq":${this.seq[i]}`, `"op":${json(op)}`, `"path":${this.path(i) ?? '""'}`];
    const errno = this.int32('fault_errno', i);
    if (errno !== null) parts.push(`"fault_errno":${errno}`, `"fault_errno_name":${json(errnoName(errno))}`);
    for (const name of FAULT_ARGS) {
      const v = this.int64(name, i);
      if (v !== null) parts.push(`"${name}":${v}`);
    }
    return `{${parts.join(',')}}`;
  }
}

const INT64_ARGS = [
  'fh',
  'offset',
  'size',
  'bytes',
  'fault_delay_ns',
  'fault_truncated_to',
  'throttle_wait_ns',
] as const;
type Int64Arg = (typeof INT64_ARGS)[number];
const HANDLE_ARGS = ['fh', 'offset', 'size', 'bytes'] as const;
const FAULT_ARGS = ['fault_delay_ns', 'fault_truncated_to', 'throttle_wait_ns'] as const;
const INT32_ARGS = ['errno', 'flags', 'mode', 'uid', 'gid', 'fault_errno'] as const;
type Int32Arg = (typeof INT32_ARGS)[number];
