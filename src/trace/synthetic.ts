/**
 * Deterministic synthetic trace data shaped like a real capture: monotonic start_ns, small
 * durations, ~200 distinct paths, mostly read/write with sequential offsets per file, a few
 * processes, overlay columns almost always null. Used by benchmarks and tests (and handy for
 * demos); it fills typed arrays directly, like the native recorder.
 */
import { OP_DICTIONARY, type Column, type TraceBatch } from './batch.js';
import { COLUMNS, OP_CODE, type Op } from './schema.js';

/** mulberry32: tiny, fast, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticOptions {
  seed?: number;
  distinctPaths?: number;
}

const OTHER_OPS: Op[] = [
  'getattr',
  'open',
  'release',
  'flush',
  'lseek',
  'readdir',
  'create',
  'unlink',
  'rename',
  'fsync',
];
const COMMS = ['postgres', 'python3', 'java', 'rsync'];
const SIZES = [4096, 16384, 65536, 131072];

/** Produces consecutive batches of one synthetic capture. */
export class SyntheticTrace {
  private readonly rand: () => number;
  private readonly paths: string[];
  private readonly offsets: Float64Array;
  private seq = 0;
  private clockNs = 1_000_000;
  private currentFile = 0;

  constructor(options: SyntheticOptions = {}) {
    this.rand = seededRandom(options.seed ?? 42);
    const n = options.distinctPaths ?? 200;
    this.paths = Array.from({ length: n }, (_, i) => `/data/db${i % 7}/table_${i}.dat`);
    this.offsets = new Float64Array(n);
  }

  next(rows: number): TraceBatch {
    const cols: Record<string, Column> = {};
    for (const def of COLUMNS) {
      if (def.type === 'string')
        cols[def.name] = { kind: 'string', indices: new Int32Array(rows).fill(-1), dictionary: [] };
      else if (def.type === 'int64')
        cols[def.name] = def.nullable
          ? { kind: 'int64', values: new BigInt64Array(rows), valid: new Uint8Array(rows) }
          : { kind: 'int64', values: new BigInt64Array(rows) };
      else
        cols[def.name] = def.nullable
          ? { kind: 'int32', values: new Int32Array(rows), valid: new Uint8Array(rows) }
          : { kind: 'int32', values: new Int32Array(rows) };
    }
    const i64 = (name: string) => cols[name] as { values: BigInt64Array; valid?: Uint8Array };
    const i32 = (name: string) => cols[name] as { values: Int32Array; valid?: Uint8Array };
    const str = (name: string) => cols[name] as { indices: Int32Array; dictionary: readonly string[] };
    (cols.op as { dictionary: readonly string[] }).dictionary = OP_DICTIONARY;
    (cols.path as { dictionary: readonly string[] }).dictionary = this.paths;
    (cols.path2 as { dictionary: readonly string[] }).dictionary = this.paths;
    (cols.comm as { dictionary: readonly string[] }).dictionary = COMMS;
    (cols.fault_kind as { dictionary: readonly string[] }).dictionary = ['throttle', 'errno'];

    const r = this.rand;
    for (let i = 0; i < rows; i++) {
      if (r() < 0.05) this.currentFile = Math.floor(r() * this.paths.length);
      const file = this.currentFile;
      const u = r();
      const op: Op = u < 0.5 ? 'read' : u < 0.9 ? 'write' : OTHER_OPS[Math.floor(r() * OTHER_OPS.length)]!;
      const proc = file % COMMS.length;
      const pid = 4000 + proc;
      const duration = 2_000 + Math.floor(r() * r() * 200_000);
      this.clockNs += 1_000 + Math.floor(r() * 20_000);
      const start = this.clockNs;

      i64('seq').values[i] = BigInt(this.seq++);
      str('op').indices[i] = OP_CODE[op];
      str('path').indices[i] = file;
      if (op === 'rename') str('path2').indices[i] = (file + 1) % this.paths.length;
      const isData = op === 'read' || op === 'write';
      if (isData || op === 'release' || op === 'flush' || op === 'fsync') {
        i64('fh').values[i] = BigInt(file + 10);
        i64('fh').valid![i] = 1;
      }
      let bytes = 0;
      if (isData) {
        const size = SIZES[Math.floor(r() * SIZES.length)]!;
        bytes = r() < 0.02 ? Math.floor(size / 2) : size;
        i64('offset').values[i] = BigInt(this.offsets[file]!);
        i64('offset').valid![i] = 1;
        i64('size').values[i] = BigInt(size);
        i64('size').valid![i] = 1;
        this.offsets[file] = this.offsets[file]! + bytes;
      }
      i64('bytes').values[i] = BigInt(bytes);
      i32('errno').values[i] = op === 'getattr' && r() < 0.3 ? 2 : 0;
      if (op === 'open' || op === 'create') {
        i32('flags').values[i] = 0o2;
        i32('flags').valid![i] = 1;
      }
      if (op === 'create') {
        i32('mode').values[i] = 0o644;
        i32('mode').valid![i] = 1;
      }
      i64('start_ns').values[i] = BigInt(start);
      i64('end_ns').values[i] = BigInt(start + duration);
      i64('duration_ns').values[i] = BigInt(duration);
      i32('pid').values[i] = pid;
      i32('tid').values[i] = pid + (r() < 0.5 ? 0 : 1);
      i32('uid').values[i] = 1000;
      i32('gid').values[i] = 1000;
      str('comm').indices[i] = proc;
      if (r() < 0.01) {
        str('fault_kind').indices[i] = 0;
        i64('throttle_wait_ns').values[i] = BigInt(Math.floor(r() * 1_000_000));
        i64('throttle_wait_ns').valid![i] = 1;
      }
    }
    return { length: rows, columns: cols };
  }
}
