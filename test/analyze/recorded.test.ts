/**
 * Real programs recorded through two mounts at once (hive layout node=/namespace=/pod=, as the CSI
 * driver writes), then analyzed through the real CLI: multi-trace alignment, the per-source
 * breakdown and source filter, and the findings each program shows (sqlite3 in WAL mode, fio
 * with fdatasync and with fsync, the kernel's capability checks before writes).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyzeJson,
  CLI,
  cleanupMounts,
  makeWorkDir,
  sh,
  startMount,
} from '../helpers/interposer-process.js';

describe('traces recorded from two mounts at once', () => {
  let root = '';
  let dbTrace = '';
  let fioTrace = '';

  beforeAll(async () => {
    root = makeWorkDir('interposer-multi-');
    const dbDir = join(root, 'node=n1', 'namespace=shop', 'pod=db-0');
    const fioDir = join(root, 'node=n2', 'namespace=shop', 'pod=loadgen');
    mkdirSync(dbDir, { recursive: true });
    mkdirSync(fioDir, { recursive: true });
    const db = await startMount([], { dir: dbDir });
    // The second mount starts later: its anchor differs, the analysis must shift its times.
    await new Promise((r) => setTimeout(r, 300));
    const load = await startMount([], { dir: fioDir });
    try {
      const statements = Array.from({ length: 200 }, (_, i) => `insert into t(v) values ('row ${i}');`).join(
        ' ',
      );
      const jobs = [
        `sqlite3 ${db.mnt}/shop.db "pragma journal_mode=wal; pragma wal_autocheckpoint=0; ` +
          `create table t(k integer primary key, v text); ${statements}"`,
        `fio --name=datasync --directory=${load.mnt} --rw=write --bs=4k --size=512k --fdatasync=1 ` +
          `--ioengine=psync --output=/dev/null && fio --name=fullsync --directory=${load.mnt} ` +
          `--rw=write --bs=4k --size=256k --fsync=1 --ioengine=psync --output=/dev/null`,
      ];
      // Both workloads at the same time, each through its own mount.
      const r = sh(jobs.map((j) => `(${j}) &`).join(' ') + ' wait');
      expect(r.code, r.err).toBe(0);
    } finally {
      expect(await db.stop()).toBe(0);
      expect(await load.stop()).toBe(0);
    }
    dbTrace = db.trace;
    fioTrace = load.trace;
  }, 180_000);

  afterAll(async () => {
    await cleanupMounts();
    if (root) sh(`rm -rf ${root}`);
  });

  it('analyzes a directory of traces as one run, aligned on wall-clock time', () => {
    const run = analyzeJson([root]);
    const a = analyzeJson([dbTrace]);
    const b = analyzeJson([fioTrace]);
    expect(run.sources.map((s) => s.label)).toEqual(['n1/shop/db-0', 'n2/shop/loadgen']);
    // The hostname comes from the file's metadata (both recorded here), node from the path.
    expect(run.sources.map((s) => s.hostname)).toEqual([hostname(), hostname()]);
    expect(run.sources.map((s) => s.keys.node)).toEqual(['n1', 'n2']);
    expect(run.sources.map((s) => s.pod)).toEqual(['db-0', 'loadgen']);
    // Every call counted once, per source and in total.
    expect(run.totals.calls).toBe(a.totals.calls + b.totals.calls);
    expect(run.sources.map((s) => s.calls)).toEqual([a.totals.calls, b.totals.calls]);
    // Offsets come from the anchors: the later mount is shifted by the difference.
    const anchorA = BigInt(a.meta.wallClockAnchorNs!);
    const anchorB = BigInt(b.meta.wallClockAnchorNs!);
    expect(anchorB).toBeGreaterThan(anchorA);
    expect(run.sources[1]!.offsetNs).toBe(Number(anchorB - anchorA));
    expect(run.sources[1]!.firstStartNs).toBe(b.totals.firstStartNs + Number(anchorB - anchorA));
    expect(run.sources[0]!.firstStartNs).toBe(a.totals.firstStartNs);
    // The two workloads ran at the same time: their aligned activity overlaps.
    const [s0, s1] = run.sources;
    expect(s0!.firstStartNs < s1!.lastEndNs && s1!.firstStartNs < s0!.lastEndNs).toBe(true);
  });

  it('filters by source and by glob', () => {
    const onlyDb = analyzeJson([root, '--source', 'pod=db-*']);
    expect(onlyDb.sources.map((s) => s.pod)).toEqual(['db-0']);
    expect(onlyDb.meta.filter.sources).toEqual({ pod: 'db-*' });
    const viaGlob = analyzeJson([join(root, 'node=n2/**/*.parquet')]);
    expect(viaGlob.sources.map((s) => s.pod)).toEqual(['loadgen']);
    const r = spawnSync(process.execPath, [CLI, 'analyze', root, '--source', 'pod=nothing'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no trace matches the source filter');
  });

  it('tells fdatasync from fsync, and keeps capability checks out of application errors', () => {
    const b = analyzeJson([fioTrace]);
    const calls = Object.fromEntries(b.syncCalls.map((c) => [c.call, c.count]));
    // fio syncs after every write but the last: 512 KiB / 4 KiB = 128 writes, 256 KiB = 64.
    expect(calls.fdatasync).toBeGreaterThanOrEqual(127);
    expect(calls.fdatasync).toBeLessThanOrEqual(128);
    expect(calls.fsync).toBeGreaterThanOrEqual(63);
    expect(calls.fsync).toBeLessThanOrEqual(64);
    const capability = b.kernelRoutine.find((k) => k.kind === 'capability-check');
    expect(capability?.calls).toBeGreaterThan(0);
    expect(b.findings.filter((f) => f.kind === 'errors').map((f) => f.text)).not.toContainEqual(
      expect.stringContaining('getxattr'),
    );
    const sync = b.findings.find((f) => f.kind === 'sync');
    if (sync) expect(sync.text).toMatch(/fdatasync 12[78] calls/);
  });

  it("recognises fio's sequential writes as appends, with evidence and a next step for every finding", () => {
    const b = analyzeJson([fioTrace, '--top', '100']);
    const written = b.accessPatterns.filter((p) => /\/(datasync|fullsync)\.0\.0$/.test(p.path));
    expect(written.map((p) => p.path).sort()).toEqual(['/datasync.0.0', '/fullsync.0.0']);
    for (const p of written) {
      expect(p.writePattern).toBe('append');
      expect(p.appendWrites).toBe(p.writes);
    }
    for (const report of [b, analyzeJson([dbTrace])]) {
      expect(report.findings.length).toBeGreaterThan(0);
      for (const f of report.findings) {
        expect(f.evidence.length, f.text).toBeGreaterThan(0);
        expect(f.nextStep.length, f.text).toBeGreaterThan(10);
      }
    }
  });

  it("recognises sqlite3's WAL as appends, not random writes", () => {
    const a = analyzeJson([dbTrace]);
    const wal = a.accessPatterns.find((p) => p.path === '/shop.db-wal');
    expect(wal).toBeDefined();
    expect(wal!.writePattern).toBe('append');
    expect(wal!.appendWrites / wal!.writes).toBeGreaterThan(0.8);
  });
});
