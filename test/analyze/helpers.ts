/** Builds small traces for analyzer tests from partial rows with sensible defaults. */
import { TraceBatchBuilder, type TraceBatch } from '../../src/trace/batch.js';
import type { TraceRow } from '../../src/trace/schema.js';

export type RowSpec = Partial<
  Omit<TraceRow, 'seq' | 'startNs' | 'endNs' | 'durationNs' | 'bytes' | 'fh' | 'offset' | 'size'>
> & {
  start: number;
  duration: number;
  bytes?: number;
  fh?: number | null;
  offset?: number | null;
  size?: number | null;
  faultDelay?: number | null;
  throttleWait?: number | null;
};

const big = (v: number | null | undefined) => (v === null || v === undefined ? null : BigInt(v));

export function toRow(spec: RowSpec, seq: number): TraceRow {
  return {
    seq: BigInt(seq),
    op: spec.op ?? 'getattr',
    path: spec.path ?? '/file',
    path2: spec.path2 ?? null,
    fh: big(spec.fh),
    offset: big(spec.offset),
    size: big(spec.size),
    bytes: BigInt(spec.bytes ?? 0),
    errno: spec.errno ?? 0,
    flags: spec.flags ?? null,
    mode: spec.mode ?? null,
    startNs: BigInt(spec.start),
    endNs: BigInt(spec.start + spec.duration),
    durationNs: BigInt(spec.duration),
    pid: spec.pid ?? 100,
    tid: spec.tid ?? spec.pid ?? 100,
    uid: spec.uid ?? 1000,
    gid: spec.gid ?? 1000,
    comm: spec.comm === undefined ? 'app' : spec.comm,
    faultKind: spec.faultKind ?? null,
    faultErrno: spec.faultErrno ?? null,
    faultDelayNs: big(spec.faultDelay),
    faultTruncatedTo: null,
    throttleWaitNs: big(spec.throttleWait),
  };
}

/** Rows in the given order (seq = index), split into batches of `batchRows`. */
export function batchesOf(specs: RowSpec[], batchRows = 1024): TraceBatch[] {
  const builder = new TraceBatchBuilder(batchRows);
  const out: TraceBatch[] = [];
  specs.forEach((spec, i) => {
    builder.append(toRow(spec, i));
    if (builder.full) out.push(builder.take());
  });
  if (builder.length > 0) out.push(builder.take());
  return out;
}

/** Rows sorted into completion order (by end time, then start), as a recorder writes them. */
export function completionOrder(specs: RowSpec[]): RowSpec[] {
  return [...specs].sort((a, b) => a.start + a.duration - (b.start + b.duration) || a.start - b.start);
}

/** Exact nearest-rank percentile. */
export function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}
