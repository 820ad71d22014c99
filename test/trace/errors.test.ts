import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/cli/errors.js';
import { MAGIC, serializeFooter } from '../../src/trace/parquet-format.js';
import { openTrace, readAllRows, TraceFormatError } from '../../src/trace/reader.js';
import { recoverTrace } from '../../src/trace/recover.js';
import { COLUMNS, METADATA_KEYS } from '../../src/trace/schema.js';
import { seededRandom } from '../../src/trace/synthetic.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { batchesOf, edgeCaseRows, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
const good = join(dir, 'good.parquet');
let goodBytes: Buffer;

beforeAll(async () => {
  const w = await TraceWriter.open({ path: good, wallClockAnchorNs: 0n, rowGroupRows: 500 });
  for (const b of batchesOf(edgeCaseRows(1200), 400)) await w.write(b);
  await w.close();
  goodBytes = readFileSync(good);
});
afterAll(() => cleanup());

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** Opens and reads everything; returns the error thrown. */
async function failure(path: string): Promise<TraceFormatError> {
  try {
    await readAllRows(path);
  } catch (err) {
    expect(err).toBeInstanceOf(TraceFormatError);
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message.startsWith(path + ': ')).toBe(true);
    expect(message).not.toContain('\n');
    return err as TraceFormatError;
  }
  throw new Error(`${path} was read without error`);
}

describe('openTrace refuses unusable files with one clear line', () => {
  it('missing file and directory', async () => {
    expect((await failure(join(dir, 'nope.parquet'))).message).toMatch(/no such trace file/);
    mkdirSync(join(dir, 'adir'));
    expect((await failure(join(dir, 'adir'))).message).toMatch(/is a directory/);
  });

  it('empty file and random bytes', async () => {
    expect((await failure(file('empty.parquet', new Uint8Array(0)))).message).toMatch(/empty/);
    const r = seededRandom(1);
    const noise = Uint8Array.from({ length: 4096 }, () => Math.floor(r() * 256));
    expect((await failure(file('noise.parquet', noise))).message).toMatch(/not a Parquet file/);
  });

  it('truncated file without a journal', async () => {
    const p = file('truncated.parquet', goodBytes.subarray(0, goodBytes.length - 100));
    expect((await failure(p)).message).toMatch(/footer is missing.*no journal/);
  });

  it('PAR1 at both ends but garbage footer', async () => {
    const bytes = Buffer.from(goodBytes);
    const footerLength = bytes.readUInt32LE(bytes.length - 8);
    bytes.fill(0xff, bytes.length - 8 - footerLength, bytes.length - 8);
    expect((await failure(file('badfooter.parquet', bytes))).message).toMatch(/corrupt Parquet footer/);
    const huge = Buffer.from(goodBytes);
    huge.writeUInt32LE(0x7fffffff, huge.length - 8);
    expect((await failure(file('hugefooter.parquet', huge))).message).toMatch(/corrupt Parquet footer/);
  });

  it('corrupted page data is reported with row group and column', async () => {
    const bytes = Buffer.from(goodBytes);
    // Smash the first column chunk (seq) of the first row group, past the magic.
    bytes.fill(0xee, 4, 40);
    expect((await failure(file('badpage.parquet', bytes))).message).toMatch(
      /corrupt data in row group 0, column seq/,
    );
  });

  it('Parquet that is not a trace', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const p = join(dir, 'other.parquet');
    try {
      await con.run(`COPY (SELECT 1::BIGINT AS seq, 'x' AS name) TO '${p}' (FORMAT parquet)`);
    } finally {
      con.closeSync();
    }
    expect((await failure(p)).message).toMatch(
      /not an interposer trace \(missing columns: op, path, path2, fh, offset, \.\.\./,
    );
  });

  it('trace column with the wrong type', async () => {
    const columns = COLUMNS.map((c) => (c.name === 'pid' ? { ...c, type: 'int64' as const } : c));
    const p = file('wrongtype.parquet', Buffer.concat([MAGIC, serializeFooter(columns, [], 0, {})]));
    expect((await failure(p)).message).toMatch(
      /column "pid" is INT64, an interposer trace stores it as INT32/,
    );
  });

  it('newer schema version', async () => {
    const p = file(
      'newer.parquet',
      Buffer.concat([MAGIC, serializeFooter(COLUMNS, [], 0, { [METADATA_KEYS.schemaVersion]: '99' })]),
    );
    expect((await failure(p)).message).toMatch(
      /newer interposer \(trace schema version 99, this version reads up to 1\)/,
    );
  });

  it('recover refuses files it cannot help', async () => {
    await expect(recoverTrace(join(dir, 'nope.parquet'))).rejects.toThrow(TraceFormatError);
    const p = file('truncated2.parquet', goodBytes.subarray(0, 1000));
    await expect(recoverTrace(p)).rejects.toThrow(/no journal/);
    writeFileSync(p + '.inprogress', 'garbage');
    await expect(recoverTrace(p)).rejects.toThrow(/journal .* is unusable/);
  });

  it('an intact trace still opens (the fixtures above are really broken)', async () => {
    expect((await openTrace(good)).numRows).toBe(1200);
  });
});
