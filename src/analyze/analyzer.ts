/**
 * Streaming trace analyzer: feed TraceBatches with `add`, get the Report from `finish`.
 * Works on the batches' typed arrays directly (no object per row); memory is bounded by the
 * number of distinct paths, processes and open file handles, not by the number of rows.
 */
import type { TraceBatch } from '../trace/batch.js';
import { OPS, OP_CODE, type FaultKind, type Op } from '../trace/schema.js';
import {
  int32Column,
  int64Column,
  int64ToFloat64,
  requireColumn,
  stringColumn,
  StringInterner,
} from './columns.js';
import { ConcurrencyTracker } from './concurrency.js';
import { errnoName } from './errno.js';
import { KERNEL_ROUTINE_DESCRIPTIONS, KERNEL_ROUTINE_KINDS, kernelRoutineCode } from './kernel-routine.js';
import { compileFilter, type CompiledFilter } from './filter.js';
import { buildFindings, type GroupStat } from './findings.js';
import { floorLog2, LogHistogram, relativeErrorBound } from './latency-sketch.js';
import { Float64Table, TopN, topIds } from './tables.js';
import { TIMELINE_RELATIVE_ERROR, TimelineAccumulator } from './timeline.js';
import type {
  AccessPattern,
  AnalyzeOptions,
  CountEntry,
  HotEntry,
  HotLists,
  Marker,
  OpStats,
  ProcessStats,
  Report,
  ReportMeta,
  SizeBucket,
  SlowCall,
  Timeline,
  WritePatternClass,
} from './types.js';

export const DEFAULT_TOP = 20;
const MAX_MARKERS = 1000;
/** Per-op latency sketch precision (relative error 1/256); the sql engine's fast plan uses it too. */
export const LATENCY_SUB_BITS = 7;
const SIZE_BUCKETS = 66;

const OP_READ = OP_CODE.read;
const OP_WRITE = OP_CODE.write;
const OP_COPY = OP_CODE.copy_file_range;
const OP_EVENT = OP_CODE.event;
const OP_OPEN = OP_CODE.open;
const OP_CREATE = OP_CODE.create;
const OP_RELEASE = OP_CODE.release;
const OP_FSYNC = OP_CODE.fsync;
const OP_FSYNCDIR = OP_CODE.fsyncdir;
/** Index into syncStats: fsync, fdatasync, fsyncdir. */
const SYNC_CALLS = ['fsync', 'fdatasync', 'fsyncdir'] as const;
/** Ops whose path is a directory: they count toward that directory itself in hot directories. */
const DIRECTORY_OPS = new Uint8Array(OPS.length);
for (const op of ['mkdir', 'rmdir', 'opendir', 'readdir', 'releasedir', 'fsyncdir'] as Op[])
  DIRECTORY_OPS[OP_CODE[op]] = 1;

const PATH_FIELDS = [
  'ops',
  'bytes',
  'readBytes',
  'writeBytes',
  'timeNs',
  'errors',
  'reads',
  'writes',
  'sequential',
  'dataTimeNs',
  // Write pattern (by path, completion order): previous write's start and end, largest end.
  'writesWithOffset',
  'lastWriteStart',
  'lastWriteEnd',
  'maxWriteEnd',
  'appendWrites',
  'rewriteWrites',
  'advanceWrites',
] as const;
const DIR_FIELDS = ['ops', 'bytes', 'readBytes', 'writeBytes', 'timeNs', 'errors'] as const;
const PROCESS_FIELDS = [
  'pid',
  'uid',
  'comm',
  'ops',
  'bytes',
  'readBytes',
  'writeBytes',
  'timeNs',
  'errors',
  'first',
  'last',
] as const;
const SOURCE_FIELDS = ['calls', 'bytes', 'errors', 'timeNs', 'first', 'last'] as const;
const GROUP_FIELDS = ['count', 'timeNs', 'bytes', 'minSize', 'maxSize', 'group', 'key'] as const;

interface OpAccumulator {
  count: number;
  errors: number;
  bytes: number;
  timeNs: number;
  latency: LogHistogram;
  errnoCounts: Map<number, number>;
  errnoTimeNs: Map<number, number>;
  injectedCounts: Map<number, number>;
  routineCounts: Map<number, number>;
}

interface CallAccumulator {
  count: number;
  errors: number;
  timeNs: number;
  maxNs: number;
  errnoCounts: Map<number, number>;
}

function newCallAccumulator(): CallAccumulator {
  return { count: 0, errors: 0, timeNs: 0, maxNs: 0, errnoCounts: new Map() };
}

function addCall(acc: CallAccumulator, dur: number, err: number): void {
  acc.count++;
  acc.timeNs += dur;
  if (dur > acc.maxNs) acc.maxNs = dur;
  if (err !== 0) {
    acc.errors++;
    acc.errnoCounts.set(err, (acc.errnoCounts.get(err) ?? 0) + 1);
  }
}

/** Request-size bucket: 0 for size 0, k >= 1 for 2^(k-1) <= size < 2^k. */
export function sizeBucketOf(size: number): number {
  return size < 1 ? 0 : floorLog2(size) + 1;
}

