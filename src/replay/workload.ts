/**
 * A synthetic but replayable capture: T threads working on ~F files the way a small database or
 * build does (stat, open, runs of 4 KiB reads and writes, occasional fsync, close; now and then
 * a temp file created, written, renamed and deleted; a few lookups of missing names). Every
 * handle is opened before use and closed after, files are read before the trace writes them
 * (so the pre-phase must create them) and threads share some files (so dependencies matter).
 * Used by the replay benchmark and tests; fills typed columns directly (1M rows in ~1 s).
 */
import { OP_DICTIONARY, type Column, type TraceBatch } from '../trace/batch.js';
import { COLUMNS, OP_CODE, type Op } from '../trace/schema.js';
import { seededRandom } from '../trace/synthetic.js';
import { words, writeInt64 } from './int64.js';

export interface WorkloadOptions {
  ops: number;
  threads?: number;
  files?: number;
  /** Think time between a thread's ops, ns (default 20 µs). */
  gapNs?: number;
  seed?: number;
  /** Bytes per read/write (default 4096) and size of each pre-existing file (default 64 KiB). */
  ioSize?: number;
  fileSize?: number;
  batchRows?: number;
}

const DURATION_NS: Partial<Record<Op, number>> = {
  getattr: 3_000,
  open: 8_000,
  create: 15_000,
  read: 6_000,
  write: 10_000,
  release: 3_000,
  fsync: 150_000,
  rename: 12_000,
  unlink: 10_000,
};

const O_RDWR = 0o2;
const O_WRONLY = 0o1;
const O_CREAT = 0o100;
const ENOENT = 2;

interface Columns {
  op: Int32Array;
  path: Int32Array;
  path2: Int32Array;
  fh: Float64Array;
  offset: Float64Array;
  size: Float64Array;
  bytes: Float64Array;
  errno: Int32Array;
  flags: Int32Array;
  mode: Int32Array;
  start: Float64Array;
  end: Float64Array;
  tid: Int32Array;
}

/** The whole workload as batches (rows in completion order, as a recorder writes them). */
export function generateWorkload(options: WorkloadOptions): TraceBatch[] {
  const n = options.ops;
  const threads = options.threads ?? 8;
  const fileCount = options.files ?? 1000;
  const gap = options.gapNs ?? 20_000;
  const io = options.ioSize ?? 4096;
  const fileSize = options.fileSize ?? 65_536;
  const rand = seededRandom(options.seed ?? 7);
  const paths: string[] = [];
  const pathIds = new Map<string, number>();
  const pid = (p: string) => {
    let id = pathIds.get(p);
    if (id === undefined) {
      id = paths.length;
      paths.push(p);
      pathIds.set(p, id);
    }
    return id;
  };
  const sharedFiles = Math.max(1, Math.floor(fileCount / 10));
  const privateFiles = Math.max(1, Math.floor((fileCount - sharedFiles) / threads));
  const c: Columns = {
    op: new Int32Array(n),
    path: new Int32Array(n),
    path2: new Int32Array(n).fill(-1),
    fh: new Float64Array(n).fill(NaN),
    offset: new Float64Array(n).fill(NaN),
    size: new Float64Array(n).fill(NaN),
    bytes: new Float64Array(n),
    errno: new Int32Array(n),
    flags: new Int32Array(n).fill(-1),
    mode: new Int32Array(n).fill(-1),
    start: new Float64Array(n),
    end: new Float64Array(n),
    tid: new Int32Array(n),
  };

  // Each thread is a generator of op descriptions; rows are emitted in global start order.
  interface Pending {
    op: Op;
    path: number;
    path2?: number;
    fh?: number;
    offset?: number;
    size?: number;
    bytes?: number;
    errno?: number;
    flags?: number;
    mode?: number;
  }
  let nextFh = 1;
  let tempCounter = 0;
  const queues: Pending[][] = Array.from({ length: threads }, () => []);
  const heads = new Int32Array(threads);
  const clock = new Float64Array(threads).map((_, t) => t * 1_000);
  const refill = (t: number) => {
    const q = queues[t]!;
    q.length = 0;
    heads[t] = 0;
    if (rand() < 0.02) {
      const tmp = pid(`/d${t}/tmp_${tempCounter}`);
      const done = pid(`/d${t}/done_${tempCounter++}`);
      const fh = nextFh++;
      q.push({ op: 'create', path: tmp, fh, flags: O_CREAT | O_WRONLY, mode: 0o644 });
      q.push({ op: 'write', path: tmp, fh, offset: 0, size: io, bytes: io });
      q.push({ op: 'write', path: tmp, fh, offset: io, size: io, bytes: io });
      q.push({ op: 'release', path: tmp, fh });
      q.push({ op: 'rename', path: tmp, path2: done });
      q.push({ op: 'unlink', path: done });
      return;
    }
    if (rand() < 0.03) {
      q.push({ op: 'getattr', path: pid(`/d${t}/missing_${Math.floor(rand() * 50)}`), errno: ENOENT });
      return;
    }
    const shared = rand() < 0.1;
    const file = shared
      ? pid(`/shared/f${Math.floor(rand() * sharedFiles)}`)
      : pid(`/d${t}/f${Math.floor(rand() * privateFiles)}`);
    const fh = nextFh++;
    q.push({ op: 'getattr', path: file });
    q.push({ op: 'open', path: file, fh, flags: O_RDWR });
    const runs = 4 + Math.floor(rand() * 8);
    const writeShare = shared ? 0.1 : 0.3;
    for (let k = 0; k < runs; k++) {
      const offset = Math.floor(rand() * (fileSize / io)) * io;
      const isWrite = rand() < writeShare;
      q.push({ op: isWrite ? 'write' : 'read', path: file, fh, offset, size: io, bytes: io });
    }
    if (rand() < 0.01) q.push({ op: 'fsync', path: file, fh, flags: 0 });
    q.push({ op: 'release', path: file, fh });
  };

  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let k = 1; k < threads; k++) if (clock[k]! < clock[t]!) t = k;
    if (heads[t]! >= queues[t]!.length) refill(t);
    const p = queues[t]![heads[t]!++]!;
    const start = clock[t]!;
    const dur = (DURATION_NS[p.op] ?? 5_000) * (0.5 + rand());
    c.op[i] = OP_CODE[p.op];
    c.path[i] = p.path;
    if (p.path2 !== undefined) c.path2[i] = p.path2;
    if (p.fh !== undefined) c.fh[i] = p.fh;
    if (p.offset !== undefined) c.offset[i] = p.offset;
    if (p.size !== undefined) c.size[i] = p.size;
    c.bytes[i] = p.bytes ?? 0;
    c.errno[i] = p.errno ?? 0;
    if (p.flags !== undefined) c.flags[i] = p.flags;
    if (p.mode !== undefined) c.mode[i] = p.mode;
    c.start[i] = Math.round(start);
    c.end[i] = Math.round(start + dur);
    c.tid[i] = 1000 + t;
    clock[t] = start + dur + gap * (0.5 + rand());
  }
  // Drop a tail that leaves handles open or temp files half-done? Not needed: a trace may end anywhere.
  return toBatches(c, n, paths, options.batchRows ?? 131_072);
}

