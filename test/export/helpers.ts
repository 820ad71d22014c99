/** Small traces for export tests: rows from partial specs, written through the real writer. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceBatchBuilder, type TraceBatch } from '../../src/trace/batch.js';
import type { TraceRow } from '../../src/trace/schema.js';
import { TraceWriter } from '../../src/trace/writer.js';

export const ANCHOR_NS = 1_795_625_940_476_123_456n;

export type RowSpec = Partial<Omit<TraceRow, 'seq' | 'startNs' | 'endNs' | 'durationNs'>> & {
  start: number;
  duration: number;
};

export function toRow(spec: RowSpec, seq: number): TraceRow {
  const { start, duration, ...rest } = spec;
  return {
    seq: BigInt(seq),
    op: 'getattr',
    path: '/file',
    path2: null,
    fh: null,
    offset: null,
    size: null,
    bytes: 0n,
    errno: 0,
    flags: null,
    mode: null,
    pid: 100,
    tid: spec.tid ?? spec.pid ?? 100,
    uid: 1000,
    gid: 1000,
    comm: 'app',
    faultKind: null,
    faultErrno: null,
    faultDelayNs: null,
    faultTruncatedTo: null,
    throttleWaitNs: null,
    ...rest,
    startNs: BigInt(start),
    endNs: BigInt(start + duration),
    durationNs: BigInt(duration),
  };
}

/** Specs in completion order (end, then start), numbered by seq as a recorder would. */
export function completionOrdered(specs: readonly RowSpec[]): TraceRow[] {
  return [...specs]
    .sort((a, b) => a.start + a.duration - (b.start + b.duration) || a.start - b.start)
    .map((s, i) => toRow(s, i));
}

export function batchesOf(rows: readonly TraceRow[], batchRows: number): TraceBatch[] {
  const builder = new TraceBatchBuilder(batchRows);
  const out: TraceBatch[] = [];
  for (const row of rows) {
    builder.append(row);
    if (builder.full) out.push(builder.take());
  }
  if (builder.length > 0) out.push(builder.take());
  return out;
}

export async function writeTrace(
  path: string,
  rows: readonly TraceRow[],
  rowGroupRows = 1024,
): Promise<void> {
  const writer = await TraceWriter.open({
    path,
    wallClockAnchorNs: ANCHOR_NS,
    metadata: { 'interposer.source': 'test' },
    rowGroupRows,
    flushIntervalMs: 0,
  });
  for (const batch of batchesOf(rows, rowGroupRows)) await writer.write(batch);
  await writer.close();
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'interposer-export-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