export function sizeBucketBounds(bucket: number): [number, number] {
  return bucket === 0 ? [0, 1] : [2 ** (bucket - 1), 2 ** bucket];
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** "/data/a/x.db" -> "/data/a/*.db"; "/data/log" -> "/data/*". */
function pathGroupOf(path: string): string {
  const dir = dirname(path);
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot) : '';
  return `${dir === '/' ? '' : dir}/*${ext}`;
}

function opCodesOf(dictionary: readonly string[]): Int32Array {
  const codes = new Int32Array(dictionary.length);
  for (let i = 0; i < dictionary.length; i++) {
    const code = OP_CODE[dictionary[i] as Op];
    codes[i] = code === undefined ? -1 : code;
  }
  return codes;
}

/** Reusable conversion buffers for int64 columns. */
class Scratch {
  private readonly buffers = new Map<string, Float64Array>();

  floats(
    batch: TraceBatch,
    name: string,
  ): { values: Float64Array; valid: Uint8Array | undefined } | undefined {
    const col = int64Column(batch, name);
    if (!col) return undefined;
    let buf = this.buffers.get(name);
    if (!buf || buf.length < batch.length) {
      buf = new Float64Array(Math.max(batch.length, 1024));
      this.buffers.set(name, buf);
    }
    return { values: int64ToFloat64(col.values.subarray(0, batch.length), buf), valid: col.valid };
  }
}

/** What the caller knows about the trace, for the report's meta. */
export type ReportMetaInput = Partial<
  Pick<ReportMeta, 'source' | 'schemaVersion' | 'wallClockAnchorNs' | 'keyValue'>
>;

export class TraceAnalyzer {
  private readonly filter: CompiledFilter;
  private readonly top: number;
  private readonly scratch = new Scratch();
  private readonly paths = new StringInterner();
  private readonly dirs = new StringInterner();
  private readonly groups = new StringInterner();
  private readonly comms = new StringInterner();
  private readonly pathTable = new Float64Table(PATH_FIELDS);
  private readonly dirTable = new Float64Table(DIR_FIELDS);
  private readonly processTable = new Float64Table(PROCESS_FIELDS);
  private readonly groupTable = new Float64Table(GROUP_FIELDS);
  private readonly processSlots = new Map<number, number>();
  private lastPid = -1;
  private lastPidSlot = 0;
  private readonly groupSlots = new Map<number, number>();
  private readonly sizeHistograms = new Map<number, Float64Array>();
  /** Per path id: directory id for non-directory ops (-1 = not computed yet). */
  private dirOfPath: Int32Array = new Int32Array(256).fill(-1);
  private groupOfPath: Int32Array = new Int32Array(256).fill(-1);
  /** End offset of the last read/write per handle (key fh*2+isWrite) or per path (pathId*2+isWrite). */
  private readonly lastEndByFh = new Map<number, number>();
  private readonly lastEndByPath = new Map<number, number>();
  private readonly opAcc: (OpAccumulator | undefined)[] = new Array(OPS.length);
  private readonly routineAcc = KERNEL_ROUTINE_KINDS.map(newCallAccumulator);
  private readonly syncAcc = SYNC_CALLS.map(newCallAccumulator);
  private routineErrors = 0;
  /** Per source (trace file of a multi-trace run): calls, bytes, errors, time, first, last. */
  private readonly sourceTable = new Float64Table(SOURCE_FIELDS);
  private readonly timeline: TimelineAccumulator;
  private readonly concurrency: ConcurrencyTracker;
  private readonly slowest: TopN<SlowCall>;
  private readonly markers: Marker[] = [];
  private readonly faultByKind = new Map<string, number>();
  private readonly faultByErrno = new Map<number, number>();
  private readonly faultByOp = new Map<number, number>();
  private readonly faultByPath = new Map<number, number>();
  private faultRows = 0;
  private injectedDelayNs = 0;
  private throttleWaitNs = 0;
  private rowsScanned = 0;
  private rows = 0;
  private markerCount = 0;
  private calls = 0;
  private firstStartNs = Infinity;
  private lastEndNs = -Infinity;
  private bytesRead = 0;
  private bytesWritten = 0;
  private errors = 0;
  private ioTimeNs = 0;
  private finished = false;

  constructor(private readonly options: AnalyzeOptions = {}) {
    this.filter = compileFilter(options.filter);
    this.top = options.top ?? DEFAULT_TOP;
    if (!Number.isInteger(this.top) || this.top < 0) throw new Error('top must be a non-negative integer');
    const origin = this.filter.fromNs === -Infinity ? 0 : this.filter.fromNs;
    this.timeline = new TimelineAccumulator(
      origin,
      options.bucketNs !== undefined ? Number(options.bucketNs) : undefined,
    );
    this.concurrency = new ConcurrencyTracker(this.timeline);
    this.slowest = new TopN<SlowCall>(this.top);
  }

  get rowsSeen(): number {
    return this.rowsScanned;
  }

