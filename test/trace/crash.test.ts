import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/trace/batch.js';
import { openTrace, readAllRows } from '../../src/trace/reader.js';
import { recoverTrace } from '../../src/trace/recover.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { SyntheticTrace } from '../../src/trace/synthetic.js';
import type { TraceRow } from '../../src/trace/schema.js';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
const childScript = join(dir, 'crash-writer.mjs');

beforeAll(async () => {
  // Plain node cannot run TypeScript: bundle the child with esbuild (a vitest dependency).
  await build({
    entryPoints: [fileURLToPath(new URL('./crash-writer.child.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: childScript,
    external: ['hyparquet'],
    logLevel: 'silent',
  });
});
afterAll(() => cleanup());

/** Runs the child until it has reported at least `minFlushes` flushes, then kill -9s it. */
function runAndKill(path: string, seed: number, minFlushes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, path, String(seed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let flushes = 0;
    let lastFlushed = 0;
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const m = /^flushed (\d+)$/.exec(line);
        if (!m) continue;
        flushes++;
        lastFlushed = Number(m[1]);
        if (flushes === minFlushes) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lastFlushed);
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

/** The rows the child generated, in order (same seed, same batch sizes). */
function expectedRows(seed: number, atLeast: number): TraceRow[] {
  const gen = new SyntheticTrace({ seed });
  const rows: TraceRow[] = [];
  for (let i = 0; rows.length < atLeast; i++) {
    rows.push(...rowsOf(gen.next(1000 + (i % 7) * 100)));
    rows.push(...rowsOf(gen.next(333)));
  }
  return rows;
}

describe('crash safety', () => {
  it('after kill -9, every flushed row is readable and `recover` makes the file plain Parquet', async () => {
    const path = join(dir, 'crashed.parquet');
    const flushed = await runAndKill(path, 5, 10);
    expect(flushed).toBeGreaterThan(0);
    expect(existsSync(path + '.inprogress')).toBe(true);

    // Read-only, transparent: the footer comes from the journal.
    const live = await openTrace(path);
    expect(live.recovered).toBe(true);
    expect(live.numRows).toBeGreaterThanOrEqual(flushed);
    const want = expectedRows(5, live.numRows);
    const got = await readAllRows(path);
    expect(got.length).toBe(live.numRows);
    expect(got).toEqual(want.slice(0, got.length));

    const sizeBefore = statSync(path).size;
    const result = await recoverTrace(path);
    expect(result.alreadyComplete).toBe(false);
    expect(result.rowsKept).toBe(live.numRows);
    expect(existsSync(path + '.inprogress')).toBe(false);
    expect(statSync(path).size).toBeGreaterThan(sizeBefore - result.bytesDropped);

    const fixed = await openTrace(path);
    expect(fixed.recovered).toBe(false);
    expect(await readAllRows(path)).toEqual(got);
    expect(fixed.metadata.wallClockAnchorNs).toBe(123n);

    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      const r = await con.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, max(seq)::INTEGER AS last FROM read_parquet('${path}')`,
      );
      expect(r.getRowObjects()).toEqual([{ n: got.length, last: got.length - 1 }]);
    } finally {
      con.closeSync();
    }

    // Recovering a complete file changes nothing.
    expect((await recoverTrace(path)).alreadyComplete).toBe(true);
  });

  it('a kill right after the first flush keeps that row group', async () => {
    const path = join(dir, 'early.parquet');
    const flushed = await runAndKill(path, 9, 1);
    const result = await recoverTrace(path);
    expect(result.rowsKept).toBeGreaterThanOrEqual(flushed);
    expect((await readAllRows(path)).length).toBe(result.rowsKept);
  });

  it('keeps exactly the complete row groups when the data or the journal was torn mid-write', async () => {
    const path = join(dir, 'torn.parquet');
    const gen = new SyntheticTrace({ seed: 2 });
    const batches = [gen.next(500), gen.next(600), gen.next(700)];
    const w = await TraceWriter.open({ path, wallClockAnchorNs: 0n, flushIntervalMs: 0 });
    const ends: number[] = [];
    for (const b of batches) {
      await w.write(b);
      await w.flush();
      ends.push(w.stats.bytesWritten);
    }
    const rowsOfBatches = batches.flatMap((b) => [...rowsOf(b)]);
    // Snapshot the files as a crash would leave them (the writer is still open).
    const snap = (name: string): string => {
      const p = join(dir, name);
      copyFileSync(path, p);
      copyFileSync(path + '.inprogress', p + '.inprogress');
      return p;
    };
    const tornData = snap('torn-data.parquet');
    truncateSync(tornData, ends[1]! + 100); // third row group only partly written
    const tornJournal = snap('torn-journal.parquet');
    truncateSync(tornJournal + '.inprogress', statSync(tornJournal + '.inprogress').size - 5); // last record torn
    const noGroups = snap('no-groups.parquet');
    truncateSync(noGroups, 4);
    await w.close();

    for (const [p, groups] of [
      [tornData, 2],
      [tornJournal, 2],
      [noGroups, 0],
    ] as const) {
      const rows = rowsOfBatches.slice(0, [0, 500, 1100][groups]);
      expect((await openTrace(p)).numRows).toBe(rows.length);
      const r = await recoverTrace(p);
      expect([p, r.rowGroupsKept, r.rowsKept]).toEqual([p, groups, rows.length]);
      expect(statSync(p).size).toBeGreaterThanOrEqual(groups === 0 ? 4 : ends[groups - 1]!);
      expect(await readAllRows(p)).toEqual(rows);
    }
  });
});
