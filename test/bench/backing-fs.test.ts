import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseBackingKind, ext4Unavailable, makeBackingFs } from '../../bench/fs/backing-fs.mjs';
import { findMount as mountAt } from '../../bench/fs/mounts.mjs';

describe('chooseBackingKind', () => {
  it('takes ext4 by default where one can be made, and says why not elsewhere', () => {
    const missing = ext4Unavailable();
    expect(chooseBackingKind(undefined)).toEqual(
      missing ? { kind: 'dir', fallback: missing } : { kind: 'ext4', fallback: null },
    );
    expect(chooseBackingKind('dir')).toEqual({ kind: 'dir', fallback: null });
    if (missing) expect(() => chooseBackingKind('ext4')).toThrow(`--backing-fs ext4: ${missing}`);
    else expect(chooseBackingKind('ext4')).toEqual({ kind: 'ext4', fallback: null });
  });

  it('rejects an unknown kind, naming the known ones', () => {
    expect(() => chooseBackingKind('zfs')).toThrow('--backing-fs must be one of ext4, dir, got zfs');
  });
});

describe('makeBackingFs', () => {
  let root = '';
  let backing = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'interposer-backing-fs-'));
    backing = join(root, 'backing');
    await mkdir(backing);
  });
  afterEach(async () => {
    if (mountAt(backing)) execFileSync('umount', ['-l', backing]);
    await rm(root, { recursive: true, force: true });
  });

  it('leaves a plain directory as it is', async () => {
    const fs = await makeBackingFs(backing, { kind: 'dir', imageDir: root, sizeMiB: 64, log: () => {} });
    expect(fs.description).toBe('a directory in the temp dir');
    expect(mountAt(backing)).toBeUndefined();
    await fs.remove();
    expect(existsSync(backing)).toBe(true);
  });

  it.skipIf(ext4Unavailable() !== null)(
    'mounts a fresh journaled ext4 over a loop device and removes all of it again',
    async () => {
      const logged: string[] = [];
      const fs = await makeBackingFs(backing, {
        kind: 'ext4',
        imageDir: root,
        sizeMiB: 64,
        log: (m) => logged.push(m),
      });
      try {
        const mount = mountAt(backing);
        expect(mount?.fstype).toBe('ext4');
        const loop = basename(mount?.source ?? '');
        expect(loop).toMatch(/^loop\d+$/);
        // The journal is what keeps ext4 from scanning past recently deleted inodes on create.
        expect(readdirSync('/proc/fs/jbd2').some((j) => j.startsWith(`${loop}-`))).toBe(true);
        expect(readFileSync(`/sys/block/${loop}/loop/dio`, 'utf8').trim()).toBe('1');
        expect(readdirSync(backing)).toEqual(['lost+found']);
        writeFileSync(join(backing, 'f'), 'x');
        expect(logged.join('\n')).toContain(`fresh ext4 (journal) on /dev/${loop}`);
        await fs.remove();
        expect(mountAt(backing)).toBeUndefined();
        expect(existsSync(join(backing, 'f'))).toBe(false);
        expect(execFileSync('losetup', ['-a'], { encoding: 'utf8' })).not.toContain(root);
        expect(readdirSync(root)).toEqual(['backing']);
        await fs.remove(); // idempotent
      } finally {
        await fs.remove();
      }
    },
  );
});
