/**
 * A clean stop (SIGTERM) with a file still open: the mount leaves the namespace at once, but the
 * open file keeps working until it is closed, and only then does the server exit, with every
 * row in the trace. libfuse's own unmount closed the FUSE device first, which ended the
 * connection: the open file's next call got ENOTCONN (over io_uring, its close did).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readAllRows } from '../../src/trace/reader.js';
import { mountAt } from '../../src/record/mountinfo.js';
import { cleanupMounts, startMount } from '../helpers/interposer-process.js';

describe('stopping with a file open', () => {
  afterAll(cleanupMounts);

  it('serves the open file until it is closed, then exits 0 with its rows', async () => {
    const mount = await startMount();
    const file = join(mount.mnt, 'f');
    const fd = openSync(file, 'w+');
    writeSync(fd, 'before');
    const exited = new Promise<number | null>((resolve) => mount.child.once('exit', resolve));
    mount.child.kill('SIGTERM');
    while (mountAt(mount.mnt) !== undefined) await new Promise((r) => setTimeout(r, 20));

    // Detached: the name is gone, the open file is not.
    writeSync(fd, ' after', 6);
    fsyncSync(fd);
    const back = Buffer.alloc(12);
    expect(readSync(fd, back, 0, 12, 0)).toBe(12);
    expect(back.toString()).toBe('before after');
    expect(mount.child.exitCode).toBeNull(); // still serving
    closeSync(fd);

    expect(await exited).toBe(0);
    expect(readFileSync(join(mount.backing, 'f'), 'utf8')).toBe('before after');
    const rows = await readAllRows(mount.trace);
    const writes = rows.filter((r) => r.op === 'write' && r.path === '/f');
    expect(writes.map((r) => Number(r.offset))).toEqual([0, 6]);
    // close() waits for its flush; the release after it may be cut off with the connection.
    expect(rows.some((r) => r.op === 'flush' && r.path === '/f' && r.errno === 0)).toBe(true);
  });
});
