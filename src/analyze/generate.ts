/**
 * Synthetic workload traces for tests and benchmarks: several processes and threads each open a
 * file, read or write it sequentially or at random offsets, sometimes fsync, and release it, with
 * metadata calls in between, latency tails, errors and (optionally) injected faults. Rows come
 * out in completion order (seq), in TraceBatches filled directly (no object per row), and the
 * output is a pure function of the options (seeded PRNG).
 */
import { OP_DICTIONARY, type Column, type TraceBatch } from '../trace/batch.js';
import { COLUMNS, FAULT_KINDS, OP_CODE, type FaultKind, type Op } from '../trace/schema.js';

export interface GenerateOptions {
  rows: number;
  seed?: number;
  /** Rows per batch (default 65,536). */
  batchRows?: number;
  processes?: number;
  threadsPerProcess?: number;
  files?: number;
  /** Share of threads doing random I/O (default 0.3). */
  randomFraction?: number;
  /** Share of threads writing (default 0.3). */
  writeFraction?: number;
  /** Chance of a metadata call between data calls (default 0.15). */
  metadataFraction?: number;
  /** Chance that a getattr/open fails with ENOENT (default 0.002). */
  errorRate?: number;
  /** Chance a data call carries an injected fault (errno, delay or throttle; default 0). */
  faultRate?: number;
}

const ENOENT = 2;
const EIO = 5;
const ENOSPC = 28;
const COMMS = ['postgres', 'minio', 'fio', 'python3', 'rsync', 'java', 'du', 'tar'];
const SIZES = [4096, 4096, 8192, 16384, 65536, 131072];
const METADATA_OPS: Op[] = ['getattr', 'getattr', 'getattr', 'lseek', 'access', 'readdir', 'statfs'];
const FILE_SIZE = 64 * 1024 * 1024;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Thread {
  pid: number;
  tid: number;
  uid: number;
  comm: number;
  random: boolean;
  writer: boolean;
  size: number;
  clock: number;
  file: number;
  fh: number;
  offset: number;
  /** Data calls left before release. */
  remaining: number;
  /** The pending call, emitted when it is the earliest to complete. */
  op: number;
  path: number;
  start: number;
  duration: number;
  bytes: number;
  requested: number;
  callOffset: number;
  callFh: number;
  errno: number;
  fault: number;
  faultErrno: number;
  faultDelay: number;
  throttleWait: number;
  flags: number;
}

const TWO_POW_32 = 4_294_967_296;

/** Writes a non-negative integer below 2^53 into an int64 column through 32-bit words (no BigInt). */
class Int64Writer {
  private readonly words: Uint32Array;
  constructor(values: BigInt64Array) {
    this.words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  }
  set(i: number, v: number): void {
    this.words[2 * i] = v % TWO_POW_32;
    this.words[2 * i + 1] = Math.floor(v / TWO_POW_32);
  }
}

function makeColumns(capacity: number): Record<string, Column> {
  const cols: Record<string, Column> = {};
  for (const def of COLUMNS) {
    if (def.type === 'string')
      cols[def.name] = { kind: 'string', indices: new Int32Array(capacity), dictionary: [] };
    else if (def.type === 'int64')
      cols[def.name] = def.nullable
        ? { kind: 'int64', values: new BigInt64Array(capacity), valid: new Uint8Array(capacity) }
        : { kind: 'int64', values: new BigInt64Array(capacity) };
    else
      cols[def.name] = def.nullable
        ? { kind: 'int32', values: new Int32Array(capacity), valid: new Uint8Array(capacity) }
        : { kind: 'int32', values: new Int32Array(capacity) };
  }
  return cols;
}

