/**
 * `interposer report` on bad input: one clear line on stderr, a non-zero exit, no stack trace,
 * and no report file (or an earlier one left intact). And the size bound: a report embeds
 * aggregates, so ten times the rows does not make a bigger page.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTrace } from '../../src/analyze/generate.js';
import { collectTrace, traceReportHtml } from '../../src/report/index.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { requireBuild, ROOT } from '../helpers/interposer-process.js';
import { cli } from './helpers.js';

const FIO = join(ROOT, 'fixtures', 'fio.parquet');

function expectOneLineError(r: { code: number | null; stderr: string }, code: number, pattern: RegExp): void {
  expect(r.code).toBe(code);
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('interposer report: bad input', () => {
  let dir: string;
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('needs a trace and -o', () => {
    expectOneLineError(
      cli(['report', '-o', join(dir, 'x.html')]),
      2,
      /^interposer report: missing <trace\.parquet>/,
    );
    expectOneLineError(cli(['report', FIO]), 2, /^interposer report: -o\/--out FILE is required$/);
    expectOneLineError(
      cli(['report', FIO, '-o', join(dir, 'x.html'), '--top', 'many']),
      2,
      /--top: expected an integer >= 1/,
    );
    expectOneLineError(cli(['report', FIO, '--bogus']), 2, /^interposer report: unknown option --bogus/);
  });

  it('names a missing or unreadable trace and writes nothing', () => {
    const out = join(dir, 'missing.html');
    const r = cli(['report', join(dir, 'nope.parquet'), '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('nope.parquet');
    expect(() => statSync(out)).toThrow();

    const notParquet = join(dir, 'text.parquet');
    writeFileSync(notParquet, 'hello, not a trace\n');
    const bad = cli(['report', notParquet, '-o', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('text.parquet');
    expect(() => statSync(out)).toThrow();
  });

  it('keeps an earlier report when a later trace fails', () => {
    const out = join(dir, 'keep.html');
    writeFileSync(out, 'earlier report');
    const r = cli(['report', FIO, join(dir, 'nope.parquet'), '-o', out]);
    expect(r.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('earlier report');
  });

  it('says when the report cannot be written', () => {
    const r = cli(['report', FIO, '-o', join(dir, 'no-such-dir', 'r.html')]);
    expectOneLineError(r, 2, /^interposer report: -o .*r\.html: directory .* does not exist$/);
  });

  it('escapes what the trace contains (paths are data, not markup)', async () => {
    const path = join(dir, 'evil.parquet');
    const writer = await TraceWriter.open({ path, wallClockAnchorNs: 0n, flushIntervalMs: 0 });
    for (const batch of generateTrace({ rows: 2000, seed: 3, files: 3 })) {
      const col = batch.columns.path;
      if (col?.kind === 'string')
        (col as { dictionary: readonly string[] }).dictionary = col.dictionary.map(
          (p) => `${p}<script>alert(1)</script>&"'`,
        );
      await writer.write(batch);
    }
    await writer.close();
    const html = traceReportHtml([await collectTrace(path)]);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&#60;script&#62;alert(1)');
  });
});

describe('report size', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'report-size-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function reportOf(rows: number): Promise<string> {
    const path = join(dir, `t${rows}.parquet`);
    const writer = await TraceWriter.open({ path, wallClockAnchorNs: 0n, flushIntervalMs: 0 });
    for (const batch of generateTrace({ rows, seed: 7, files: 5000, processes: 8, faultRate: 0.01 }))
      await writer.write(batch);
    await writer.close();
    return traceReportHtml([await collectTrace(path)]);
  }

  it('does not grow with the number of rows (aggregates only)', async () => {
    const small = await reportOf(20_000);
    const large = await reportOf(200_000);
    // The heatmap fills more cells as calls spread out; everything else has a fixed length.
    expect(Buffer.byteLength(large)).toBeLessThan(1024 * 1024);
    expect(Buffer.byteLength(large) / Buffer.byteLength(small)).toBeLessThan(2);
    // 5000 files in the trace; on the page only the top lists (20 each by time, ops and bytes,
    // 20 access patterns), which overlap.
    const files = new Set(large.match(/file\d+\.\w+/g));
    expect(files.size).toBeGreaterThanOrEqual(20);
    expect(files.size).toBeLessThanOrEqual(80);
  });
});
