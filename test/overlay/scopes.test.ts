/**
 * Path scopes: the literal prefixes the live mount uses to skip asking the overlay about paths
 * no rule can match. A wrong prefix would silently disable a rule, so the claim "every path the
 * glob matches starts with the prefix" is checked against picomatch itself on generated paths.
 */
import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { Overlay } from '../../src/overlay/index.js';
import { OP_CODE, type Op } from '../../src/trace/schema.js';
import { globLiteralPrefix } from '../../src/overlay/rules.js';
import { EIO, configOf, faultRule, throttleRule } from './helpers.js';

describe('globLiteralPrefix', () => {
  it('takes the text before the first glob character', () => {
    expect(globLiteralPrefix('data/wal/**')).toBe('data/wal'); // matches the directory too
    expect(globLiteralPrefix('data/*.db')).toBe('data');
    expect(globLiteralPrefix('db.sqlite')).toBe('db.sqlite');
    expect(globLiteralPrefix('logs/app-?.log')).toBe('logs/app-');
    expect(globLiteralPrefix('x/{a,b}/y')).toBe('x');
    expect(globLiteralPrefix('x/@(a|b)')).toBe('x');
    expect(globLiteralPrefix('x/+(a)')).toBe('x');
  });

  it('gives none where a glob can start anywhere or escapes its text', () => {
    for (const glob of [
      null,
      '**',
      '*.db',
      '**/*.wal',
      '!(tmp)/**',
      '[ab]/x',
      '{a,b}/x',
      './x',
      '/x',
      'a\\*b',
    ]) {
      const prefix = globLiteralPrefix(glob);
      if (glob === 'a\\*b') expect(prefix).toBe('a');
      else expect(prefix, String(glob)).toBeNull();
    }
  });

  it('is a prefix of every path the glob matches (checked against picomatch)', () => {
    const segment = fc.constantFrom(
      'data',
      'wal',
      'a',
      'b',
      'x.db',
      'x.wal',
      '.hidden',
      'db.sqlite',
      'app-1.log',
      'logs',
    );
    const relPath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
    const globs = [
      'data/wal/**',
      'data/*.db',
      'db.sqlite',
      'logs/app-?.log',
      'data/{wal,a}/**',
      'a/**/x.db',
      'data',
      'data/',
      'a\\*b',
    ];
    for (const glob of globs) {
      const matches = picomatch(glob, { dot: true });
      const prefix = globLiteralPrefix(glob);
      fc.assert(
        fc.property(relPath, (path) => {
          if (matches(path) && prefix !== null)
            expect(path.startsWith(prefix), `${glob} ~ ${path}`).toBe(true);
        }),
        { numRuns: 300 },
      );
    }
  });
});

describe('Overlay.pathScopesByOp', () => {
  const scopes = (overlay: Overlay, op: Op): readonly string[] | null => overlay.pathScopesByOp[OP_CODE[op]]!;

  it('unites the prefixes of the rules that name each op', () => {
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [
          faultRule('f', { path: 'data/wal/**', errno: EIO }),
          faultRule('g', { path: 'db.sqlite', errno: EIO }),
        ],
        throttle: [throttleRule('t', { ops: ['read'], path: 'logs/*.log', bytesPerSec: 1e6 })],
      }),
    );
    expect([...scopes(overlay, 'read')!].sort()).toEqual(['data/wal', 'db.sqlite', 'logs']);
    expect([...scopes(overlay, 'unlink')!].sort()).toEqual(['data/wal', 'db.sqlite']);
  });

  it('leaves an op unrestricted as soon as one of its rules has no path or no literal prefix', () => {
    // The common shape: throttle all data everywhere, inject faults in one directory.
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [faultRule('f', { path: 'data/**', errno: EIO })],
        throttle: [throttleRule('t', { ops: ['read', 'write'], bytesPerSec: 1e9 })],
      }),
    );
    expect(scopes(overlay, 'read')).toBeNull();
    expect(scopes(overlay, 'write')).toBeNull();
    expect(scopes(overlay, 'create')).toEqual(['data']);
    const wildcardFirst = Overlay.fromConfig(
      configOf({ faults: [faultRule('f', { path: '**/*.db', errno: EIO })] }),
    );
    expect(scopes(wildcardFirst, 'open')).toBeNull();
  });

  it('is empty for ops no rule names, and follows rule changes', () => {
    const overlay = Overlay.fromConfig(
      configOf({ faults: [faultRule('f', { ops: ['open'], path: 'data/**', errno: EIO })] }),
    );
    expect(scopes(overlay, 'open')).toEqual(['data']);
    expect(scopes(overlay, 'read')).toEqual([]);
    overlay.addRule({ kind: 'fault', ...faultRule('g', { ops: ['open'], errno: EIO }) });
    expect(scopes(overlay, 'open')).toBeNull();
  });
});
