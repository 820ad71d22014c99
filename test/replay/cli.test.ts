/** `interposer replay` as a user runs it: exit codes, --json, bad input, Ctrl-C (compiled CLI, child processes). */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorkload } from '../../src/replay/workload.js';
import { MAGIC, serializeFooter } from '../../src/trace/parquet-format.js';
import { openTrace, readAllRows } from '../../src/trace/reader.js';
import { COLUMNS, METADATA_KEYS } from '../../src/trace/schema.js';
import { ensureBuilt, runCli, tempDir, writeTraceFile } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let small: string;

beforeAll(async () => {
  ensureBuilt();
  tmp = tempDir('replay-cli-');
  small = await writeTraceFile(
    join(tmp.dir, 'small.parquet'),
    generateWorkload({ ops: 400, threads: 2, files: 10, seed: 9 }),
  );
}, 600_000);
afterAll(() => tmp?.cleanup());

let n = 0;
const target = () => join(tmp.dir, `t${n++}`);

describe('interposer replay', () => {
  it('replays, prints the comparison, writes the replay trace next to the input', async () => {
    const r = await runCli(['replay', small, '--target', target(), '--timing', 'afap']);
    expect(r.stderr).toMatch(/pre-phase: \d+ files/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ops: 400 recorded, 400 replayed/);
    expect(r.stdout).toMatch(/errors that differ: 0/);
    expect(r.stdout).toMatch(/^read\s+\d+/m);
    const out = join(tmp.dir, 'small.replay.parquet');
    expect((await readAllRows(out)).length).toBe(400);
    expect((await openTrace(out)).metadata.keyValue[METADATA_KEYS.source]).toBe('replay');
  });

  it('--fail-if: exit 3 when a threshold is exceeded, 0 otherwise; --json for CI', async () => {
    const ok = await runCli([
      'replay',
      small,
      '--target',
      target(),
      '--timing',
      'afap',
      '--out',
      join(tmp.dir, 'a.parquet'),
      '--fail-if',
      'errors>0',
      '--json',
    ]);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report.ops.replayed).toBe(400);
    expect(report.thresholds).toEqual([{ text: 'errors>0', actual: 0, unit: '', failed: false }]);
    expect(report.perOp.find((p: { op: string }) => p.op === 'read').replayed.count).toBeGreaterThan(0);

    const fail = await runCli([
      'replay',
      small,
      '--target',
      target(),
      '--timing',
      'afap',
      '--out',
      join(tmp.dir, 'b.parquet'),
      '--fail-if',
      'errors>0',
      '--fail-if',
      'errors>=0',
    ]);
    expect(fail.code).toBe(3);
    expect(fail.stdout).toMatch(/FAIL errors>=0 \(actual 0\)/);
    expect(fail.stdout).toMatch(/ok {3}errors>0/);

    const bad = await runCli(['replay', small, '--target', target(), '--fail-if', 'p99.read>2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--fail-if 'p99.read>2': give a ratio/);
  });

  it('an overlay flag injects faults and the report counts them', async () => {
    const out = join(tmp.dir, 'eio.parquet');
    const r = await runCli([
      'replay',
      small,
      '--target',
      target(),
      '--timing',
      'afap',
      '--out',
      out,
      '--fault',
      'op=write,errno=EIO,first=2',
      '--fail-if',
      'errors>0',
    ]);
    expect(r.code).toBe(0); // injected faults are not "errors that differ"
    expect(r.stdout).toMatch(/injected faults: 2/);
    expect((await readAllRows(out)).filter((row) => row.faultErrno === 5)).toHaveLength(2);
    expect(existsSync(`${out}.faults.jsonl`)).toBe(true);
  });

  it('refuses bad input with a clear message and a non-zero exit', async () => {
    const garbage = join(tmp.dir, 'garbage.parquet');
    writeFileSync(garbage, 'this is not parquet at all, not even close');
    const newer = join(tmp.dir, 'newer.parquet');
    writeFileSync(
      newer,
      Buffer.concat([MAGIC, serializeFooter(COLUMNS, [], 0, { [METADATA_KEYS.schemaVersion]: '99' })]),
    );
    const fileAsParent = join(tmp.dir, 'a-file');
    writeFileSync(fileAsParent, '');
    const nonEmpty = target();
    mkdirSync(nonEmpty);
    writeFileSync(join(nonEmpty, 'x'), '');

    const cases: [string[], RegExp][] = [
      [[garbage, '--target', target()], /garbage\.parquet/],
      [[newer, '--target', target()], /newer interposer/],
      [[join(tmp.dir, 'missing.parquet'), '--target', target()], /no such trace file/],
      [[small, '--target', join(fileAsParent, 'sub')], /replay target .* is not usable \(ENOTDIR\)/],
      [[small, '--target', fileAsParent], /--target .*a-file: is a regular file; expected a directory path/],
      [[small, '--target', nonEmpty], /is not empty \(use --force/],
      [[small], /--target DIR is required/],
      [
        [small, '--target', target(), '--timing', 'slow'],
        /--timing: expected one of original, afap, got "slow"/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['replay', ...args]);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });

  it('Ctrl-C stops cleanly and still writes the partial replay trace and report', async () => {
    // ~10 s of recorded time (4 threads, 10 ms think time): interrupted after the first ops.
    const slow = await writeTraceFile(
      join(tmp.dir, 'slow.parquet'),
      generateWorkload({ ops: 4000, threads: 4, files: 10, gapNs: 10_000_000, seed: 2 }),
    );
    const out = join(tmp.dir, 'partial.parquet');
    let sent = false;
    const r = await runCli(
      ['replay', slow, '--target', target(), '--out', out, '--progress'],
      (stderr, child) => {
        if (!sent && /replay: \d+\/4000 ops/.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    );
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/stopping after the ops in progress/);
    expect(r.stdout).toMatch(/\[PARTIAL: interrupted\]/);
    const trace = await openTrace(out);
    expect(trace.metadata.keyValue['interposer.replay.partial']).toBe('true');
    expect(trace.numRows).toBeGreaterThan(0);
    expect(trace.numRows).toBeLessThan(4000);
  });
});
