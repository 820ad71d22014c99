/**
 * PostgreSQL under pgbench, recorded through a real mount as the postgres user, then analyzed
 * through the real CLI: the findings must name causes on a real database's trace. The WAL is
 * written as each 8 KiB page rewritten per commit, then the next (not "random"); WAL flushes are
 * fdatasync and checkpoints fsync (told apart); close (flush) is not a sync; the kernel's routine
 * requests are not application errors; every finding states evidence and a next step.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/analyze/types.js';
import { analyzeJson, cleanupMounts, makeWorkDir, sh, startMount } from '../helpers/interposer-process.js';

function pgBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const version = readdirSync(base).sort().pop();
  return version ? join(base, version, 'bin') : undefined;
}

const WAL = /\/pg_wal\/[0-9A-F]{24}$/;

describe('PostgreSQL (pgbench) recorded through a mount', () => {
  const bin = pgBin();
  let root = '';
  let report: Report;

  beforeAll(async () => {
    if (!bin) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql)');
    if (process.geteuid?.() !== 0) throw new Error('needs root (to run PostgreSQL as postgres)');
    root = makeWorkDir('interposer-pg-');
    const mount = await startMount([], { dir: root });
    const data = join(mount.mnt, 'pgdata');
    const sock = join(root, 'sock');
    const pg = (cmd: string): void => {
      const r = sh(cmd, { user: 'postgres' });
      expect(r.code, `${cmd}\n${r.out}\n${r.err}`).toBe(0);
    };
    try {
      expect(sh(`mkdir ${data} ${sock} && chown postgres: ${data} ${sock}`).code).toBe(0);
      // initdb's own syncs (-N skips them) are not what this test is about: keep it short.
      pg(`${bin}/initdb -N -D ${data} --auth=trust --no-instructions -E UTF8`);
      pg(
        `${bin}/pg_ctl -D ${data} -w -t 120 -l ${sock}/log ` +
          `-o "-k ${sock} -p 5496 -c listen_addresses='' -c checkpoint_timeout=30s" start`,
      );
      try {
        pg(`${bin}/pgbench -h ${sock} -p 5496 -i -s 1 -q postgres`);
        // Small committed transactions from two clients: the WAL's commit-by-commit pattern.
        pg(`${bin}/pgbench -h ${sock} -p 5496 -c 2 -j 2 -t 150 postgres`);
        pg(`${bin}/psql -h ${sock} -p 5496 -d postgres -Atc checkpoint`);
      } finally {
        sh(`${bin}/pg_ctl -D ${data} -w -m fast stop`, { user: 'postgres' });
      }
    } finally {
      expect(await mount.stop()).toBe(0);
    }
    report = analyzeJson([mount.trace, '--top', '500']);
  }, 300_000);

  afterAll(async () => {
    await cleanupMounts();
    if (root) sh(`rm -rf ${root}`);
  });

  it('recognises the WAL as rewrite-in-place-then-advance, not random writes', () => {
    const segments = report.accessPatterns.filter((p) => WAL.test(p.path) && p.writes > 0);
    expect(segments.length).toBeGreaterThan(0);
    const wal = segments.sort((a, b) => b.writes - a.writes)[0]!;
    expect(wal.writePattern).toBe('log-rewrite');
    // Each page is written several times (one per commit) before the log moves on.
    expect(wal.writesPerOffset).toBeGreaterThan(2);
    expect(wal.rewriteWrites + wal.appendWrites).toBeGreaterThan(0.8 * wal.writes);
    // The finding ranks the WAL by its whole time: its writes are cheap, its fdatasyncs are not.
    const walFinding = report.findings.find((f) => f.kind === 'write-pattern' && /pg_wal\//.test(f.text));
    expect(walFinding?.text).toMatch(
      /write-ahead-log pattern on \/pgdata\/pg_wal\/[0-9A-F]{24}: each position rewritten/,
    );
    expect(walFinding?.evidence.join(' ')).toMatch(/of I\/O time\), .* of it in reads and writes/);
    // No finding calls the WAL's writes random.
    for (const f of report.findings) {
      if (/pg_wal/.test(f.text)) expect(f.text).not.toMatch(/random/);
    }
  });

  it('tells fdatasync (WAL) from fsync (checkpoint), and does not count close as sync', () => {
    const calls = Object.fromEntries(report.syncCalls.map((c) => [c.call, c]));
    // wal_sync_method is fdatasync on Linux: at least one per few commits of 300 transactions.
    expect(calls.fdatasync?.count).toBeGreaterThan(50);
    // The checkpoint fsyncs the data files it wrote.
    expect(calls.fsync?.count).toBeGreaterThan(0);
    expect(Object.keys(calls).every((c) => ['fsync', 'fdatasync', 'fsyncdir'].includes(c))).toBe(true);
    // close() reaches the file system as flush: many of them, none counted as sync.
    const flush = report.ops.find((o) => o.op === 'flush');
    expect(flush?.count).toBeGreaterThan(0);
    const syncTime = report.syncCalls.reduce((t, c) => t + c.timeNs, 0);
    const fsyncOps = report.ops
      .filter((o) => o.op === 'fsync' || o.op === 'fsyncdir')
      .reduce((t, o) => t + o.totalTimeNs, 0);
    expect(syncTime).toBe(fsyncOps);
    const sync = report.findings.find((f) => f.kind === 'sync');
    if (sync) {
      expect(sync.text).toMatch(/fsync \d+ calls, mean .*; fdatasync \d+ calls/);
      expect(sync.text).not.toMatch(/flush|close/);
    }
    // The op table has one fsync line for both: a tail statement about it names both.
    for (const f of report.findings.filter((x) => x.kind === 'tail-latency'))
      expect(f.text).not.toMatch(/^p99 fsync \d/);
  });

  it("keeps the kernel's routine requests apart from the application's errors", () => {
    const routine = report.kernelRoutine.find((k) => k.kind === 'capability-check');
    expect(routine?.calls).toBeGreaterThan(0);
    const errorTexts = report.findings.filter((f) => f.kind === 'errors').map((f) => f.text);
    expect(errorTexts).not.toContainEqual(expect.stringContaining('getxattr'));
    // The headline count is the application's: routine ENODATA answers are counted apart.
    expect(report.totals.kernelRoutineErrors).toBeGreaterThan(0);
    // Every ENODATA of getxattr was the kernel's capability check, and is marked as such.
    const getxattr = report.ops.find((o) => o.op === 'getxattr');
    expect(getxattr?.kernelRoutineErrorsByErrno.ENODATA).toBe(getxattr?.errorsByErrno.ENODATA);
  });

  it('gives every finding its evidence and a next step, bottlenecks first', () => {
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings) {
      expect(f.evidence.length, f.text).toBeGreaterThan(0);
      expect(f.nextStep.length, f.text).toBeGreaterThan(10);
    }
    const firstObservation = report.findings.findIndex((f) => !f.actionable);
    if (firstObservation >= 0)
      expect(report.findings.slice(firstObservation).every((f) => !f.actionable)).toBe(true);
  });
});
