import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { csvField, parseColumnList } from '../../src/export/csv.js';
import { exportTrace } from '../../src/export/export.js';
import { readAllRows } from '../../src/trace/reader.js';
import { COLUMNS, COLUMN_NAMES, type TraceRow } from '../../src/trace/schema.js';
import { parseCsv, type CsvRecord } from './csv-parse.js';
import { completionOrdered, tempDir, writeTrace, type RowSpec } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const { dir, cleanup } = tempDir();
afterAll(cleanup);

const NASTY_PATHS = [
  '/plain.txt',
  '/with,comma.csv',
  '/with "quotes" inside',
  '/multi\nline\r\nname',
  '/"',
  '/trailing space ',
  '/ünïcødé/文件 🚀',
  '/=SUM(A1)',
];

const specs: RowSpec[] = NASTY_PATHS.map((path, i) => ({
  op: i % 2 === 0 ? 'read' : 'rename',
  path,
  path2: i % 2 === 0 ? null : i === 1 ? '' : `${path}.new,"x"`,
  fh: i % 3 === 0 ? null : BigInt(i),
  offset: i === 2 ? 9_223_372_036_854_775_807n : null,
  size: i === 2 ? 2n ** 53n + 1n : null,
  bytes: BigInt(i * 4096),
  errno: i === 5 ? 2 : 0,
  flags: i === 3 ? -2147483648 : null,
  mode: i === 4 ? 0o100644 : null,
  comm: i === 6 ? null : i === 7 ? 'postgres: wal writer' : 'app',
  faultKind: i === 5 ? 'errno' : null,
  faultErrno: i === 5 ? 2 : null,
  faultDelayNs: i === 4 ? 123_456_789_012n : null,
  start: 1_000 * i,
  duration: 10 + i,
  pid: 40 + i,
}));
const rows = completionOrdered(specs);

/** The CSV text of each field of a row: digits for integers, null for null. */
function expectedRecord(row: TraceRow, columns: readonly string[] = COLUMN_NAMES): CsvRecord {
  return columns.map((name) => {
    const def = COLUMNS.find((c) => c.name === name)!;
    const value = row[def.field];
    return value === null ? null : String(value);
  });
}

async function exportCsv(input: string, columns?: string[]): Promise<string> {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.csv`);
  await exportTrace({ format: 'csv', input, output: out, ...(columns ? { columns } : {}) });
  return readFileSync(out, 'utf8');
}

describe('CSV export', () => {
  it('round-trips commas, quotes, newlines, unicode, nulls vs empty strings and int64 extremes', async () => {
    const input = join(dir, 'nasty.parquet');
    await writeTrace(input, rows, 3);
    const text = await exportCsv(input);
    const [header, ...records] = parseCsv(text);
    expect(header).toEqual([...COLUMN_NAMES]);
    expect(text.startsWith(`${COLUMN_NAMES.join(',')}\r\n`)).toBe(true);
    expect(records).toEqual(rows.map((r) => expectedRecord(r)));
    // Spot checks of the raw text, as a spreadsheet sees it.
    expect(text).toContain('"/with,comma.csv"');
    expect(text).toContain('"/with ""quotes"" inside"');
    expect(text).toContain('"/multi\nline\r\nname"');
    expect(text).toContain(',9223372036854775807,9007199254740993,');
  });

  it('--columns projects and orders columns', async () => {
    const input = join(dir, 'nasty-proj.parquet');
    await writeTrace(input, rows);
    const columns = ['path', 'seq', 'fault_delay_ns'];
    const [header, ...records] = parseCsv(await exportCsv(input, columns));
    expect(header).toEqual(columns);
    expect(records).toEqual(rows.map((r) => expectedRecord(r, columns)));
  });

  it('filters by op and time window', async () => {
    const input = join(dir, 'nasty-filter.parquet');
    await writeTrace(input, rows);
    const out = join(dir, 'filtered.csv');
    const result = await exportTrace({
      format: 'csv',
      input,
      output: out,
      columns: ['seq', 'op', 'start_ns'],
      filter: { ops: ['read'], fromNs: 1_000n, toNs: 7_000n },
    });
    const [, ...records] = parseCsv(readFileSync(out, 'utf8'));
    const expected = rows.filter((r) => r.op === 'read' && r.startNs >= 1_000n && r.startNs < 7_000n);
    expect(records).toEqual(expected.map((r) => expectedRecord(r, ['seq', 'op', 'start_ns'])));
    expect(result).toMatchObject({ rowsRead: rows.length, rowsExported: expected.length });
  });

  it('fixture traces: one record per row, DuckDB reads the CSV back equal to the Parquet', async () => {
    const input = join(FIXTURES, 'git.parquet');
    const out = join(dir, 'git.csv');
    await exportTrace({ format: 'csv', input, output: out });
    const [header, ...records] = parseCsv(readFileSync(out, 'utf8'));
    expect(header).toEqual([...COLUMN_NAMES]);
    const all = await readAllRows(input);
    expect(records).toEqual(all.map((r) => expectedRecord(r)));

    const sqlType = { string: 'VARCHAR', int64: 'BIGINT', int32: 'INTEGER' } as const;
    const DUCKDB_COLUMNS = `{${COLUMNS.map((c) => `'${c.name}': '${sqlType[c.type]}'`).join(', ')}}`;
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      const diff = await con.runAndReadAll(`
        SELECT count(*) AS n FROM (
          (SELECT * FROM read_csv('${out}', header = true, quote = '"', escape = '"', columns = ${DUCKDB_COLUMNS})
           EXCEPT ALL SELECT * FROM read_parquet('${input}'))
          UNION ALL
          (SELECT * FROM read_parquet('${input}') EXCEPT ALL
           SELECT * FROM read_csv('${out}', header = true, quote = '"', escape = '"', columns = ${DUCKDB_COLUMNS})))`);
      expect(Number(diff.getRowObjects()[0]!.n)).toBe(0);
      const count = await con.runAndReadAll(`SELECT count(*) AS n FROM read_csv('${out}', header = true)`);
      expect(Number(count.getRowObjects()[0]!.n)).toBe(all.length);
    } finally {
      con.closeSync();
    }
  });
});

describe('csvField and parseColumnList', () => {
  it('quotes only what RFC 4180 requires, and marks empty strings', () => {
    expect(csvField('abc')).toBe('abc');
    expect(csvField('')).toBe('""');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField('a\rb')).toBe('"a\rb"');
  });

  it('accepts known columns in any order and names unknown ones', () => {
    expect(parseColumnList(' op, seq ,path ')).toEqual(['op', 'seq', 'path']);
    expect(() => parseColumnList('op,latency')).toThrow(/unknown column latency/);
    expect(() => parseColumnList(',')).toThrow(/no columns/);
  });
});
