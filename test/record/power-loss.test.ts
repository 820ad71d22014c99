/**
 * Lost unsynced writes: after "drop", the backing directory holds what a crash could have left.
 * Checked with a small writer (fsync vs no fsync, torn writes) and with a real database.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendControl } from '../../src/record/control-client.js';
import { readAllRows } from '../../src/trace/reader.js';
import { cleanupMounts, makeWorkDir, sh, startMount } from '../helpers/interposer-process.js';

async function powerLossMount() {
  const dir = makeWorkDir();
  const socket = join(dir, 'ctl.sock');
  const mount = await startMount(['--control', socket, '--power-loss'], { dir });
  return { mount, socket };
}

const py = (code: string): string => `python3 -c "${code.replace(/"/g, '\\"')}"`;

describe('power-loss simulation', () => {
  afterAll(cleanupMounts);

  it('rolls files back to their last fsync, and catches a program that never fsyncs', async () => {
    const { mount, socket } = await powerLossMount();
    const m = mount.mnt;
    const r = sh(
      py(
        `import os
fd = os.open('${m}/synced.txt', os.O_CREAT | os.O_WRONLY, 0o644)
os.write(fd, b'A' * 5000); os.fsync(fd)
os.pwrite(fd, b'B' * 3000, 1000); os.write(fd, b'C' * 2000)
os.close(fd)
fd = os.open('${m}/careless.txt', os.O_CREAT | os.O_WRONLY, 0o644)
os.write(fd, b'saved!' * 100)
os.close(fd)`,
      ),
    );
    expect(r.err).toBe('');
    expect(readFileSync(join(mount.backing, 'synced.txt')).length).toBe(7000);
    const drop = await sendControl(socket, { cmd: 'drop-unsynced' });
    expect(drop).toMatchObject({ ok: true, writesDropped: 3, filesRestored: 2 });
    expect(readFileSync(join(mount.backing, 'synced.txt')).toString()).toBe('A'.repeat(5000));
    // The careless program "saved" its file but never fsynced it: after the crash it is empty.
    expect(readFileSync(join(mount.backing, 'careless.txt')).length).toBe(0);
    // Through the mount (fresh open, attributes never cached) the application sees the same.
    expect(sh(`wc -c < ${m}/synced.txt`).out.trim()).toBe('5000');
    await mount.stop();
    const events = (await readAllRows(mount.trace)).filter((x) => x.op === 'event');
    expect(events.map((e) => e.path)).toEqual(['drop-unsynced']);
    expect(JSON.parse(events[0]!.path2!)).toMatchObject({ writesDropped: 3 });
  });

  it('tears the last unsynced write when asked', async () => {
    const { mount, socket } = await powerLossMount();
    sh(
      py(
        `import os\nfd = os.open('${mount.mnt}/t.bin', os.O_CREAT | os.O_WRONLY, 0o644)\nos.write(fd, b'x' * 4096); os.fsync(fd)\nos.write(fd, b'y' * 8192)\nos.close(fd)`,
      ),
    );
    expect(await sendControl(socket, { cmd: 'drop-unsynced', tornBytes: 512 })).toMatchObject({ ok: true });
    const data = readFileSync(join(mount.backing, 't.bin')).toString();
    // Page-aligned, so the kernel hands the 8 KiB write to the mount in one piece.
    expect(data.length).toBe(4096 + 512);
    expect(data).toBe('x'.repeat(4096) + 'y'.repeat(512));
  });

  it('leaves sqlite3 (WAL) in its last committed state after a drop mid-transaction', async () => {
    const { mount, socket } = await powerLossMount();
    const db = `${mount.mnt}/app.db`;
    const setup = sh(
      `sqlite3 ${db} "pragma journal_mode=wal; pragma synchronous=full; create table t(k integer primary key, v text); ` +
        `begin; ${Array.from({ length: 300 }, (_, i) => `insert into t(v) values ('committed${i}');`).join(' ')} commit;"`,
    );
    expect(setup.code, setup.err).toBe(0);
    // A second transaction, big enough to spill into the WAL, left open when the machine "dies".
    const sqlite = spawn('sqlite3', [db], { stdio: ['pipe', 'ignore', 'ignore'] });
    sqlite.stdin.write('pragma synchronous=full; begin;\n');
    for (let i = 0; i < 3000; i++)
      sqlite.stdin.write(`insert into t(v) values ('${'pending'.repeat(40)}${i}');\n`);
    await new Promise((res) => setTimeout(res, 1500));
    sqlite.kill('SIGKILL');
    await new Promise((res) => sqlite.once('exit', res));
    const drop = await sendControl(socket, { cmd: 'drop-unsynced' });
    expect(drop.ok).toBe(true);
    const check = sh(
      `sqlite3 ${db} "pragma integrity_check; select count(*) from t; select count(*) from t where v like 'pending%';"`,
    );
    expect(check.err).toBe('');
    expect(check.out.trim().split('\n')).toEqual(['ok', '300', '0']);
  });
});
