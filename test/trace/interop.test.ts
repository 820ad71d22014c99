import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTrace, readAllRows } from '../../src/trace/reader.js';
import { COLUMNS, METADATA_KEYS } from '../../src/trace/schema.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { batchesOf, edgeCaseRows, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
const path = join(dir, 'interop.parquet');
const rows = edgeCaseRows(20_000, 11);

beforeAll(async () => {
  const w = await TraceWriter.open({
    path,
    wallClockAnchorNs: 42n,
    metadata: { [METADATA_KEYS.hostname]: 'h' },
    rowGroupRows: 4096,
  });
  for (const b of batchesOf(rows, 1500)) await w.write(b);
  await w.close();
});
afterAll(() => cleanup());

const sum = (xs: (bigint | number | null)[]): bigint => xs.reduce<bigint>((s, x) => s + BigInt(x ?? 0), 0n);

describe('trace files are plain Parquet', () => {
  it('DuckDB reads them and agrees on counts, sums, nulls and strings', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      const result = await con.runAndReadAll(`
        SELECT count(*) AS n, sum(seq)::VARCHAR AS seq_sum, sum(duration_ns)::VARCHAR AS dur_sum,
               sum(bytes::HUGEINT)::VARCHAR AS bytes_sum, count(fh) AS fh_n, count(path2) AS path2_n,
               count(DISTINCT path) AS paths, sum(length(path)) AS path_chars, sum(flags::BIGINT)::VARCHAR AS flags_sum,
               count(fault_kind) AS fk_n, max(gid) AS gid_max, min(tid) AS tid_min
        FROM read_parquet('${path}')`);
      const [got] = result.getRowObjects();
      expect(got).toBeDefined();
      expect(Number(got!.n)).toBe(rows.length);
      expect(got!.seq_sum).toBe(sum(rows.map((r) => r.seq)).toString());
      expect(got!.dur_sum).toBe(sum(rows.map((r) => r.durationNs)).toString());
      expect(got!.bytes_sum).toBe(sum(rows.map((r) => r.bytes)).toString());
      expect(Number(got!.fh_n)).toBe(rows.filter((r) => r.fh !== null).length);
      expect(Number(got!.path2_n)).toBe(rows.filter((r) => r.path2 !== null).length);
      expect(Number(got!.paths)).toBe(new Set(rows.map((r) => r.path)).size);
      expect(Number(got!.path_chars)).toBe(rows.reduce((n, r) => n + [...r.path].length, 0));
      expect(got!.flags_sum).toBe(sum(rows.map((r) => r.flags)).toString());
      expect(Number(got!.fk_n)).toBe(rows.filter((r) => r.faultKind !== null).length);
      expect(Number(got!.gid_max)).toBe(2 ** 31 - 1);
      expect(Number(got!.tid_min)).toBe(Math.min(...rows.map((r) => r.tid)));

      const kv = await con.runAndReadAll(
        `SELECT key::VARCHAR AS k, value::VARCHAR AS v FROM parquet_kv_metadata('${path}') WHERE key::VARCHAR = '${METADATA_KEYS.wallClockAnchorNs}'`,
      );
      expect(kv.getRowObjects()).toEqual([{ k: METADATA_KEYS.wallClockAnchorNs, v: '42' }]);

      // Row-by-row agreement on a slice spanning a row-group boundary.
      const slice = await con.runAndReadAll(
        `SELECT seq, path, comm, "offset", fault_delay_ns FROM read_parquet('${path}') WHERE seq BETWEEN 4090 AND 4100 ORDER BY seq`,
      );
      expect(slice.getRowObjects()).toEqual(
        rows.slice(4090, 4101).map((r) => ({
          seq: r.seq,
          path: r.path,
          comm: r.comm,
          offset: r.offset,
          fault_delay_ns: r.faultDelayNs,
        })),
      );
    } finally {
      con.closeSync();
    }
  });

  it('hyparquet (an independent reader) reads the same rows', async () => {
    const buf = readFileSync(path);
    const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const meta = parquetMetadata(file);
    expect(meta.schema.slice(1).map((s) => s.name)).toEqual(COLUMNS.map((c) => c.name));
    const objs = (await parquetReadObjects({ file, rowStart: 4000, rowEnd: 4200 })) as Record<
      string,
      unknown
    >[];
    expect(objs).toHaveLength(200);
    for (let i = 0; i < objs.length; i++) {
      const want = rows[4000 + i]!;
      for (const c of COLUMNS) {
        const v = want[c.field];
        expect([c.name, objs[i]![c.name]]).toEqual([c.name, v]);
      }
    }
  });

  it('reads a trace DuckDB rewrote (snappy, its own encodings, no key-value metadata)', async () => {
    const rewritten = join(dir, 'duck.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      await con.run(
        `COPY (SELECT * FROM read_parquet('${path}') ORDER BY seq) TO '${rewritten}' (FORMAT parquet, ROW_GROUP_SIZE 5000)`,
      );
    } finally {
      con.closeSync();
    }
    const t = await openTrace(rewritten);
    expect(t.numRows).toBe(rows.length);
    expect(await readAllRows(rewritten)).toEqual(rows);
  });
});
