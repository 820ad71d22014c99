/**
 * A small, hand-shaped trace for TUI tests: known paths, processes, errors, one very slow call,
 * injected faults and a marker, so each view has something specific to show.
 */
import { TraceBatchBuilder, type TraceBatch } from '../../src/trace/batch.js';
import type { FaultKind, Op, TraceRow } from '../../src/trace/schema.js';

export const LONG_PATH = '/var/lib/postgresql/data/base/very/deeply/nested/directory/tree/table_16384.db';
export const WAL_PATH = '/var/lib/postgresql/data/pg_wal/000000010000000000000001';
export const BACKUP_PATH = '/backup/nightly.tar';

interface RowSpec {
  op: Op;
  path: string;
  startNs: number;
  durationNs: number;
  pid: number;
  comm: string;
  bytes?: number;
  offset?: number;
  errno?: number;
  faultKind?: FaultKind;
  faultErrno?: number;
  faultDelayNs?: number;
  path2?: string;
}

function row(seq: number, s: RowSpec): TraceRow {
  return {
    seq: BigInt(seq),
    op: s.op,
    path: s.path,
    path2: s.path2 ?? null,
    fh: s.offset !== undefined ? 7n : null,
    offset: s.offset !== undefined ? BigInt(s.offset) : null,
    size: s.bytes !== undefined ? BigInt(s.bytes) : null,
    bytes: BigInt(s.bytes ?? 0),
    errno: s.errno ?? 0,
    flags: null,
    mode: null,
    startNs: BigInt(s.startNs),
    endNs: BigInt(s.startNs + s.durationNs),
    durationNs: BigInt(s.durationNs),
    pid: s.pid,
    tid: s.pid,
    uid: 1000,
    gid: 1000,
    comm: s.comm,
    faultKind: s.faultKind ?? null,
    faultErrno: s.faultErrno ?? null,
    faultDelayNs: s.faultDelayNs !== undefined ? BigInt(s.faultDelayNs) : null,
    faultTruncatedTo: null,
    throttleWaitNs: null,
  };
}

/** `slowdown` multiplies read latencies (for the diff view's "B got slower"). */
export function fixtureRows(slowdown = 1): RowSpec[] {
  const rows: RowSpec[] = [];
  for (let i = 0; i < 400; i++) {
    rows.push({
      op: 'read',
      path: LONG_PATH,
      startNs: 1_000_000 + i * 4_000_000,
      durationNs: Math.round((20_000 + (i % 10) * 5_000) * slowdown),
      pid: 101,
      comm: 'postgres',
      bytes: 8192,
      offset: i * 8192,
    });
  }
  for (let i = 0; i < 100; i++) {
    rows.push({
      op: 'write',
      path: BACKUP_PATH,
      startNs: 3_000_000 + i * 15_000_000,
      durationNs: 150_000,
      pid: 202,
      comm: 'tar',
      bytes: 65_536,
      offset: i * 65_536,
    });
  }
  for (let i = 0; i < 12; i++) {
    rows.push({
      op: 'getattr',
      path: `/missing/file${i}`,
      startNs: 2_000_000 + i * 100_000_000,
      durationNs: 3_000,
      pid: 303,
      comm: 'ls',
      errno: 2,
    });
  }
  rows.push({
    op: 'fsync',
    path: WAL_PATH,
    startNs: 900_000_000,
    durationNs: 250_000_000,
    pid: 101,
    comm: 'postgres',
  });
  for (let i = 0; i < 5; i++) {
    rows.push({
      op: 'read',
      path: LONG_PATH,
      startNs: 1_200_000_000 + i * 1_000_000,
      durationNs: 5_000,
      pid: 101,
      comm: 'postgres',
      errno: 5,
      faultKind: 'errno',
      faultErrno: 5,
      offset: 0,
      bytes: 0,
    });
  }
  for (let i = 0; i < 3; i++) {
    rows.push({
      op: 'write',
      path: BACKUP_PATH,
      startNs: 1_300_000_000 + i * 1_000_000,
      durationNs: 10_000_000,
      pid: 202,
      comm: 'tar',
      faultKind: 'delay',
      faultDelayNs: 9_000_000,
      bytes: 4096,
      offset: 10_000_000 + i * 4096,
    });
  }
  rows.push({
    op: 'event',
    path: '/.interposer/rules',
    startNs: 1_100_000_000,
    durationNs: 0,
    pid: 0,
    comm: 'interposer',
  });
  return rows.sort((a, b) => a.startNs + a.durationNs - (b.startNs + b.durationNs));
}

export function fixtureBatches(slowdown = 1, batchRows = 128): TraceBatch[] {
  const specs = fixtureRows(slowdown);
  const batches: TraceBatch[] = [];
  const builder = new TraceBatchBuilder(batchRows);
  specs.forEach((s, i) => {
    builder.append(row(i, s));
    if (builder.full) batches.push(builder.take());
  });
  if (builder.length) batches.push(builder.take());
  return batches;
}
