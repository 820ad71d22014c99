/**
 * The replay plan: every op of the recorded trace, held column by column in typed arrays backed
 * by SharedArrayBuffers (the executor's worker threads read them without a copy), renumbered in
 * recorded START order (op index i < j means op i started first), which is the order every
 * analysis pass walks and the order each recorded thread issued its ops.
 */
import type { Column, TraceBatch } from '../trace/batch.js';
import { OPS, OP_CODE } from '../trace/schema.js';
import { readInt64, words } from './int64.js';

/** Sentinel for a null int32 field (flags, mode). */
export const NULL32 = -2147483648;

export interface ReplayPlan {
  n: number;
  op: Uint8Array;
  /** Index into `paths`. */
  path: Int32Array;
  /** Index into `paths`, -1 when null. */
  path2: Int32Array;
  /** Recorded handle id, NaN when null. */
  fh: Float64Array;
  /** NaN when null. */
  offset: Float64Array;
  /** NaN when null. */
  size: Float64Array;
  bytes: Float64Array;
  errno: Int32Array;
  /** NULL32 when null. */
  flags: Int32Array;
  mode: Int32Array;
  /** ns relative to the first recorded start (so the first op starts at 0). */
  startNs: Float64Array;
  endNs: Float64Array;
  pid: Int32Array;
  tid: Int32Array;
  uid: Int32Array;
  gid: Int32Array;
  /** Index into `comms`, -1 when null. */
  comm: Int32Array;
  /** The recorded seq of each op. */
  seq: Float64Array;
  paths: string[];
  comms: string[];
  /** Recorded start_ns of op 0 (the origin of startNs/endNs). */
  baseNs: bigint;
}

function shared<T>(ctor: new (buffer: SharedArrayBuffer) => T, bytesPerElement: number, n: number): T {
  return new ctor(new SharedArrayBuffer(Math.max(1, n) * bytesPerElement));
}

/** Allocates an empty plan of n ops on shared memory. */
function allocate(n: number): ReplayPlan {
  return {
    n,
    op: shared(Uint8Array, 1, n),
    path: shared(Int32Array, 4, n),
    path2: shared(Int32Array, 4, n),
    fh: shared(Float64Array, 8, n),
    offset: shared(Float64Array, 8, n),
    size: shared(Float64Array, 8, n),
    bytes: shared(Float64Array, 8, n),
    errno: shared(Int32Array, 4, n),
    flags: shared(Int32Array, 4, n),
    mode: shared(Int32Array, 4, n),
    startNs: shared(Float64Array, 8, n),
    endNs: shared(Float64Array, 8, n),
    pid: shared(Int32Array, 4, n),
    tid: shared(Int32Array, 4, n),
    uid: shared(Int32Array, 4, n),
    gid: shared(Int32Array, 4, n),
    comm: shared(Int32Array, 4, n),
    seq: shared(Float64Array, 8, n),
    paths: [],
    comms: [],
    baseNs: 0n,
  };
}

/** Interns strings of successive batches (each batch has its own dictionary) into one list. */
class Interner {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  intern(value: string): number {
    let id = this.index.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.index.set(value, id);
    }
    return id;
  }

  /** Maps a batch dictionary's indices to interned ids. */
  remap(dictionary: readonly string[]): Int32Array {
    const map = new Int32Array(dictionary.length);
    for (let i = 0; i < dictionary.length; i++) map[i] = this.intern(dictionary[i]!);
    return map;
  }
}

type NumericColumn = Extract<Column, { kind: 'int64' | 'int32' }>;

function numeric(batch: TraceBatch, name: string): NumericColumn {
  const col = batch.columns[name];
  if (!col || col.kind === 'string') throw new Error(`trace batch has no numeric column ${name}`);
  return col;
}

function strings(batch: TraceBatch, name: string): Extract<Column, { kind: 'string' }> {
  const col = batch.columns[name];
  if (!col || col.kind !== 'string') throw new Error(`trace batch has no string column ${name}`);
  return col;
}

function copyNumeric(
  col: NumericColumn,
  into: Float64Array | Int32Array,
  at: number,
  n: number,
  nullValue: number,
) {
  const valid = col.valid;
  if (col.kind === 'int32') {
    for (let i = 0; i < n; i++) into[at + i] = valid && valid[i] === 0 ? nullValue : col.values[i]!;
    return;
  }
  const w = words(col.values);
  for (let i = 0; i < n; i++) into[at + i] = valid && valid[i] === 0 ? nullValue : readInt64(w, i);
}

/** The columns the plan needs from a trace file (all but the recorded overlay columns). */
export const PLAN_COLUMNS = [
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
] as const;

/**
 * Builds the plan from the trace's batches (in file order, any batch sizes). `numRows` sizes the
 * shared arrays up front; batches past it are an error (the trace lied about its length).
 */
