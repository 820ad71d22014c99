import { describe, expect, it } from 'vitest';
import { analyzeBatches } from '../../src/analyze/analyze.js';
import { diffReports } from '../../src/analyze/diff.js';
import { formatDiffText, formatReportText, sparkline, truncateMiddle } from '../../src/analyze/format.js';
import { generateTrace } from '../../src/analyze/generate.js';
import { formatBytes, formatDuration, formatShare, parseDuration } from '../../src/analyze/units.js';

describe('units', () => {
  it('formats durations, sizes and shares compactly', () => {
    expect(formatDuration(0)).toBe('0 ns');
    expect(formatDuration(120)).toBe('120 ns');
    expect(formatDuration(4200)).toBe('4.2 µs');
    expect(formatDuration(48e6)).toBe('48 ms');
    expect(formatDuration(1.234e9)).toBe('1.23 s');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(4096)).toBe('4 KiB');
    expect(formatBytes(1.5 * 2 ** 20)).toBe('1.5 MiB');
    expect(formatShare(0.62)).toBe('62%');
    expect(formatShare(0.012)).toBe('1.2%');
  });

  it('parses durations exactly', () => {
    expect(parseDuration('1.5s')).toBe(1_500_000_000n);
    expect(parseDuration('100ms')).toBe(100_000_000n);
    expect(parseDuration('20us')).toBe(20_000n);
    expect(parseDuration('42')).toBe(42n);
    expect(parseDuration('soon')).toBeNull();
  });
});

describe('text helpers', () => {
  it('truncates in the middle and draws sparklines', () => {
    expect(truncateMiddle('/very/long/path/to/file.db', 12)).toHaveLength(12);
    expect(truncateMiddle('/short', 12)).toBe('/short');
    expect(sparkline([0, 1, 2, 4, 8], 5)).toBe(' ▁▂▄█');
    expect(sparkline([1, 9, 1, 1], 2)).toBe('█▁');
  });
});

describe('report text and JSON', () => {
  const batches = [...generateTrace({ rows: 20_000, seed: 7, faultRate: 0.02, batchRows: 4096 })];

  it('renders every section within 100 columns', async () => {
    const report = await analyzeBatches(batches);
    const text = formatReportText(report);
    for (const heading of [
      'Findings',
      'Operations',
      'Timeline',
      'Hot files (by time)',
      'Hot directories (by time)',
      'Access patterns',
      'Slowest calls',
      'Processes (by time in I/O)',
      'Faults and shaping',
    ]) {
      expect(text).toContain(`\n${heading}\n`);
    }
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    expect(text).toContain(`${report.totals.calls.toLocaleString('en-US')} calls`);
  });

  it('is plain JSON: serialises and parses back unchanged', async () => {
    const report = await analyzeBatches(batches, { top: 5 });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(report.hotFiles.byTime).toHaveLength(5);
    expect(report.slowest).toHaveLength(5);
  });

  it('says so when a filter leaves nothing', async () => {
    const report = await analyzeBatches(batches, { filter: { pids: [424242] } });
    expect(report.totals.calls).toBe(0);
    expect(formatReportText(report)).toContain('(no calls to analyze)');
  });

  it('renders a diff within 100 columns', async () => {
    const a = await analyzeBatches(batches);
    const b = await analyzeBatches(generateTrace({ rows: 20_000, seed: 8, faultRate: 0.1, batchRows: 4096 }));
    const text = formatDiffText(diffReports(a, b));
    expect(text).toContain('\nOperations (by change in time)\n');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});