  /**
   * Adds one batch. `source` numbers the trace file it came from (multi-trace runs; the batch's
   * times already aligned to the run's clock).
   */
  add(batch: TraceBatch, source = 0): void {
    if (this.finished) throw new Error('analyzer already finished');
    const n = batch.length;
    if (n === 0) return;
    this.sourceTable.ensure(source);
    const st = this.sourceTable.cols;
    if (st.calls[source] === 0) {
      st.first[source] = Infinity;
      st.last[source] = -Infinity;
    }
    const opCol = requireColumn(stringColumn(batch, 'op'), 'op');
    const opCodes = opCodesOf(opCol.dictionary);
    const opIdx = opCol.indices;
    const pathCol = requireColumn(stringColumn(batch, 'path'), 'path');
    const pathIdx = pathCol.indices;
    const pathDict = pathCol.dictionary;
    const pathMap = this.paths.mappingFor(pathDict);
    const start = requireColumn(this.scratch.floats(batch, 'start_ns'), 'start_ns').values;
    const duration = requireColumn(this.scratch.floats(batch, 'duration_ns'), 'duration_ns').values;
    const bytes = requireColumn(this.scratch.floats(batch, 'bytes'), 'bytes').values;
    const errno = requireColumn(int32Column(batch, 'errno'), 'errno').values;
    const pid = requireColumn(int32Column(batch, 'pid'), 'pid').values;
    const uidCol = int32Column(batch, 'uid');
    const offset = this.scratch.floats(batch, 'offset');
    const size = this.scratch.floats(batch, 'size');
    const fh = this.scratch.floats(batch, 'fh');
    const commCol = stringColumn(batch, 'comm');
    const path2Col = stringColumn(batch, 'path2');
    const flags = int32Column(batch, 'flags');
    const commMap = commCol ? this.comms.mappingFor(commCol.dictionary) : null;
    const faultCol = stringColumn(batch, 'fault_kind');
    const faultErrno = int32Column(batch, 'fault_errno');
    const faultDelay = this.scratch.floats(batch, 'fault_delay_ns');
    const throttle = this.scratch.floats(batch, 'throttle_wait_ns');
    const errnoFaultIndex = faultCol ? faultCol.dictionary.indexOf('errno') : -1;

    const filter = this.filter;
    const filtering = !filter.isEmpty;
    const pathMatches = filter.matchPath ? new Int8Array(pathDict.length).fill(-1) : null;

    const pt = this.pathTable.cols;
    const timeline = this.timeline;
    const concurrency = this.concurrency;
    this.rowsScanned += n;

    for (let i = 0; i < n; i++) {
      const op = opCodes[opIdx[i]!]!;
      if (op < 0) throw new Error(`unknown op "${opCol.dictionary[opIdx[i]!]}" in trace`);
      const t0 = start[i]!;
      if (filtering) {
        if (filter.opMask && filter.opMask[op] === 0) continue;
        if (t0 < filter.fromNs || t0 >= filter.toNs) continue;
        if (filter.pids && !filter.pids.has(pid[i]!)) continue;
        if (pathMatches) {
          const pi = pathIdx[i]!;
          let m = pathMatches[pi]!;
          if (m < 0) {
            m = filter.matchPath!(pathDict[pi]!) ? 1 : 0;
            pathMatches[pi] = m;
          }
          if (m === 0) continue;
        }
      }
      this.rows++;
      const faultIndex = faultCol ? faultCol.indices[i]! : -1;
      if (op === OP_EVENT) {
        this.markerCount++;
        if (this.markers.length < MAX_MARKERS) this.markers.push(this.markerOf(batch, i, t0));
        continue;
      }
      const dur = duration[i]!;
      // end_ns = start_ns + duration_ns by schema: not read, saving a column decode.
      const t1 = t0 + dur;
      const b = bytes[i]!;
      const err = errno[i]!;
      const pathId = this.paths.resolve(pathMap, pathDict, pathIdx[i]!);
      const isRead = op === OP_READ;
      const isWrite = op === OP_WRITE || op === OP_COPY;
      const readBytes = isRead ? b : 0;
      const writeBytes = isWrite ? b : 0;

      // Totals
      this.calls++;
      st.calls[source]! += 1;
      st.bytes[source]! += b;
      st.timeNs[source]! += dur;
      if (err !== 0) st.errors[source]! += 1;
      if (t0 < st.first[source]!) st.first[source] = t0;
      if (t1 > st.last[source]!) st.last[source] = t1;
      if (t0 < this.firstStartNs) this.firstStartNs = t0;
      if (t1 > this.lastEndNs) this.lastEndNs = t1;
      this.bytesRead += readBytes;
      this.bytesWritten += writeBytes;
      this.ioTimeNs += dur;
      if (err !== 0) this.errors++;

      // The kernel's routine requests, and durability calls told apart
      const hasFh = fh !== undefined && (!fh.valid || fh.valid[i] === 1);
      const path2Index = path2Col ? path2Col.indices[i]! : -1;
      const routine = kernelRoutineCode(
        OPS[op]!,
        path2Index >= 0 ? path2Col!.dictionary[path2Index]! : null,
        hasFh,
        pid[i]!,
      );
      if (routine >= 0) {
        addCall(this.routineAcc[routine]!, dur, err);
        if (err !== 0) this.routineErrors++;
      }
      if (op === OP_FSYNC || op === OP_FSYNCDIR) {
        const datasync =
          flags !== undefined && (!flags.valid || flags.valid[i] === 1) && flags.values[i] !== 0;
        addCall(this.syncAcc[op === OP_FSYNCDIR ? 2 : datasync ? 1 : 0]!, dur, err);
      }

      // Per op
      let acc = this.opAcc[op];
      if (!acc) {
        acc = {
          count: 0,
          errors: 0,
          bytes: 0,
          timeNs: 0,
          latency: new LogHistogram(LATENCY_SUB_BITS),
          errnoCounts: new Map(),
          errnoTimeNs: new Map(),
          injectedCounts: new Map(),
          routineCounts: new Map(),
        };
        this.opAcc[op] = acc;
      }
      acc.count++;
      acc.bytes += b;
      acc.timeNs += dur;
      acc.latency.record(dur);
      if (err !== 0) {
        acc.errors++;
        acc.errnoCounts.set(err, (acc.errnoCounts.get(err) ?? 0) + 1);
        acc.errnoTimeNs.set(err, (acc.errnoTimeNs.get(err) ?? 0) + dur);
        if (faultIndex >= 0 && faultIndex === errnoFaultIndex) {
          acc.injectedCounts.set(err, (acc.injectedCounts.get(err) ?? 0) + 1);
        }
        if (routine >= 0) acc.routineCounts.set(err, (acc.routineCounts.get(err) ?? 0) + 1);
      }

      // Faults
      const isFault = faultIndex >= 0;
      if (isFault) this.addFault(faultCol!.dictionary[faultIndex]!, op, pathId, faultErrno, i, err);
      if (faultDelay && (!faultDelay.valid || faultDelay.valid[i] === 1))
        this.injectedDelayNs += faultDelay.values[i]!;
      if (throttle && (!throttle.valid || throttle.valid[i] === 1))
        this.throttleWaitNs += throttle.values[i]!;

      // Timeline and concurrency
      timeline.addCall(t0, dur, readBytes, writeBytes, err !== 0, isFault);
      concurrency.add(t0, t1);

      // Files
      this.pathTable.ensure(pathId);
      pt.ops[pathId]! += 1;
      pt.bytes[pathId]! += b;
      pt.readBytes[pathId]! += readBytes;
      pt.writeBytes[pathId]! += writeBytes;
      pt.timeNs[pathId]! += dur;
      if (err !== 0) pt.errors[pathId]! += 1;
      this.addToDirectory(op, pathId, b, readBytes, writeBytes, dur, err);

      // Processes
      this.addToProcess(
        pid[i]!,
        uidCol ? uidCol.values[i]! : 0,
        commCol,
        commMap,
        i,
        b,
        readBytes,
        writeBytes,
        dur,
        err,
        t0,
        t1,
      );

      // Access pattern of data calls
      if (isRead || isWrite) {
        const off = offset && (!offset.valid || offset.valid[i] === 1) ? offset.values[i]! : -1;
        const requested = size && (!size.valid || size.valid[i] === 1) ? size.values[i]! : b;
        const direction = isWrite ? 1 : 0;
        let sequential = false;
        if (off >= 0) {
          const map = hasFh ? this.lastEndByFh : this.lastEndByPath;
          const key = (hasFh ? fh.values[i]! : pathId) * 2 + direction;
          const last = map.get(key);
          sequential = last === undefined ? off === 0 : off === last;
          map.set(key, off + b);
          if (isWrite) addWritePosition(pt, pathId, off, Math.max(b, requested));
        }
        if (isRead) pt.reads[pathId]! += 1;
        else pt.writes[pathId]! += 1;
        if (sequential) pt.sequential[pathId]! += 1;
        pt.dataTimeNs[pathId]! += dur;
        const sb = sizeBucketOf(requested);
        let hist = this.sizeHistograms.get(pathId);
        if (!hist) {
          hist = new Float64Array(SIZE_BUCKETS);
          this.sizeHistograms.set(pathId, hist);
        }
        hist[sb]! += 1;
        this.addToGroup(pathId, sb, sequential, direction, dur, b, requested);
      } else if (hasFh && (op === OP_RELEASE || op === OP_OPEN || op === OP_CREATE)) {
        // A handle number can be reused after release: start its pattern afresh.
        const key = fh.values[i]! * 2;
        this.lastEndByFh.delete(key);
        this.lastEndByFh.delete(key + 1);
      }

      // Slowest calls
      if (this.slowest.wouldKeep(dur)) this.slowest.push(dur, this.slowCallOf(batch, i, op, t0, dur));
    }
    concurrency.maybeSweep();
  }

