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

describe('POSIX behaviour through the mount', () => {
  let mount: RunningMount;
  beforeAll(async () => {
    mount = await startMount();
  });
  afterAll(cleanupMounts);

  it('matches the plain directory step for step', () => {
    const plain = join(makeWorkDir(), 'plain');
    mkdirSync(plain);
    const expected = sh(`python3 ${PROBE} ${plain}`);
    const actual = sh(`python3 ${PROBE} ${mount.mnt}`);
    expect(expected.err).toBe('');
    expect(actual.err).toBe('');
    // Sanity: the probe really exercised errno paths.
    expect(expected.out).toContain('create-excl-existing: EEXIST');
    expect(expected.out).toContain('rmdir-nonempty: ENOTEMPTY');
    expect(expected.out).toContain('open-missing: ENOENT');
    expect(actual.out.split('\n')).toEqual(expected.out.split('\n'));
  });
});
