import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/commands/export.js';
import { UsageError, UserError } from '../../src/cli/errors.js';
import { TraceFormatError } from '../../src/trace/reader.js';
import { tempDir } from './helpers.js';
import { validateTraceDocument } from './trace-events.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join(ROOT, 'fixtures', 'sqlite3.parquet');
const { dir, cleanup } = tempDir();
afterAll(cleanup);

function cli(args: string[]) {
  return spawnSync(
    join(ROOT, 'node_modules/.bin/vite-node'),
    [join(ROOT, 'src/cli/interposer.ts'), 'export', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
}

describe('interposer export (process)', () => {
  it('a missing trace exits 1 with a one-line message naming the file', () => {
    const missing = join(dir, 'nope.parquet');
    const result = cli(['--format', 'perfetto', missing]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`interposer export: ${missing}: no such trace file`);
    expect(result.stdout).toBe('');
  });

  it('a file that is not a trace exits 1 without a stack trace', () => {
    const bogus = join(dir, 'bogus.parquet');
    writeFileSync(bogus, 'hello, not parquet\n');
    const result = cli(['--format', 'csv', bogus]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/not a Parquet file/);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('writes Perfetto JSON to stdout by default', () => {
    const result = cli(['-f', 'perfetto', FIXTURE]);
    expect(result.status).toBe(0);
    expect(validateTraceDocument(JSON.parse(result.stdout))).toEqual([]);
  });
});

describe('export run()', () => {
  it('writes the output file and reports what it wrote on stderr', async () => {
    const out = join(dir, 'sqlite3.csv');
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await run(['--format', 'csv', FIXTURE, '-o', out, '--columns', 'seq,op'])).toBe(0);
      expect(err).toHaveBeenCalledWith(expect.stringMatching(/^exported 224 of 224 rows to /));
    } finally {
      err.mockRestore();
    }
    const lines = readFileSync(out, 'utf8').split('\r\n');
    expect(lines[0]).toBe('seq,op');
    expect(lines.length).toBe(224 + 2); // header + rows + final empty
  });

  it('an output that cannot be written is a UserError, and nothing is left behind', async () => {
    await expect(run(['-f', 'csv', FIXTURE, '-o', join(dir, 'no/such/dir/x.csv')])).rejects.toThrow(
      /x\.csv: directory .* does not exist/,
    );
    await expect(run(['-f', 'csv', FIXTURE, '-o', dir])).rejects.toThrow(/is a directory/);
    await expect(run(['-f', 'csv', FIXTURE, '-o', FIXTURE])).rejects.toBeInstanceOf(UserError);
  });

  it('a trace that turns out corrupt mid-way fails and leaves no partial output', async () => {
    const bad = join(dir, 'bad.parquet');
    copyFileSync(FIXTURE, bad);
    const bytes = readFileSync(bad);
    bytes.fill(0xee, 4, 40); // first column chunk of the first row group
    writeFileSync(bad, bytes);
    const out = join(dir, 'bad.json');
    const failure = run(['-f', 'perfetto', bad, '-o', out]);
    await expect(failure).rejects.toBeInstanceOf(TraceFormatError);
    await expect(failure).rejects.toThrow(/corrupt data in row group 0/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('bad.json'))).toEqual([]);
  });

  it('rejects bad flags with usage errors', async () => {
    await expect(run([FIXTURE])).rejects.toThrow(/--format is required/);
    await expect(run(['-f', 'svg', FIXTURE])).rejects.toThrow(/-f: expected one of perfetto, csv, got "svg"/);
    await expect(run(['-f', 'csv', FIXTURE, '--columns', 'seq,nope'])).rejects.toThrow(/unknown column nope/);
    await expect(run(['-f', 'perfetto', FIXTURE, '--columns', 'seq'])).rejects.toThrow(/csv only/);
    await expect(run(['-f', 'perfetto', FIXTURE, '--clock', 'utc'])).rejects.toThrow(
      /--clock: expected one of relative, wall/,
    );
    await expect(run(['-f', 'csv', FIXTURE, '--op', 'reed'])).rejects.toThrow(/--op: unknown value "reed"/);
    await expect(run(['-f', 'csv', FIXTURE, '--from', '2s', '--to', '1s'])).rejects.toThrow(
      /--to must be after/,
    );
    await expect(run(['-f', 'csv'])).rejects.toBeInstanceOf(UsageError);
  });

  it('--help prints usage', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await run(['--help'])).toBe(0);
      expect(log).toHaveBeenCalledWith(
        expect.stringContaining('usage: interposer export --format perfetto|csv'),
      );
    } finally {
      log.mockRestore();
    }
  });
});

describe('stdout closed early', () => {
  it('`| head` ends the export quietly with exit 0', () => {
    const viteNode = join(ROOT, 'node_modules/.bin/vite-node');
    const result = spawnSync(
      'bash',
      [
        '-c',
        `set -o pipefail; '${viteNode}' src/cli/interposer.ts export -f csv fixtures/git.parquet | head -c 64 >/dev/null`,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