  private addFault(
    kind: string,
    op: number,
    pathId: number,
    faultErrno: ReturnType<typeof int32Column>,
    i: number,
    err: number,
  ): void {
    this.faultRows++;
    this.faultByKind.set(kind, (this.faultByKind.get(kind) ?? 0) + 1);
    this.faultByOp.set(op, (this.faultByOp.get(op) ?? 0) + 1);
    this.faultByPath.set(pathId, (this.faultByPath.get(pathId) ?? 0) + 1);
    const injected =
      faultErrno && (!faultErrno.valid || faultErrno.valid[i] === 1) ? faultErrno.values[i]! : err;
    if (injected !== 0) this.faultByErrno.set(injected, (this.faultByErrno.get(injected) ?? 0) + 1);
  }

  private addToDirectory(
    op: number,
    pathId: number,
    b: number,
    readBytes: number,
    writeBytes: number,
    dur: number,
    err: number,
  ): void {
    let dirId: number;
    if (DIRECTORY_OPS[op] === 1) {
      dirId = this.dirs.idOf(this.paths.values[pathId]!);
    } else {
      if (pathId >= this.dirOfPath.length) this.dirOfPath = growInt32(this.dirOfPath, pathId);
      dirId = this.dirOfPath[pathId]!;
      if (dirId < 0) {
        dirId = this.dirs.idOf(dirname(this.paths.values[pathId]!));
        this.dirOfPath[pathId] = dirId;
      }
    }
    this.dirTable.ensure(dirId);
    const dt = this.dirTable.cols;
    dt.ops[dirId]! += 1;
    dt.bytes[dirId]! += b;
    dt.readBytes[dirId]! += readBytes;
    dt.writeBytes[dirId]! += writeBytes;
    dt.timeNs[dirId]! += dur;
    if (err !== 0) dt.errors[dirId]! += 1;
  }

