import { describe, expect, it } from 'vitest';
import { cacheTimeoutArgs } from '../../src/csi/cache-timeout.js';

describe('kernel caching per published volume', () => {
  it('keeps the mount default for a backing directory only the mount changes', () => {
    expect(cacheTimeoutArgs({}, false)).toEqual([]);
  });
  it('turns caching off for a backing others may change (given directory, PVC)', () => {
    expect(cacheTimeoutArgs({}, true)).toEqual(['--cache-timeout', '0']);
  });
  it('follows the cacheTimeout volume attribute either way', () => {
    expect(cacheTimeoutArgs({ cacheTimeout: '5' }, true)).toEqual(['--cache-timeout', '5']);
    expect(cacheTimeoutArgs({ cacheTimeout: '0' }, false)).toEqual(['--cache-timeout', '0']);
  });
  it('refuses a value that is not a number of seconds', () => {
    for (const bad of ['', 'soon', '-1']) {
      expect(() => cacheTimeoutArgs({ cacheTimeout: bad }, false)).toThrow(/cacheTimeout must be a number/);
    }
  });
});
