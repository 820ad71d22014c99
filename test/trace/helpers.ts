import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceBatchBuilder, type TraceBatch } from '../../src/trace/batch.js';
import { FAULT_KINDS, OPS, type TraceRow } from '../../src/trace/schema.js';
import { seededRandom } from '../../src/trace/synthetic.js';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'interposer-trace-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const PATHS = [
  '/',
  '/a.txt',
  '/dir/b.bin',
  '',
  '/ünïcødé/文件.txt',
  '/emoji/🚀.log',
  '/with space/and\ttab',
  '/deep/'.repeat(20) + 'x',
];

/** Rows exercising every column: nulls, empty strings, unicode, int64 beyond 2^53, negatives. */
export function edgeCaseRows(count: number, seed = 7): TraceRow[] {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const big = (): bigint => {
    const choice = r();
    if (choice < 0.1) return 9_223_372_036_854_775_807n;
    if (choice < 0.2) return -9_223_372_036_854_775_808n;
    if (choice < 0.4) return 2n ** 53n + BigInt(Math.floor(r() * 1000));
    if (choice < 0.5) return -BigInt(Math.floor(r() * 1e12));
    return BigInt(Math.floor(r() * 1e9));
  };
  const rows: TraceRow[] = [];
  let clock = 5n;
  for (let i = 0; i < count; i++) {
    const duration = BigInt(Math.floor(r() * 1e6));
    clock += BigInt(Math.floor(r() * 1e5));
    const nullish = r() < 0.3;
    rows.push({
      seq: BigInt(i),
      op: pick(OPS),
      path: pick(PATHS),
      path2: r() < 0.5 ? null : pick(PATHS),
      fh: nullish ? null : big(),
      offset: nullish ? null : big(),
      size: r() < 0.5 ? null : big(),
      bytes: big(),
      errno: r() < 0.8 ? 0 : Math.floor(r() * 130),
      flags: r() < 0.5 ? null : Math.floor(r() * 2 ** 32) | 0,
      mode: r() < 0.5 ? null : 0o100644,
      startNs: clock,
      endNs: clock + duration,
      durationNs: duration,
      pid: Math.floor(r() * 2 ** 31),
      tid: -1 - Math.floor(r() * 100),
      uid: 0,
      gid: 2 ** 31 - 1,
      comm: r() < 0.2 ? null : pick(['bash', '', 'postgres: wal writer', 'ＰＹＴＨＯＮ']),
      faultKind: r() < 0.7 ? null : pick(FAULT_KINDS),
      faultErrno: r() < 0.7 ? null : 5,
      faultDelayNs: r() < 0.7 ? null : big(),
      faultTruncatedTo: r() < 0.7 ? null : 0n,
      throttleWaitNs: r() < 0.7 ? null : big(),
    });
  }
  return rows;
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
