import { describe, expect, it } from 'vitest';
import { lookupErrno } from '../../src/overlay/errno.js';
import {
  formatDurationNs,
  formatSize,
  parseByteRate,
  parseCountRate,
  parseDurationNs,
  parseSize,
} from '../../src/overlay/units.js';

describe('units', () => {
  it('parses sizes in binary and decimal units', () => {
    expect([
      parseSize('512'),
      parseSize('4KiB'),
      parseSize('1.5 MiB'),
      parseSize('2GiB'),
      parseSize('3KB'),
      parseSize('1MB'),
    ]).toEqual([512, 4096, 1.5 * 1024 ** 2, 2 * 1024 ** 3, 3000, 1e6]);
    expect([parseSize('4 KiBs'), parseSize('-1'), parseSize(''), parseSize('MiB')]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });

  it('parses byte and count rates', () => {
    expect(parseByteRate('10MiB/s')).toBe(10 * 1024 ** 2);
    expect(parseByteRate('10 MB/sec')).toBe(1e7);
    expect(parseByteRate('10MiB/h')).toBeNull();
    expect([
      parseCountRate('1000'),
      parseCountRate('250/s'),
      parseCountRate(12),
      parseCountRate('1k'),
    ]).toEqual([1000, 250, 12, null]);
  });

  it('parses durations, with bare numbers only where a unit is implied', () => {
    expect([
      parseDurationNs('5ms'),
      parseDurationNs('250us'),
      parseDurationNs('2s'),
      parseDurationNs('1m'),
      parseDurationNs('7ns'),
    ]).toEqual([5e6, 250e3, 2e9, 60e9, 7]);
    expect(parseDurationNs('5')).toBeNull();
    expect(parseDurationNs(5)).toBeNull();
    expect(parseDurationNs(30, 1e9)).toBe(30e9);
    expect(parseDurationNs('5 fortnights')).toBeNull();
  });

  it('formats sizes and durations for humans', () => {
    expect([formatSize(512), formatSize(10 * 1024 ** 2), formatSize(1536)]).toEqual([
      '512B',
      '10MiB',
      '1.5KiB',
    ]);
    expect([formatDurationNs(5e6), formatDurationNs(1500), formatDurationNs(2e9)]).toEqual([
      '5ms',
      '1.5us',
      '2s',
    ]);
  });

  it('resolves errno names and numbers', () => {
    expect(lookupErrno('eio')).toEqual({ ok: true, errno: 5, name: 'EIO' });
    expect(lookupErrno(28)).toEqual({ ok: true, errno: 28, name: 'ENOSPC' });
    expect(lookupErrno('EAGAIN')).toMatchObject({ ok: true, errno: 11 });
    expect(lookupErrno('ENOSPCC')).toEqual({
      ok: false,
      message: 'unknown errno "ENOSPCC" (did you mean ENOSPC?)',
    });
    expect(lookupErrno('BANANA')).toEqual({ ok: false, message: 'unknown errno "BANANA"' });
    expect(lookupErrno(99999)).toEqual({ ok: false, message: 'unknown errno number 99999' });
  });
});