export async function buildPlan(
  batches: AsyncIterable<TraceBatch> | Iterable<TraceBatch>,
  numRows: number,
): Promise<ReplayPlan> {
  const loaded = allocate(numRows);
  const paths = new Interner();
  const comms = new Interner();
  const startAbs = new Float64Array(numRows);
  const endAbs = new Float64Array(numRows);
  let base: bigint | null = null;
  let at = 0;
  for await (const batch of batches) {
    const n = batch.length;
    if (at + n > numRows) throw new Error(`trace holds more rows than its footer says (${numRows})`);
    const opCol = strings(batch, 'op');
    const opMap = new Int32Array(opCol.dictionary.length);
    for (let d = 0; d < opCol.dictionary.length; d++) {
      const code = OP_CODE[opCol.dictionary[d] as (typeof OPS)[number]];
      opMap[d] = code === undefined ? OP_CODE.event : code;
    }
    const pathCol = strings(batch, 'path');
    const path2Col = strings(batch, 'path2');
    const commCol = strings(batch, 'comm');
    const pathMap = paths.remap(pathCol.dictionary);
    const path2Map = paths.remap(path2Col.dictionary);
    const commMap = comms.remap(commCol.dictionary);
    const start = numeric(batch, 'start_ns').values as BigInt64Array;
    const startWords = words(start);
    const endWords = words(numeric(batch, 'end_ns').values as BigInt64Array);
    let batchMin = Infinity;
    let batchMinAt = -1;
    for (let i = 0; i < n; i++) {
      const o = opCol.indices[i]!;
      loaded.op[at + i] = o < 0 ? OP_CODE.event : opMap[o]!;
      const p = pathCol.indices[i]!;
      loaded.path[at + i] = p < 0 ? paths.intern('/') : pathMap[p]!;
      const p2 = path2Col.indices[i]!;
      loaded.path2[at + i] = p2 < 0 ? -1 : path2Map[p2]!;
      const c = commCol.indices[i]!;
      loaded.comm[at + i] = c < 0 ? -1 : commMap[c]!;
      const s = readInt64(startWords, i);
      if (s < batchMin) {
        batchMin = s;
        batchMinAt = i;
      }
      startAbs[at + i] = s;
      endAbs[at + i] = readInt64(endWords, i);
    }
    if (batchMinAt >= 0 && (base === null || start[batchMinAt]! < base)) base = start[batchMinAt]!;
    copyNumeric(numeric(batch, 'seq'), loaded.seq, at, n, NaN);
    copyNumeric(numeric(batch, 'fh'), loaded.fh, at, n, NaN);
    copyNumeric(numeric(batch, 'offset'), loaded.offset, at, n, NaN);
    copyNumeric(numeric(batch, 'size'), loaded.size, at, n, NaN);
    copyNumeric(numeric(batch, 'bytes'), loaded.bytes, at, n, 0);
    copyNumeric(numeric(batch, 'errno'), loaded.errno, at, n, 0);
    copyNumeric(numeric(batch, 'flags'), loaded.flags, at, n, NULL32);
    copyNumeric(numeric(batch, 'mode'), loaded.mode, at, n, NULL32);
    copyNumeric(numeric(batch, 'pid'), loaded.pid, at, n, 0);
    copyNumeric(numeric(batch, 'tid'), loaded.tid, at, n, 0);
    copyNumeric(numeric(batch, 'uid'), loaded.uid, at, n, 0);
    copyNumeric(numeric(batch, 'gid'), loaded.gid, at, n, 0);
    at += n;
  }
  if (at !== numRows) throw new Error(`trace holds ${at} rows, its footer says ${numRows}`);
  const baseF = Number(base ?? 0n);
  for (let i = 0; i < at; i++) {
    loaded.startNs[i] = startAbs[i]! - baseF;
    loaded.endNs[i] = endAbs[i]! - baseF;
  }
  loaded.paths = paths.values;
  loaded.comms = comms.values;
  loaded.baseNs = base ?? 0n;
  return sortByStart(loaded);
}

/** Reorders the plan by (start, seq): the order recorded threads issued their ops in. */
function sortByStart(plan: ReplayPlan): ReplayPlan {
  const order = new Uint32Array(plan.n);
  for (let i = 0; i < plan.n; i++) order[i] = i;
  const { startNs, seq } = plan;
  order.sort((a, b) => startNs[a]! - startNs[b]! || seq[a]! - seq[b]!);
  let sorted = true;
  for (let i = 0; i < plan.n && sorted; i++) sorted = order[i] === i;
  if (sorted) return plan;
  const out = allocate(plan.n);
  const arrays = [
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
    'startNs',
    'endNs',
    'pid',
    'tid',
    'uid',
    'gid',
    'comm',
    'seq',
  ] as const;
  for (const name of arrays) {
    const from = plan[name];
    const to = out[name];
    for (let i = 0; i < plan.n; i++) to[i] = from[order[i]!]!;
  }
  out.paths = plan.paths;
  out.comms = plan.comms;
  out.baseNs = plan.baseNs;
  return out;
}

export function opName(code: number): (typeof OPS)[number] {
  return OPS[code] ?? 'event';
}
