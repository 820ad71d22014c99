/**
 * The mount must behave like the backing directory: the same probe script runs on a plain
 * directory and through the interposer, and every step must give the same result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  cleanupMounts,
  makeWorkDir,
  sh,
  startMount,
  type RunningMount,
} from '../helpers/interposer-process.js';

const PROBE = join(import.meta.dirname, 'posix-suite.py');

// Default kernel caching (hard links must look fresh through every name) and none at all.
describe.each([
  ['default caching', []],
  ['--cache-timeout 0', ['--cache-timeout', '0']],
])('POSIX behaviour through the mount (%s)', (_name, args) => {
  let mount: RunningMount;
  beforeAll(async () => {
    mount = await startMount(args);
  });
  afterAll(cleanupMounts);

  it('matches the plain directory step for step', () => {
    const plain = join(makeWorkDir(), 'plain');
    mkdirSync(plain);
    const expected = sh(`python3 ${PROBE} ${plain}`);
    const actual = sh(`python3 ${PROBE} ${mount.mnt}`);
    expect(expected.err).toBe('');
    expect(actual.err).toBe('');
    // Sanity: the probe really exercised errno paths and the open-unlinked, renamed-under-fd,
    // hard-link and setuid cases.
    expect(expected.out).toContain('create-excl-existing: EEXIST');
    expect(expected.out).toContain('rmdir-nonempty: ENOTEMPTY');
    expect(expected.out).toContain('open-missing: ENOENT');
    expect(expected.out).toMatch(/open-unlinked: ok fstat=\(0, 11, '0o644'\) fchmod mode=0o640 /);
    expect(expected.out).toContain('fgetxattr=unlinked');
    expect(expected.out).toContain(
      "hardlink-freshness: ok [2, 2, '0o604', (4321, 8765), 6000000002, 11, 2, 1, (2, 2)]",
    );
    expect(expected.out).toContain("suid-write-by-user: ok (0, '0o777')");
    expect(actual.out.split('\n')).toEqual(expected.out.split('\n'));
  });
});