  private addToProcess(
    pid: number,
    uid: number,
    commCol: ReturnType<typeof stringColumn>,
    commMap: Int32Array | null,
    i: number,
    b: number,
    readBytes: number,
    writeBytes: number,
    dur: number,
    err: number,
    t0: number,
    t1: number,
  ): void {
    let slot = pid === this.lastPid ? this.lastPidSlot : this.processSlots.get(pid);
    const p = this.processTable.cols;
    if (slot === undefined) {
      slot = this.processSlots.size;
      this.processSlots.set(pid, slot);
      this.processTable.ensure(slot);
      p.pid[slot] = pid;
      p.uid[slot] = uid;
      p.comm[slot] = -1;
      p.first[slot] = t0;
      p.last[slot] = t1;
    }
    this.lastPid = pid;
    this.lastPidSlot = slot;
    if (p.comm[slot] === -1 && commCol && commMap) {
      p.comm[slot] = this.comms.resolve(commMap, commCol.dictionary, commCol.indices[i]!);
    }
    p.ops[slot]! += 1;
    p.bytes[slot]! += b;
    p.readBytes[slot]! += readBytes;
    p.writeBytes[slot]! += writeBytes;
    p.timeNs[slot]! += dur;
    if (err !== 0) p.errors[slot]! += 1;
    if (t0 < p.first[slot]!) p.first[slot] = t0;
    if (t1 > p.last[slot]!) p.last[slot] = t1;
  }

  private addToGroup(
    pathId: number,
    sizeBucket: number,
    sequential: boolean,
    direction: number,
    dur: number,
    b: number,
    requested: number,
  ): void {
    if (pathId >= this.groupOfPath.length) this.groupOfPath = growInt32(this.groupOfPath, pathId);
    let group = this.groupOfPath[pathId]!;
    if (group < 0) {
      group = this.groups.idOf(pathGroupOf(this.paths.values[pathId]!));
      this.groupOfPath[pathId] = group;
    }
    const key = ((group * SIZE_BUCKETS + sizeBucket) * 2 + (sequential ? 0 : 1)) * 2 + direction;
    let slot = this.groupSlots.get(key);
    const g = this.groupTable.cols;
    if (slot === undefined) {
      slot = this.groupSlots.size;
      this.groupSlots.set(key, slot);
      this.groupTable.ensure(slot);
      g.minSize[slot] = requested;
      g.maxSize[slot] = requested;
      g.group[slot] = group;
      g.key[slot] = key;
    }
    g.count[slot]! += 1;
    g.timeNs[slot]! += dur;
    g.bytes[slot]! += b;
    if (requested < g.minSize[slot]!) g.minSize[slot] = requested;
    if (requested > g.maxSize[slot]!) g.maxSize[slot] = requested;
  }

  private markerOf(batch: TraceBatch, i: number, startNs: number): Marker {
    return {
      seq: seqAt(batch, i),
      startNs,
      path: stringAt(batch, 'path', i) ?? '',
      path2: stringAt(batch, 'path2', i),
      faultKind: stringAt(batch, 'fault_kind', i) as FaultKind | null,
    };
  }

  private slowCallOf(
    batch: TraceBatch,
    i: number,
    op: number,
    startNs: number,
    durationNs: number,
  ): SlowCall {
    const errno = int32Column(batch, 'errno')!.values[i]!;
    const tid = int32Column(batch, 'tid');
    return {
      seq: seqAt(batch, i),
      op: OPS[op]!,
      path: stringAt(batch, 'path', i) ?? '',
      path2: stringAt(batch, 'path2', i),
      pid: int32Column(batch, 'pid')!.values[i]!,
      tid: tid ? tid.values[i]! : 0,
      comm: stringAt(batch, 'comm', i),
      offset: int64At(batch, 'offset', i),
      size: int64At(batch, 'size', i),
      bytes: int64At(batch, 'bytes', i) ?? 0,
      errno,
      errnoName: errnoName(errno),
      startNs,
      durationNs,
      faultKind: stringAt(batch, 'fault_kind', i) as FaultKind | null,
    };
  }

