/**
 * Page checksums: the writer stores the CRC-32 of every page in its header, readers verify it, and
 * a damaged page is one line naming file, row group, column and page from every command, never
 * wrong totals. Files without checksums (our older traces, hyparquet's) still read.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeTraces } from '../../src/analyze/analyze.js';
import { rowsOf } from '../../src/trace/batch.js';
import { crc32, crc32Portable } from '../../src/trace/crc32.js';
import { readPageHeader } from '../../src/trace/parquet-format.js';
import { openTrace, readAllRows, TraceChecksumError, type TraceFile } from '../../src/trace/reader.js';
import { recoverTrace } from '../../src/trace/recover.js';
import { COLUMNS } from '../../src/trace/schema.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { ensureBuilt } from '../replay/helpers.js';
import { tempDir } from './helpers.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'dist/bin/interposer.js');
const FIXTURE = join(REPO, 'fixtures/git.parquet');
const { dir, cleanup } = tempDir();
const intact = join(dir, 'git-crc.parquet');
const ROW_GROUP_ROWS = 1000;

interface PageSpan {
  rowGroup: number;
  column: string;
  page: number;
  bodyStart: number;
  bodyLength: number;
  crc: number | undefined;
}

/** Every page of a trace with where its bytes lie, from the footer and the page headers. */
function pagesOf(trace: TraceFile, file: Uint8Array): PageSpan[] {
  const spans: PageSpan[] = [];
  trace.meta.rowGroups.forEach((rg, rowGroup) => {
    for (const chunk of rg.columns) {
      let pos = chunk.dictionaryPageOffset ?? chunk.dataPageOffset;
      const end = pos + chunk.totalCompressedSize;
      for (let page = 0; pos < end; page++) {
        const h = readPageHeader(file, pos, end);
        const bodyStart = pos + h.headerLength;
        spans.push({
          rowGroup,
          column: chunk.name,
          page,
          bodyStart,
          bodyLength: h.compressedSize,
          crc: h.crc,
        });
        pos = bodyStart + h.compressedSize;
      }
    }
  });
  return spans;
}

/** A copy of `source` with 64 bytes in the middle of `span`'s page data overwritten. */
function damaged(name: string, span: PageSpan): string {
  const out = join(dir, name);
  const bytes = new Uint8Array(readFileSync(intact));
  const at = span.bodyStart + Math.floor((span.bodyLength - 64) / 2);
  for (let i = 0; i < 64; i++) bytes[at + i] = bytes[at + i]! ^ 0x5a;
  writeFileSync(out, bytes);
  return out;
}

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let pages: PageSpan[];

beforeAll(async () => {
  ensureBuilt();
  // The fixture predates checksums: rewrite it through today's writer, in several row groups.
  const source = await openTrace(FIXTURE);
  const w = await TraceWriter.open({
    path: intact,
    wallClockAnchorNs: source.metadata.wallClockAnchorNs,
    metadata: source.metadata.keyValue,
    rowGroupRows: ROW_GROUP_ROWS,
    flushIntervalMs: 0,
  });
  for await (const b of source.batches()) await w.write(b);
  await w.close();
  pages = pagesOf(await openTrace(intact), new Uint8Array(readFileSync(intact)));
}, 120_000);
afterAll(() => cleanup());

describe('CRC-32', () => {
  it('matches the standard check value and zlib on every length', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Portable(check)).toBe(0xcbf43926);
    const data = new Uint8Array(4099).map((_, i) => (i * 2654435761) >>> 24);
    for (const n of [0, 1, 7, 8, 9, 63, 64, 65, 4099]) {
      const part = data.subarray(3, 3 + Math.min(n, data.length - 3));
      expect(crc32Portable(part)).toBe(zlib.crc32(part) >>> 0);
    }
  });
});

