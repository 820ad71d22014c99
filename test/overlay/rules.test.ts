import { describe, expect, it } from 'vitest';
import { Overlay, NO_EFFECT } from '../../src/overlay/index.js';
import { EIO, configOf, ctx, faultRule } from './helpers.js';

const S = 1_000_000_000n;

function hits(overlay: Overlay, calls: Parameters<typeof ctx>[]): boolean[] {
  return calls.map((args) => overlay.decide(ctx(...args)).errno !== 0);
}

describe('fault rule matching', () => {
  it('matches path globs relative to the mount root, with dotfiles and brace sets', () => {
    const overlay = Overlay.fromConfig(
      configOf({ faults: [faultRule('db', { path: '**/*.{db,wal}', errno: EIO })] }),
    );
    expect(
      hits(overlay, [
        ['write', '/a.db'],
        ['write', '/deep/er/x.wal'],
        ['write', '/x.txt'],
        ['write', '/.hidden/y.db'],
      ]),
    ).toEqual([true, true, false, true]);
  });

  it('anchors globs at the root', () => {
    const overlay = Overlay.fromConfig(
      configOf({ faults: [faultRule('d', { path: 'data/*', errno: EIO })] }),
    );
    expect(
      hits(overlay, [
        ['read', '/data/x'],
        ['read', '/other/data/x'],
        ['read', '/data/sub/x'],
      ]),
    ).toEqual([true, false, false]);
  });

  it('matches a rename by its destination too', () => {
    const overlay = Overlay.fromConfig(configOf({ faults: [faultRule('r', { path: '*.db', errno: EIO })] }));
    expect(overlay.decide(ctx('rename', '/tmp.x', { path2: '/final.db' })).errno).toBe(5);
    expect(overlay.decide(ctx('rename', '/tmp.x', { path2: '/final.txt' }))).toBe(NO_EFFECT);
  });

  it('restricts by op set and reports only those ops as interesting', () => {
    const overlay = Overlay.fromConfig(
      configOf({ faults: [faultRule('w', { ops: ['write', 'fsync'], errno: EIO })] }),
    );
    expect([...overlay.interestedOps].sort()).toEqual(['fsync', 'write']);
    expect(
      hits(overlay, [
        ['write', '/f'],
        ['fsync', '/f'],
        ['read', '/f'],
        ['getattr', '/f'],
      ]),
    ).toEqual([true, true, false, false]);
  });

  it('fires on the first N matches only', () => {
    const overlay = Overlay.fromConfig(
      configOf({ faults: [faultRule('f', { ops: ['read'], first: 2, errno: EIO })] }),
    );
    // Non-matching ops do not count towards "first".
    expect(
      hits(overlay, [
        ['write', '/f'],
        ['read', '/f'],
        ['write', '/f'],
        ['read', '/f'],
        ['read', '/f'],
        ['read', '/f'],
      ]),
    ).toEqual([false, true, false, true, false, false]);
  });

  it('fires on every Nth match', () => {
    const overlay = Overlay.fromConfig(configOf({ faults: [faultRule('e', { every: 3, errno: EIO })] }));
    expect(
      hits(
        overlay,
        Array.from({ length: 9 }, () => ['read', '/f'] as Parameters<typeof ctx>),
      ),
    ).toEqual([false, false, true, false, false, true, false, false, true]);
  });

  it('fires at most N times', () => {
    const overlay = Overlay.fromConfig(
      configOf({ faults: [faultRule('m', { max: 2, every: 2, errno: EIO })] }),
    );
    expect(
      hits(
        overlay,
        Array.from({ length: 8 }, () => ['read', '/f'] as Parameters<typeof ctx>),
      ),
    ).toEqual([false, true, false, true, false, false, false, false]);
  });

  it('fires only inside its capture-relative time window [after, before)', () => {
    const overlay = Overlay.fromConfig(
      configOf({ faults: [faultRule('w', { afterNs: 10e9, beforeNs: 20e9, errno: EIO })] }),
    );
    expect(
      hits(overlay, [
        ['read', '/f', { nowNs: 9n * S }],
        ['read', '/f', { nowNs: 10n * S }],
        ['read', '/f', { nowNs: 19n * S }],
        ['read', '/f', { nowNs: 20n * S }],
      ]),
    ).toEqual([false, true, true, false]);
  });

  it('filters by uid and pid', () => {
    const overlay = Overlay.fromConfig(
      configOf({ faults: [faultRule('u', { uids: [0], pids: [7, 8], errno: EIO })] }),
    );
    expect(
      hits(overlay, [
        ['read', '/f', { uid: 0, pid: 7 }],
        ['read', '/f', { uid: 0, pid: 9 }],
        ['read', '/f', { uid: 1000, pid: 8 }],
        ['read', '/f', { uid: 0, pid: 8 }],
      ]),
    ).toEqual([true, false, false, true]);
  });

  it('fires with roughly probability p', () => {
    const overlay = Overlay.fromConfig(
      configOf({ seed: 7, faults: [faultRule('p', { p: 0.25, errno: EIO })] }),
    );
    const n = 20_000;
    const fired = hits(
      overlay,
      Array.from({ length: n }, () => ['read', '/f'] as Parameters<typeof ctx>),
    ).filter(Boolean).length;
    // 0.25 ± 5 standard deviations (sd = sqrt(n p (1-p)) ≈ 61).
    expect(Math.abs(fired - n * 0.25)).toBeLessThan(5 * 61);
  });
});