/** Generates `options.rows` rows as consecutive batches. */
export function* generateTrace(options: GenerateOptions): Generator<TraceBatch> {
  const rand = mulberry32(options.seed ?? 1);
  const batchRows = options.batchRows ?? 65_536;
  const processes = options.processes ?? 4;
  const threadsPerProcess = options.threadsPerProcess ?? 2;
  const fileCount = options.files ?? 200;
  const randomFraction = options.randomFraction ?? 0.3;
  const writeFraction = options.writeFraction ?? 0.3;
  const metadataFraction = options.metadataFraction ?? 0.15;
  const errorRate = options.errorRate ?? 0.002;
  const faultRate = options.faultRate ?? 0;

  const dirs = ['/data', '/data/db', '/logs', '/tmp', '/cache/objects'];
  const exts = ['.db', '.log', '.bin', '.json', ''];
  const paths: string[] = [];
  for (let f = 0; f < fileCount; f++) {
    paths.push(`${dirs[f % dirs.length]}/file${f}${exts[Math.floor(f / dirs.length) % exts.length]}`);
  }
  const dirBase = paths.length;
  paths.push(...dirs);
  const faultKindIndex = (k: FaultKind) => FAULT_KINDS.indexOf(k);

  const threads: Thread[] = [];
  let nextFh = 1;
  for (let p = 0; p < processes; p++) {
    for (let t = 0; t < threadsPerProcess; t++) {
      const pid = 1000 + p * 100;
      threads.push({
        pid,
        tid: pid + t,
        uid: p % 3 === 0 ? 0 : 1000,
        comm: p % COMMS.length,
        random: rand() < randomFraction,
        writer: rand() < writeFraction,
        size: SIZES[Math.floor(rand() * SIZES.length)]!,
        clock: Math.floor(rand() * 1e6),
        file: -1,
        fh: 0,
        offset: 0,
        remaining: 0,
        op: 0,
        path: 0,
        start: 0,
        duration: 0,
        bytes: 0,
        requested: -1,
        callOffset: -1,
        callFh: -1,
        errno: 0,
        fault: -1,
        faultErrno: 0,
        faultDelay: 0,
        throttleWait: 0,
        flags: -1,
      });
    }
  }

  /** Log-normal-ish latency around `median` ns with a rare 50x tail. */
  const latency = (median: number) => {
    const u = rand() + rand() + rand() - 1.5; // ~N(0, 0.5)
    let d = median * Math.exp(u);
    if (rand() < 0.001) d *= 50;
    return Math.max(1, Math.round(d));
  };

  const plan = (th: Thread) => {
    th.start = th.clock + Math.floor(rand() * 20_000);
    th.requested = -1;
    th.callOffset = -1;
    th.callFh = -1;
    th.bytes = 0;
    th.errno = 0;
    th.fault = -1;
    th.faultErrno = 0;
    th.faultDelay = 0;
    th.throttleWait = 0;
    th.flags = -1;
    if (th.file < 0) {
      const file = Math.floor(rand() * fileCount);
      th.path = file;
      if (rand() < metadataFraction) {
        th.op = OP_CODE.getattr;
        th.duration = latency(6_000);
        if (rand() < errorRate) th.errno = ENOENT;
        return;
      }
      th.op = th.writer && rand() < 0.3 ? OP_CODE.create : OP_CODE.open;
      th.duration = latency(th.op === OP_CODE.create ? 60_000 : 30_000);
      th.flags = th.writer ? 0o101 : 0;
      if (th.op === OP_CODE.open && rand() < errorRate) {
        th.errno = ENOENT;
        return;
      }
      th.file = file;
      th.fh = nextFh++;
      th.callFh = th.fh;
      th.offset = 0;
      th.remaining = 1 + Math.floor(rand() * 64);
      return;
    }
    th.path = th.file;
    if (th.remaining <= 0) {
      if (th.writer && rand() < 0.5) {
        th.op = OP_CODE.fsync;
        th.duration = latency(2_000_000);
        th.callFh = th.fh;
        th.remaining = -1; // release next
        return;
      }
      th.op = OP_CODE.release;
      th.duration = latency(8_000);
      th.callFh = th.fh;
      th.file = -1;
      return;
    }
    if (rand() < metadataFraction) {
      const op = METADATA_OPS[Math.floor(rand() * METADATA_OPS.length)]!;
      th.op = OP_CODE[op];
      if (op === 'readdir' || op === 'statfs') th.path = dirBase + (th.file % dirs.length);
      th.duration = latency(op === 'readdir' ? 40_000 : 5_000);
      return;
    }
    th.op = th.writer ? OP_CODE.write : OP_CODE.read;
    const offset = th.random ? Math.floor(rand() * (FILE_SIZE / th.size)) * th.size : th.offset;
    th.callOffset = offset;
    th.requested = th.size;
    th.bytes = th.size;
    th.callFh = th.fh;
    const perByte = th.writer ? 0.5 : 0.25; // ns per byte: 2 GB/s writes, 4 GB/s reads
    th.duration = latency((th.random ? 60_000 : 15_000) + th.size * perByte);
    th.offset = offset + th.size;
    th.remaining--;
    if (faultRate > 0 && rand() < faultRate) {
      const r = rand();
      if (r < 0.4) {
        th.fault = faultKindIndex('errno');
        th.errno = th.writer ? ENOSPC : EIO;
        th.faultErrno = th.errno;
        th.bytes = 0;
      } else if (r < 0.8) {
        th.fault = faultKindIndex('delay');
        th.faultDelay = 1_000_000 + Math.floor(rand() * 9_000_000);
        th.duration += th.faultDelay;
      } else {
        th.fault = faultKindIndex('throttle');
        th.throttleWait = Math.floor(rand() * 2_000_000);
        th.duration += th.throttleWait;
      }
    }
  };

  // Min-heap of threads by end time of their pending call (completion order).
  const heap: Thread[] = [];
  const endOf = (th: Thread) => th.start + th.duration;
  const less = (a: Thread, b: Thread) => endOf(a) < endOf(b) || (endOf(a) === endOf(b) && a.tid < b.tid);
  const push = (th: Thread) => {
    heap.push(th);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const pop = (): Thread => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  for (const th of threads) {
    plan(th);
    push(th);
  }

  let seq = 0;
  while (seq < options.rows) {
    const n = Math.min(batchRows, options.rows - seq);
    const cols = makeColumns(n);
    const i64 = (name: string) => {
      const col = cols[name] as { values: BigInt64Array; valid?: Uint8Array };
      return { w: new Int64Writer(col.values), valid: col.valid };
    };
    const i32 = (name: string) => cols[name] as { values: Int32Array; valid?: Uint8Array };
    const str = (name: string) => cols[name] as { indices: Int32Array; dictionary: readonly string[] };
    const c = {
      seq: i64('seq').w,
      op: str('op').indices,
      path: str('path').indices,
      path2: str('path2').indices,
      fh: i64('fh'),
      offset: i64('offset'),
      size: i64('size'),
      bytes: i64('bytes').w,
      errno: i32('errno').values,
      flags: i32('flags'),
      start: i64('start_ns').w,
      end: i64('end_ns').w,
      duration: i64('duration_ns').w,
      pid: i32('pid').values,
      tid: i32('tid').values,
      uid: i32('uid').values,
      gid: i32('gid').values,
      comm: str('comm').indices,
      faultKind: str('fault_kind').indices,
      faultErrno: i32('fault_errno'),
      faultDelay: i64('fault_delay_ns'),
      throttle: i64('throttle_wait_ns'),
    };
    for (let i = 0; i < n; i++) {
      const th = pop();
      c.seq.set(i, seq++);
      c.op[i] = th.op;
      c.path[i] = th.path;
      c.path2[i] = -1;
      if (th.callFh >= 0) {
        c.fh.w.set(i, th.callFh);
        c.fh.valid![i] = 1;
      }
      if (th.callOffset >= 0) {
        c.offset.w.set(i, th.callOffset);
        c.offset.valid![i] = 1;
      }
      if (th.requested >= 0) {
        c.size.w.set(i, th.requested);
        c.size.valid![i] = 1;
      }
      c.bytes.set(i, th.bytes);
      c.errno[i] = th.errno;
      if (th.flags >= 0) {
        c.flags.values[i] = th.flags;
        c.flags.valid![i] = 1;
      }
      c.start.set(i, th.start);
      c.end.set(i, th.start + th.duration);
      c.duration.set(i, th.duration);
      c.pid[i] = th.pid;
      c.tid[i] = th.tid;
      c.uid[i] = th.uid;
      c.gid[i] = th.uid;
      c.comm[i] = th.comm;
      c.faultKind[i] = th.fault;
      if (th.fault >= 0) {
        if (th.faultErrno) {
          c.faultErrno.values[i] = th.faultErrno;
          c.faultErrno.valid![i] = 1;
        }
        if (th.faultDelay) {
          c.faultDelay.w.set(i, th.faultDelay);
          c.faultDelay.valid![i] = 1;
        }
        if (th.throttleWait) {
          c.throttle.w.set(i, th.throttleWait);
          c.throttle.valid![i] = 1;
        }
      }
      th.clock = th.start + th.duration;
      plan(th);
      push(th);
    }
    cols.op = { kind: 'string', indices: c.op, dictionary: OP_DICTIONARY };
    cols.path = { kind: 'string', indices: c.path, dictionary: paths };
    cols.path2 = { kind: 'string', indices: c.path2, dictionary: [] };
    cols.comm = { kind: 'string', indices: c.comm, dictionary: COMMS };
    cols.fault_kind = { kind: 'string', indices: c.faultKind, dictionary: FAULT_KINDS };
    yield { length: n, columns: cols };
  }
}