  /** Per-source numbers (index = the `source` given to add), for the run's source list. */
  sourceTotals(): {
    calls: number;
    bytes: number;
    errors: number;
    timeNs: number;
    first: number;
    last: number;
  }[] {
    const c = this.sourceTable.cols;
    return Array.from({ length: this.sourceTable.size }, (_, i) => ({
      calls: c.calls[i]!,
      bytes: c.bytes[i]!,
      errors: c.errors[i]!,
      timeNs: c.timeNs[i]!,
      first: c.calls[i]! > 0 ? c.first[i]! : 0,
      last: c.calls[i]! > 0 ? c.last[i]! : 0,
    }));
  }

  finish(meta: ReportMetaInput = {}): Report {
    if (this.finished) throw new Error('analyzer already finished');
    this.finished = true;
    this.concurrency.finish();
    return this.report(meta, this.timeline.result(this.concurrency.lateRows));
  }

  /**
   * The report of the rows added so far, leaving the analyzer open for more (`--follow`): the
   * concurrency sweep, the only step that consumes state, runs on copies.
   */
  snapshot(meta: ReportMetaInput = {}): Report {
    if (this.finished) throw new Error('analyzer already finished');
    const timeline = this.timeline.clone();
    const concurrency = this.concurrency.cloneFor(timeline);
    concurrency.finish();
    return this.report(meta, timeline.result(concurrency.lateRows));
  }

  private report(meta: ReportMetaInput, timeline: Timeline): Report {
    const ioTime = this.ioTimeNs;
    const share = (t: number) => (ioTime > 0 ? t / ioTime : 0);
    const top = this.top;

    const ops: OpStats[] = [];
    for (let code = 0; code < OPS.length; code++) {
      const acc = this.opAcc[code];
      if (!acc) continue;
      const [p50, p90, p99, p999] = acc.latency.quantiles([0.5, 0.9, 0.99, 0.999]);
      ops.push({
        op: OPS[code]!,
        count: acc.count,
        errors: acc.errors,
        bytes: acc.bytes,
        totalTimeNs: acc.timeNs,
        shareOfTime: share(acc.timeNs),
        latency: {
          count: acc.count,
          minNs: acc.latency.min,
          maxNs: acc.latency.max,
          meanNs: acc.timeNs / acc.count,
          p50Ns: p50!,
          p90Ns: p90!,
          p99Ns: p99!,
          p999Ns: p999!,
          exact: acc.latency.isExact,
        },
        errorsByErrno: namedCounts(acc.errnoCounts),
        injectedErrorsByErrno: namedCounts(acc.injectedCounts),
        kernelRoutineErrorsByErrno: namedCounts(acc.routineCounts),
      });
    }
    ops.sort((a, b) => b.totalTimeNs - a.totalTimeNs || a.op.localeCompare(b.op));

    const hotFiles = hotLists(
      this.pathTable.size,
      this.pathTable.cols,
      (id) => this.paths.values[id]!,
      top,
      share,
    );
    const hotDirectories = hotLists(
      this.dirTable.size,
      this.dirTable.cols,
      (id) => this.dirs.values[id]!,
      top,
      share,
    );
    const accessPatterns = this.accessPatterns(top);
    const processes = this.processStats(share);

    const filter = this.options.filter;
    const report: Report = {
      meta: {
        source: meta.source ?? null,
        schemaVersion: meta.schemaVersion ?? null,
        wallClockAnchorNs: meta.wallClockAnchorNs ?? null,
        keyValue: meta.keyValue ?? {},
        filter: {
          ops: filter?.ops?.length ? [...filter.ops] : null,
          pathGlob: filter?.pathGlob ?? null,
          pids: filter?.pids?.length ? [...filter.pids] : null,
          fromNs: filter?.fromNs !== undefined ? Number(filter.fromNs) : null,
          toNs: filter?.toNs !== undefined ? Number(filter.toNs) : null,
        },
        top,
        relativeErrorBound: relativeErrorBound(LATENCY_SUB_BITS),
        timelineRelativeErrorBound: TIMELINE_RELATIVE_ERROR,
      },
      totals: {
        rowsScanned: this.rowsScanned,
        rows: this.rows,
        markers: this.markerCount,
        calls: this.calls,
        firstStartNs: this.calls ? this.firstStartNs : 0,
        lastEndNs: this.calls ? this.lastEndNs : 0,
        spanNs: this.calls ? this.lastEndNs - this.firstStartNs : 0,
        bytesRead: this.bytesRead,
        bytesWritten: this.bytesWritten,
        errors: this.errors,
        ioTimeNs: ioTime,
        kernelRoutineErrors: this.routineErrors,
      },
      ops,
      timeline,
      hotFiles,
      hotDirectories,
      accessPatterns,
      slowest: this.slowest.sorted(),
      processes: processes.slice(0, top),
      faults: {
        rows: this.faultRows,
        byKind: sortedRecord([...this.faultByKind.entries()]),
        byErrno: namedCounts(this.faultByErrno),
        byOp: sortedRecord([...this.faultByOp.entries()].map(([op, c]) => [OPS[op]!, c])),
        byPath: countEntries(this.faultByPath, (id) => this.paths.values[id]!, top),
        injectedDelayNs: this.injectedDelayNs,
        throttleWaitNs: this.throttleWaitNs,
        costNs: this.injectedDelayNs + this.throttleWaitNs,
        shareOfTime: share(this.injectedDelayNs + this.throttleWaitNs),
      },
      latencyHistograms: this.opAcc.flatMap((acc, code) =>
        acc ? [{ op: OPS[code]!, buckets: acc.latency.powerOfTwoBuckets() }] : [],
      ),
      markers: [...this.markers],
      findings: [],
      bottlenecks: [],
      sources: [],
      kernelRoutine: this.routineAcc.flatMap((acc, code) => {
        if (acc.count === 0) return [];
        const kind = KERNEL_ROUTINE_KINDS[code]!;
        return [
          {
            kind,
            description: KERNEL_ROUTINE_DESCRIPTIONS[kind],
            calls: acc.count,
            errors: acc.errors,
            errorsByErrno: namedCounts(acc.errnoCounts),
            timeNs: acc.timeNs,
            shareOfTime: share(acc.timeNs),
          },
        ];
      }),
      syncCalls: this.syncAcc.flatMap((acc, code) =>
        acc.count === 0
          ? []
          : [
              {
                call: SYNC_CALLS[code]!,
                count: acc.count,
                errors: acc.errors,
                timeNs: acc.timeNs,
                meanNs: acc.timeNs / acc.count,
                maxNs: acc.maxNs,
                shareOfTime: share(acc.timeNs),
              },
            ],
      ),
    };
    report.findings = buildFindings(report, this.groupStats(), this.errorTimes(), processes);
    report.bottlenecks = report.findings.map((f) => f.text);
    return report;
  }

