/**
 * Mounts that non-root programs can use: files belong to their creator, permission checks
 * hold between users, a real server that insists on owning its data directory runs through
 * the mount as its own user, and every trace row names the caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readAllRows } from '../../src/trace/reader.js';
import type { TraceRow } from '../../src/trace/schema.js';
import { cleanupMounts, sh, startMount, type RunningMount } from '../helpers/interposer-process.js';

const ALICE = 'ipalice';
const BOB = 'ipbob';

function ensureUser(name: string): { uid: number; gid: number } {
  if (sh(`id -u ${name}`).code !== 0) {
    const r = sh(`useradd --no-create-home --user-group --shell /bin/sh ${name}`);
    if (r.code !== 0) throw new Error(`useradd ${name}: ${r.err}`);
  }
  return { uid: Number(sh(`id -u ${name}`).out.trim()), gid: Number(sh(`id -g ${name}`).out.trim()) };
}

function pgBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const version = readdirSync(base).sort().pop();
  return version ? join(base, version, 'bin') : undefined;
}

describe('caller identity through the mount', () => {
  if (process.geteuid?.() !== 0)
    throw new Error('these tests need root (to switch users and mount with allow_other)');
  let mount: RunningMount;
  let alice: { uid: number; gid: number };
  let bob: { uid: number; gid: number };

  beforeAll(async () => {
    alice = ensureUser(ALICE);
    bob = ensureUser(BOB);
    mount = await startMount();
    // A shared, sticky, world-writable dir, like /tmp: everyone may create, only owners may delete.
    expect(
      sh(
        `mkdir -m 1777 ${mount.mnt}/shared && mkdir -m 700 ${mount.mnt}/private && chown ${ALICE}: ${mount.mnt}/private`,
      ).code,
    ).toBe(0);
  });
  afterAll(cleanupMounts);

  it('creates, writes, renames and deletes as a non-root user, owned by that user', () => {
    const m = mount.mnt;
    const r = sh(
      `cd ${m}/shared && echo data > a && mkdir d && ln -s a l && mv a d/b && echo more >> d/b && ` +
        `mkfifo p && cat d/b && rm p && touch keep`,
      { user: ALICE },
    );
    expect(r.err).toBe('');
    expect(r.out).toBe('data\nmore\n');
    for (const name of ['d', 'd/b', 'l', 'keep']) {
      const st = lstatSync(join(mount.backing, 'shared', name));
      expect([st.uid, st.gid], name).toEqual([alice.uid, alice.gid]);
    }
  });

  it('keeps permission checks between users (EACCES where the plain directory gives it)', () => {
    const m = mount.mnt;
    expect(sh(`ls ${m}/private`, { user: BOB }).err).toMatch(/Permission denied/);
    expect(sh(`touch ${m}/private/x`, { user: BOB }).err).toMatch(/Permission denied/);
    expect(sh(`rm ${m}/shared/keep`, { user: BOB }).err).toMatch(/Operation not permitted|Permission denied/);
    expect(sh(`echo x > ${m}/shared/keep`, { user: BOB }).err).toMatch(/Permission denied/);
    // The same operations on the plain backing directory fail the same way.
    expect(sh(`ls ${mount.backing}/private`, { user: BOB }).err).toMatch(/Permission denied/);
    expect(sh(`touch ${m}/private/x`, { user: ALICE }).code).toBe(0);
  });

  it('runs PostgreSQL (which insists on owning its data dir) through the mount as postgres', () => {
    const bin = pgBin();
    if (!bin) return expect.fail('PostgreSQL is not installed (apt-get install -y postgresql)');
    const data = `${mount.mnt}/pgdata`;
    const sock = sh('mktemp -d').out.trim();
    expect(sh(`mkdir ${data} && chown postgres: ${data} ${sock}`).code).toBe(0);
    const init = sh(`${bin}/initdb -D ${data} --auth=trust --no-instructions -E UTF8`, { user: 'postgres' });
    expect(init.code, init.err + init.out).toBe(0);
    const start = sh(
      `${bin}/pg_ctl -D ${data} -w -t 60 -l ${sock}/log -o "-k ${sock} -p 5497 -c listen_addresses=''" start`,
      {
        user: 'postgres',
      },
    );
    expect(start.code, start.err + sh(`cat ${sock}/log`).out).toBe(0);
    try {
      const q = sh(
        `${bin}/psql -h ${sock} -p 5497 -d postgres -Atc "create table t as select g from generate_series(1,10000) g; ` +
          `checkpoint; select count(*), sum(g) from t;"`,
        { user: 'postgres' },
      );
      expect(q.err).toBe('');
      expect(q.out.trim()).toBe('SELECT 10000\nCHECKPOINT\n10000|50005000');
    } finally {
      sh(`${bin}/pg_ctl -D ${data} -w -m fast stop`, { user: 'postgres' });
    }
    const st = lstatSync(join(mount.backing, 'pgdata', 'PG_VERSION'));
    expect(st.uid).toBe(Number(sh('id -u postgres').out.trim()));
  });

  it('runs a program that execs and one that syncs a directory both ways', () => {
    const m = mount.mnt;
    expect(sh(`echo hello > ${m}/shared/execd`).code).toBe(0);
    // bash looks the file up itself, then becomes cat in the same process: cat's open and read
    // must be recorded as cat at once, not as bash until some cache expires.
    const r = sh(`bash -c 'test -s ${m}/shared/execd && exec cat ${m}/shared/execd'`);
    expect(r.out).toBe('hello\n');
    const py = sh(
      `python3 -c "import os; fd = os.open('${m}/shared', os.O_RDONLY); os.fsync(fd); os.fdatasync(fd); os.close(fd)"`,
    );
    expect(py.code, py.err).toBe(0);
  });

  it('records the caller uid, gid, pid and command on every row', async () => {
    await mount.stop();
    const rows: TraceRow[] = await readAllRows(mount.trace);
    const execd = rows.filter((r) => r.path === '/shared/execd' && r.uid === 0);
    const catOpen = execd.find((r) => r.op === 'open' && r.comm === 'cat');
    expect(catOpen, JSON.stringify(execd.map((r) => [r.op, r.comm, r.pid]))).toBeDefined();
    expect(execd.filter((r) => r.op === 'read' && r.bytes > 0n).map((r) => r.comm)).toEqual(['cat']);
    // The same process was bash just before (its lookup of the file), under the same pid.
    const bashRows = execd.filter((r) => r.pid === catOpen!.pid && r.comm === 'bash');
    expect(bashRows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.op === 'fsyncdir' && r.path === '/shared').map((r) => r.flags)).toEqual([
      0, 1,
    ]);
    const byAlice = rows.filter((r) => r.uid === alice.uid);
    expect(byAlice.length).toBeGreaterThan(10);
    for (const r of byAlice) expect(r.gid).toBe(alice.gid);
    expect(byAlice.some((r) => r.op === 'create' && r.path === '/shared/a')).toBe(true);
    const deniedForBob = rows.filter((r) => r.uid === bob.uid && r.errno !== 0);
    // With default_permissions the kernel refuses most of Bob's attempts itself; whatever reached us is his.
    for (const r of deniedForBob) expect(r.gid).toBe(bob.gid);
    const pgUid = Number(sh('id -u postgres').out.trim());
    const pg = rows.filter((r) => r.uid === pgUid);
    expect(pg.some((r) => r.comm === 'postgres' && r.op === 'fsync')).toBe(true);
    expect(new Set(pg.map((r) => r.pid)).size).toBeGreaterThan(2); // postmaster, checkpointer, backends...
    for (const r of rows.filter((x) => x.comm === 'postgres')) expect(r.pid).toBeGreaterThan(0);
  });
});
