/**
 * Real programs through the mount (git, tar, sqlite3, fio), then the trace must add up: bytes
 * written per file in the trace equal the file's size on the backing directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readAllRows } from '../../src/trace/reader.js';
import type { TraceRow } from '../../src/trace/schema.js';
import {
  cleanupMounts,
  makeWorkDir,
  ROOT,
  sh,
  startMount,
  type RunningMount,
} from '../helpers/interposer-process.js';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

describe('real programs through the mount', () => {
  let mount: RunningMount;
  let rows: TraceRow[];
  const tarball = join(makeWorkDir('interposer-tar-'), 'src.tar');

  beforeAll(async () => {
    // A real tree to extract: this project's own source and tests.
    expect(sh(`tar -C ${ROOT} -cf ${tarball} src test native/src`).code).toBe(0);
    mount = await startMount();
    const m = mount.mnt;
    mkdirSync(join(mount.dir, 'plain'));
    const steps = [
      `mkdir ${m}/untar && tar -C ${m}/untar -xf ${tarball}`,
      `tar -C ${mount.dir}/plain -xf ${tarball} && diff -r ${mount.dir}/plain ${m}/untar`,
      `cd ${m} && git init -q repo && cd repo && cp -r ../untar/src . && git add -A && ` +
        `git -c user.email=t@example.com -c user.name=t commit -qm import && git fsck --strict && git log --oneline | wc -l`,
      `sqlite3 ${m}/db.sqlite "pragma journal_mode=wal; create table t(k integer primary key, v text); ` +
        `begin; ${Array.from({ length: 200 }, (_, i) => `insert into t(v) values ('row${i}');`).join(' ')} commit; ` +
        `pragma integrity_check; select count(*) from t;"`,
    ];
    for (const step of steps) {
      const r = sh(step);
      expect(r.err, step).toBe('');
      expect(r.code, `${step}\n${r.out}`).toBe(0);
    }
    const stopped = await mount.stop();
    expect(stopped).toBe(0);
    rows = await readAllRows(mount.trace);
  });
  afterAll(cleanupMounts);

  it('recorded every kind of operation the programs used', () => {
    const ops = new Set(rows.map((r) => r.op));
    for (const op of [
      'create',
      'write',
      'read',
      'open',
      'release',
      'getattr',
      'mkdir',
      'rename',
      'fsync',
      'readdir',
    ]) {
      expect(ops, op).toContain(op);
    }
    // seq is the completion order: 0..n-1 with no holes.
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i));
  });

  it('bytes written in the trace equal bytes on disk for every extracted file', () => {
    const written = new Map<string, bigint>();
    for (const r of rows)
      if (r.op === 'write' && r.errno === 0) written.set(r.path, (written.get(r.path) ?? 0n) + r.bytes);
    const files = filesUnder(join(mount.backing, 'untar'));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const path = '/' + relative(mount.backing, file);
      expect(written.get(path) ?? 0n, path).toBe(BigInt(statSync(file).size));
    }
  });

  it('names the calling programs', () => {
    const comms = new Set(rows.map((r) => r.comm));
    expect(comms).toContain('tar');
    expect(comms).toContain('git');
    expect(comms).toContain('sqlite3');
    for (const r of rows) {
      expect(r.endNs).toBeGreaterThanOrEqual(r.startNs);
      expect(r.durationNs).toBe(r.endNs - r.startNs);
    }
  });

  it('runs fio through the mount with a consistent trace', async () => {
    if (sh('command -v fio').code !== 0) return expect.fail('fio is not installed (apt-get install -y fio)');
    const m2 = await startMount();
    const r = sh(
      `fio --name=job --directory=${m2.mnt} --size=8m --bs=4k --rw=randrw --ioengine=psync --numjobs=2 ` +
        `--group_reporting --output-format=json`,
    );
    expect(r.code, r.err).toBe(0);
    const fio = JSON.parse(r.out) as { jobs: { read: { io_bytes: number }; write: { io_bytes: number } }[] };
    await m2.stop();
    const fioRows = await readAllRows(m2.trace);
    const sum = (op: string): bigint => fioRows.filter((x) => x.op === op).reduce((a, x) => a + x.bytes, 0n);
    // fio lays its files out first (writes of the whole size), then runs the mixed job.
    expect(sum('write')).toBeGreaterThanOrEqual(BigInt(fio.jobs[0]!.write.io_bytes));
    expect(sum('read')).toBeGreaterThanOrEqual(BigInt(fio.jobs[0]!.read.io_bytes));
    expect(new Set(fioRows.filter((x) => x.op === 'write').map((x) => x.pid)).size).toBeGreaterThanOrEqual(2);
  });

  it('serves O_DIRECT reads and writes, verified by fio', async () => {
    // libfuse's buffers are never block-aligned; O_DIRECT on the backing file needs them to be.
    if (sh('command -v fio').code !== 0) return expect.fail('fio is not installed (apt-get install -y fio)');
    const m3 = await startMount();
    const size = 16 * 1024 * 1024;
    const r = sh(
      `fio --name=odirect --directory=${m3.mnt} --size=${size} --bs=1M --rw=write --direct=1 ` +
        `--ioengine=psync --verify=crc32c --do_verify=1 --verify_state_save=0 --output-format=json`,
    );
    expect(r.code, r.err).toBe(0);
    const fio = JSON.parse(r.out) as { jobs: { error: number; read: { io_bytes: number } }[] };
    expect(fio.jobs[0]!.error).toBe(0);
    expect(fio.jobs[0]!.read.io_bytes).toBe(size); // the verify pass read everything back
    await m3.stop();
    const traceRows = await readAllRows(m3.trace);
    const O_DIRECT = 0o40000;
    const directOpens = traceRows.filter(
      (x) => (x.op === 'open' || x.op === 'create') && (x.flags ?? 0) & O_DIRECT,
    );
    expect(directOpens.length).toBeGreaterThan(0);
    const moved = (op: string): bigint =>
      traceRows.filter((x) => x.op === op && x.errno === 0).reduce((a, x) => a + x.bytes, 0n);
    expect(moved('write')).toBe(BigInt(size));
    expect(moved('read')).toBeGreaterThanOrEqual(BigInt(size));
    expect(traceRows.filter((x) => (x.op === 'read' || x.op === 'write') && x.errno !== 0)).toEqual([]);
  });
});
