import { describe, expect, it } from 'vitest';
import { brailleArea, hbar, resample, sparkline } from '../../src/tui/charts.js';
import {
  fit,
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  formatRatio,
  truncateLeft,
  visibleWidth,
} from '../../src/tui/format.js';
import { formatFilter, parseDurationNs, parseFilter } from '../../src/tui/filter-spec.js';

describe('format', () => {
  it('formats bytes, durations, counts and percentages in readable units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(10n * 1024n * 1024n)).toBe('10.0 MiB');
    expect(formatDuration(850)).toBe('850 ns');
    expect(formatDuration(12_345)).toBe('12.3 µs');
    expect(formatDuration(4_560_000n)).toBe('4.56 ms');
    expect(formatDuration(1_200_000_000)).toBe('1.2 s');
    expect(formatDuration(185e9)).toBe('3m05s');
    expect(formatCount(1234)).toBe('1,234');
    expect(formatCount(12_345_678, true)).toBe('12.3M');
    expect(formatPercent(0.0123)).toBe('1.23%');
    expect(formatRatio(100, 150)).toBe('×1.50');
    expect(formatRatio(0, 5)).toBe('new');
  });

  it('truncates paths from the left, keeping the file name', () => {
    expect(truncateLeft('/var/lib/data/table.db', 12)).toBe('…ta/table.db');
    expect(visibleWidth(truncateLeft('/var/lib/data/table.db', 12))).toBe(12);
    expect(truncateLeft('/short', 12)).toBe('/short');
    expect(fit('abc', 6, 'right')).toBe('   abc');
    expect(visibleWidth('\u001b[31mred\u001b[39m')).toBe(3);
  });
});

describe('charts', () => {
  it('resamples long series by aggregation and stretches short ones', () => {
    expect(resample([1, 3, 5, 7], 2, 'mean')).toEqual([2, 6]);
    expect(resample([1, 3, 5, 7], 2, 'max')).toEqual([3, 7]);
    expect(resample([1, 3, 5, 7], 2, 'sum')).toEqual([4, 12]);
    expect(resample([1, 2], 4)).toEqual([1, 1, 2, 2]);
  });

  it('draws sparklines exactly as wide as asked, blank for idle slots', () => {
    const line = sparkline([0, 1, 2, 4, 8], 10);
    expect([...line]).toHaveLength(10);
    expect(line.startsWith('  ')).toBe(true);
    expect(line.endsWith('█')).toBe(true);
  });

  it('draws braille areas with the tallest sample reaching the top row', () => {
    const rows = brailleArea([0, 1, 2, 3, 4, 5, 6, 8], 4, 2);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect([...row]).toHaveLength(4);
    // last character's right column is full height: top row has its top-right dot set
    expect(rows[0]!.codePointAt(3)! & 0x08).toBe(0x08);
    // first sample is zero: bottom-left dot of the first cell is unset
    expect(rows[1]!.codePointAt(0)! & 0x40).toBe(0);
  });

  it('draws bars proportional to value with fixed width', () => {
    expect(hbar(5, 10, 10)).toBe('█████     ');
    expect(hbar(10, 10, 4)).toBe('████');
    expect(hbar(0, 10, 3)).toBe('   ');
    expect(hbar(1, 1000, 3)).toBe('▏  ');
  });
});

describe('filter prompt language', () => {
  it('parses ops, globs, pids and time ranges', () => {
    const r = parseFilter('op=read,write path=**/*.db pid=123 from=1s to=1500ms');
    expect(r).toEqual({
      ok: true,
      spec: {
        ops: ['read', 'write'],
        path: '**/*.db',
        pids: [123],
        fromNs: 1_000_000_000n,
        toNs: 1_500_000_000n,
      },
    });
    expect(parseDurationNs('2')).toBe(2_000_000_000n);
    expect(parseDurationNs('750us')).toBe(750_000n);
  });

  it('round-trips through formatFilter', () => {
    const text = 'op=read path=/a/* pid=1,2 from=250ms to=2s';
    const r = parseFilter(text);
    expect(r.ok && formatFilter(r.spec)).toBe(text);
  });

  it('explains mistakes instead of throwing', () => {
    expect(parseFilter('op=reed')).toEqual({ ok: false, error: 'unknown op "reed"' });
    expect(parseFilter('pid=abc').ok).toBe(false);
    expect(parseFilter('size=3').ok).toBe(false);
    expect(parseFilter('from=5s to=1s')).toEqual({ ok: false, error: '"to" must be after "from"' });
    expect(parseFilter('justaword').ok).toBe(false);
    expect(parseFilter('path=a path=b').ok).toBe(false);
  });
});