  private accessPatterns(top: number): AccessPattern[] {
    const pt = this.pathTable.cols;
    const ids = topIds(
      this.pathTable.size,
      (id) => pt.dataTimeNs[id]!,
      top,
      (id) => pt.reads[id]! + pt.writes[id]! > 0,
    );
    return ids.map((id) => {
      const reads = pt.reads[id]!;
      const writes = pt.writes[id]!;
      const data = reads + writes;
      const seq = pt.sequential[id]! / data;
      const hist = this.sizeHistograms.get(id)!;
      const sizeHistogram: SizeBucket[] = [];
      for (let b = 0; b < hist.length; b++) {
        if (hist[b]! === 0) continue;
        const [fromBytes, toBytes] = sizeBucketBounds(b);
        sizeHistogram.push({ fromBytes, toBytes, count: hist[b]! });
      }
      return {
        path: this.paths.values[id]!,
        reads,
        writes,
        readBytes: pt.readBytes[id]!,
        writeBytes: pt.writeBytes[id]!,
        readFraction: reads / data,
        sequentialFraction: seq,
        randomFraction: 1 - seq,
        pattern: seq >= 0.8 ? 'sequential' : seq <= 0.2 ? 'random' : 'mixed',
        sizeHistogram,
        timeNs: pt.dataTimeNs[id]!,
        ...writePatternOf(pt, id),
      };
    });
  }

  private processStats(share: (t: number) => number): ProcessStats[] {
    const p = this.processTable.cols;
    const ids = topIds(this.processTable.size, (id) => p.timeNs[id]!, this.processTable.size);
    return ids.map((id) => ({
      pid: p.pid[id]!,
      comm: p.comm[id]! >= 0 ? this.comms.values[p.comm[id]!]! : null,
      uid: p.uid[id]!,
      ops: p.ops[id]!,
      bytes: p.bytes[id]!,
      readBytes: p.readBytes[id]!,
      writeBytes: p.writeBytes[id]!,
      timeNs: p.timeNs[id]!,
      errors: p.errors[id]!,
      shareOfTime: share(p.timeNs[id]!),
      firstStartNs: p.first[id]!,
      lastEndNs: p.last[id]!,
    }));
  }

  private groupStats(): GroupStat[] {
    const g = this.groupTable.cols;
    const out: GroupStat[] = [];
    for (let slot = 0; slot < this.groupTable.size; slot++) {
      const key = g.key[slot]!;
      const direction = key % 2;
      const random = Math.floor(key / 2) % 2 === 1;
      const sizeBucket = Math.floor(key / 4) % SIZE_BUCKETS;
      out.push({
        op: direction === 1 ? 'write' : 'read',
        random,
        sizeBucket,
        group: this.groups.values[g.group[slot]!]!,
        count: g.count[slot]!,
        timeNs: g.timeNs[slot]!,
        bytes: g.bytes[slot]!,
        minSize: g.minSize[slot]!,
        maxSize: g.maxSize[slot]!,
      });
    }
    return out;
  }