describe('page checksums', () => {
  it('every page header the writer produces stores the CRC-32 of its bytes', () => {
    const file = new Uint8Array(readFileSync(intact));
    expect(pages.length).toBeGreaterThan(COLUMNS.length * 3);
    for (const p of pages) expect(p.crc).toBe(crc32(file.subarray(p.bodyStart, p.bodyStart + p.bodyLength)));
  });

  it('an intact copy reads back exactly the fixture rows', async () => {
    expect(await readAllRows(intact)).toEqual(await readAllRows(FIXTURE));
  });

  it('DuckDB and hyparquet still read checksummed traces', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      const res = await con.runAndReadAll(
        `SELECT count(*) AS n, sum(bytes)::VARCHAR AS b FROM read_parquet('${intact}')`,
      );
      const rows = await readAllRows(intact);
      expect(res.getRowObjects()).toEqual([
        { n: BigInt(rows.length), b: rows.reduce((s, r) => s + r.bytes, 0n).toString() },
      ]);
    } finally {
      con.closeSync();
      db.closeSync();
    }
    const objs = await parquetReadObjects({
      file: readFileSync(intact).buffer as ArrayBuffer,
      columns: ['seq'],
    });
    expect(objs.length).toBe((await openTrace(intact)).numRows);
  });

  it('a file without checksums (hyparquet-writer) still reads', async () => {
    const rows = (await readAllRows(FIXTURE)).slice(0, 50);
    const columnData = COLUMNS.map((c) => {
      const key = c.name.replace(/_([a-z])/g, (_, x: string) => x.toUpperCase()) as keyof (typeof rows)[0];
      const type = c.type === 'int64' ? 'INT64' : c.type === 'int32' ? 'INT32' : 'STRING';
      return { name: c.name, data: rows.map((r) => r[key]), type, nullable: c.nullable } as const;
    });
    const buf = parquetWriteBuffer({ columnData });
    const path = join(dir, 'hyparquet.parquet');
    writeFileSync(path, new Uint8Array(buf));
    const trace = await openTrace(path);
    const crcs = pagesOf(trace, new Uint8Array(buf)).map((p) => p.crc);
    expect(crcs.every((c) => c === undefined)).toBe(true);
    expect(await readAllRows(path)).toEqual(rows);
  });

  it('a damaged page is one line naming file, row group, column and page from analyze, export and replay', async () => {
    // The largest data page of the second row group: damage well inside a trace's real data.
    const victim = pages
      .filter((p) => p.rowGroup === 1 && p.column === 'path')
      .reduce((a, b) => (b.bodyLength > a.bodyLength ? b : a));
    expect(victim.bodyLength).toBeGreaterThan(128);
    const bad = damaged('bad.parquet', victim);
    await expect(readAllRows(bad)).rejects.toThrow(TraceChecksumError);
    const want = new RegExp(
      `^interposer(?: [a-z]+)?: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: damaged data in row group 1, column path, page ${victim.page} \\([a-z ]+\\) fails its checksum: stored CRC-32 [0-9a-f]{8}, bytes give [0-9a-f]{8}$`,
    );
    const target = join(dir, 'replay-target');
    for (const args of [
      ['analyze', bad],
      ['analyze', bad, '--json'],
      ['export', bad, '--format', 'csv', '-o', join(dir, 'out.csv')],
      ['replay', bad, '--target', target, '--timing', 'afap'],
    ]) {
      const r = cli(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(want);
      expect(r.stdout).toBe('');
    }
    // Nothing half-written is left behind.
    expect(existsSync(join(dir, 'out.csv'))).toBe(false);
    expect(existsSync(target)).toBe(false);
  });

  it('a damaged trace among several fails the merged analysis and leaves no trace file open', async () => {
    const victim = pages.find((p) => p.rowGroup === 2 && p.column === 'duration_ns')!;
    const bad = damaged('merged.parquet', victim);
    await expect(analyzeTraces([intact, bad])).rejects.toThrow(TraceChecksumError);
    // The intact trace's stream was waiting for its turn when the other failed: it must be ended
    // too, not left for garbage collection to close.
    const open = readdirSync('/proc/self/fd')
      .map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return ''; // closed between listing and reading
        }
      })
      .filter((target) => target.startsWith(dir));
    expect(open).toEqual([]);
  });

  it('recover keeps every row group before the damaged one', async () => {
    const all = await readAllRows(intact);
    const trace = await openTrace(intact);
    const victim = pages.find((p) => p.rowGroup === 2 && p.column === 'start_ns')!;
    const bad = damaged('recover.parquet', victim);
    const r = cli('recover', bad);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/recovered 2000 rows in 2 row groups, cut \d+ row group\(s\)/);
    expect(r.stderr).toMatch(/row group 2, column start_ns, page 0/);
    const kept = await openTrace(bad);
    expect(kept.numRowGroups).toBe(2);
    const rows: unknown[] = [];
    for await (const b of kept.batches()) rows.push(...rowsOf(b));
    expect(rows).toEqual(all.slice(0, 2 * ROW_GROUP_ROWS));
    expect(trace.numRowGroups).toBeGreaterThan(2);
    // A second run finds nothing left to repair.
    expect((await recoverTrace(bad)).alreadyComplete).toBe(true);
  });
});