function toBatches(c: Columns, n: number, paths: string[], batchRows: number): TraceBatch[] {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => c.end[a]! - c.end[b]! || a - b);
  const batches: TraceBatch[] = [];
  for (let from = 0; from < n; from += batchRows) {
    const len = Math.min(batchRows, n - from);
    const cols: Record<string, Column> = {};
    for (const def of COLUMNS) {
      if (def.type === 'string')
        cols[def.name] = { kind: 'string', indices: new Int32Array(len).fill(-1), dictionary: [] };
      else if (def.type === 'int64')
        cols[def.name] = def.nullable
          ? { kind: 'int64', values: new BigInt64Array(len), valid: new Uint8Array(len) }
          : { kind: 'int64', values: new BigInt64Array(len) };
      else
        cols[def.name] = def.nullable
          ? { kind: 'int32', values: new Int32Array(len), valid: new Uint8Array(len) }
          : { kind: 'int32', values: new Int32Array(len) };
    }
    const s = (name: string) => cols[name] as { indices: Int32Array; dictionary: readonly string[] };
    const i64 = (name: string) => cols[name] as { values: BigInt64Array; valid?: Uint8Array };
    const i32 = (name: string) => cols[name] as { values: Int32Array; valid?: Uint8Array };
    s('op').dictionary = OP_DICTIONARY;
    s('path').dictionary = paths;
    s('path2').dictionary = paths;
    s('comm').dictionary = ['workload'];
    const w64 = Object.fromEntries(
      COLUMNS.filter((d) => d.type === 'int64').map((d) => [d.name, words(i64(d.name).values)]),
    ) as Record<string, Int32Array>;
    const set64 = (name: string, r: number, v: number) => writeInt64(w64[name]!, r, v);
    const opt64 = (name: string, r: number, v: number) => {
      if (!Number.isNaN(v)) {
        set64(name, r, v);
        i64(name).valid![r] = 1;
      }
    };
    const opt32 = (name: string, r: number, v: number) => {
      if (v >= 0) {
        i32(name).values[r] = v;
        i32(name).valid![r] = 1;
      }
    };
    for (let r = 0; r < len; r++) {
      const i = order[from + r]!;
      set64('seq', r, from + r);
      s('op').indices[r] = c.op[i]!;
      s('path').indices[r] = c.path[i]!;
      s('path2').indices[r] = c.path2[i]!;
      s('comm').indices[r] = 0;
      opt64('fh', r, c.fh[i]!);
      opt64('offset', r, c.offset[i]!);
      opt64('size', r, c.size[i]!);
      set64('bytes', r, c.bytes[i]!);
      i32('errno').values[r] = c.errno[i]!;
      opt32('flags', r, c.flags[i]!);
      opt32('mode', r, c.mode[i]!);
      set64('start_ns', r, c.start[i]!);
      set64('end_ns', r, c.end[i]!);
      set64('duration_ns', r, c.end[i]! - c.start[i]!);
      i32('pid').values[r] = 1000;
      i32('tid').values[r] = c.tid[i]!;
      i32('uid').values[r] = 0;
      i32('gid').values[r] = 0;
    }
    batches.push({ length: len, columns: cols });
  }
  return batches;
}