  private errorTimes(): Map<string, number> {
    const out = new Map<string, number>();
    this.opAcc.forEach((acc, code) => {
      acc?.errnoTimeNs.forEach((t, errno) => out.set(`${OPS[code]} ${errnoName(errno)}`, t));
    });
    return out;
  }
}

/** Write-pattern counters of one path (see WritePatternClass): append, rewrite in place, advance. */
function addWritePosition(
  pt: Record<(typeof PATH_FIELDS)[number], Float64Array>,
  id: number,
  off: number,
  len: number,
): void {
  const seen = pt.writesWithOffset[id]! > 0;
  const end = off + len;
  if (off === pt.maxWriteEnd[id]!) pt.appendWrites[id]! += 1;
  if (seen) {
    const lastStart = pt.lastWriteStart[id]!;
    const lastEnd = pt.lastWriteEnd[id]!;
    if (off >= lastStart && off < lastEnd) pt.rewriteWrites[id]! += 1;
    else if (off === lastEnd) pt.advanceWrites[id]! += 1;
  } else if (off === 0) {
    pt.advanceWrites[id]! += 1;
  }
  pt.writesWithOffset[id]! += 1;
  pt.lastWriteStart[id] = off;
  pt.lastWriteEnd[id] = end;
  if (end > pt.maxWriteEnd[id]!) pt.maxWriteEnd[id] = end;
}

/** Thresholds of the write-pattern classes (shares of writes with an offset). */
export const WRITE_PATTERN_THRESHOLDS = { append: 0.8, logRewriteMin: 0.2, logForward: 0.8 } as const;

function writePatternOf(
  pt: Record<(typeof PATH_FIELDS)[number], Float64Array>,
  id: number,
): Pick<AccessPattern, 'writePattern' | 'appendWrites' | 'rewriteWrites' | 'writesPerOffset'> {
  const w = pt.writesWithOffset[id]!;
  const appends = pt.appendWrites[id]!;
  const rewrites = pt.rewriteWrites[id]!;
  const advances = pt.advanceWrites[id]!;
  const t = WRITE_PATTERN_THRESHOLDS;
  let writePattern: WritePatternClass | null = null;
  if (w > 0) {
    if (rewrites / w >= t.logRewriteMin && (rewrites + advances) / w >= t.logForward)
      writePattern = 'log-rewrite';
    else if (appends / w >= t.append) writePattern = 'append';
    else writePattern = advances / w >= 0.8 ? 'sequential' : advances / w <= 0.2 ? 'random' : 'mixed';
  }
  return {
    writePattern,
    appendWrites: appends,
    rewriteWrites: rewrites,
    writesPerOffset: w > 0 ? w / Math.max(1, w - rewrites) : 0,
  };
}

function growInt32(a: Int32Array, id: number): Int32Array {
  let capacity = a.length;
  while (id >= capacity) capacity *= 2;
  const g = new Int32Array(capacity).fill(-1);
  g.set(a);
  return g;
}

function seqAt(batch: TraceBatch, i: number): number {
  return int64At(batch, 'seq', i) ?? i;
}

function int64At(batch: TraceBatch, name: string, i: number): number | null {
  const col = int64Column(batch, name);
  if (!col || (col.valid && col.valid[i] === 0)) return null;
  return Number(col.values[i]!);
}

function stringAt(batch: TraceBatch, name: string, i: number): string | null {
  const col = stringColumn(batch, name);
  if (!col) return null;
  const idx = col.indices[i]!;
  return idx < 0 ? null : col.dictionary[idx]!;
}

function namedCounts(counts: Map<number, number>): Record<string, number> {
  return sortedRecord([...counts.entries()].map(([errno, c]) => [errnoName(errno), c]));
}

/** Record ordered by count descending, then key. */
function sortedRecord(entries: [string, number][]): Record<string, number> {
  const merged = new Map<string, number>();
  for (const [k, v] of entries) merged.set(k, (merged.get(k) ?? 0) + v);
  return Object.fromEntries([...merged.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

function countEntries(counts: Map<number, number>, name: (id: number) => string, top: number): CountEntry[] {
  return [...counts.entries()]
    .map(([id, count]) => ({ key: name(id), count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, top);
}

function hotLists(
  size: number,
  cols: Record<(typeof DIR_FIELDS)[number], Float64Array>,
  name: (id: number) => string,
  top: number,
  share: (t: number) => number,
): HotLists {
  const entry = (id: number): HotEntry => ({
    path: name(id),
    ops: cols.ops[id]!,
    bytes: cols.bytes[id]!,
    readBytes: cols.readBytes[id]!,
    writeBytes: cols.writeBytes[id]!,
    timeNs: cols.timeNs[id]!,
    errors: cols.errors[id]!,
    shareOfTime: share(cols.timeNs[id]!),
  });
  const used = (id: number) => cols.ops[id]! > 0;
  return {
    byOps: topIds(size, (id) => cols.ops[id]!, top, used).map(entry),
    byBytes: topIds(
      size,
      (id) => cols.bytes[id]!,
      top,
      (id) => used(id) && cols.bytes[id]! > 0,
    ).map(entry),
    byTime: topIds(size, (id) => cols.timeNs[id]!, top, used).map(entry),
  };
}
