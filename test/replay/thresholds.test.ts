import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { distribution } from '../../src/replay/percentile.js';
import { evaluateThresholds, parseThreshold, type ThresholdInputs } from '../../src/replay/thresholds.js';

const inputs: ThresholdInputs = {
  latency: new Map([
    ['read', { recorded: distribution([10, 20, 30, 40]), replayed: distribution([30, 60, 90, 120]) }],
    ['all', { recorded: distribution([10, 20, 30, 40]), replayed: distribution([30, 60, 90, 120]) }],
  ]),
  totalTimeNs: { recorded: 1e9, replayed: 1.2e9 },
  throughput: { recorded: 1000, replayed: 800 },
  errors: 2,
  skipped: 0,
  issueErrorNs: distribution([1000, 2000, 300_000]),
  lagNs: null,
};

function verdict(text: string): boolean {
  return evaluateThresholds([parseThreshold(text)], inputs)[0]!.failed;
}

describe('--fail-if', () => {
  it('parses ratios, times and counts', () => {
    expect(parseThreshold('p99.read>2x')).toMatchObject({
      metric: 'p99.read',
      compare: '>',
      value: 2,
      unit: 'x',
    });
    expect(parseThreshold('p50.write>=10ms')).toMatchObject({ value: 10e6, unit: 'ns' });
    expect(parseThreshold('errors>0')).toMatchObject({ metric: 'errors', value: 0, unit: '' });
    expect(parseThreshold('issue_error.p99>200')).toMatchObject({ value: 200e3, unit: 'ns' });
    expect(parseThreshold('throughput<0.5x')).toMatchObject({ compare: '<', unit: 'x' });
  });

  it('rejects what it cannot evaluate', () => {
    for (const bad of [
      'p99.reed>2x',
      'p99.read>2',
      'errors>2x',
      'latency>1',
      'total_time=2x',
      'issue_error.p42>1us',
    ]) {
      expect(() => parseThreshold(bad), bad).toThrow(UsageError);
    }
  });

  it('compares replayed/recorded ratios, absolute values and counts', () => {
    expect(verdict('p99.read>2x')).toBe(true); // 120 / 40 = 3x
    expect(verdict('p99.read>3x')).toBe(false);
    expect(verdict('p50.read>=3x')).toBe(true); // 60 / 20 (nearest rank p50 of 4 values is the 2nd)
    expect(verdict('max.all>100ns')).toBe(true);
    expect(verdict('total_time>1.5x')).toBe(false);
    expect(verdict('total_time>1.1x')).toBe(true);
    expect(verdict('throughput<0.9x')).toBe(true);
    expect(verdict('errors>0')).toBe(true);
    expect(verdict('errors>2')).toBe(false);
    expect(verdict('issue_error.max>250us')).toBe(true);
    expect(verdict('issue_error.median>250us')).toBe(false);
  });

  it('a metric without data is n/a and never fails', () => {
    const [r] = evaluateThresholds([parseThreshold('p99.fsync>1x')], inputs);
    expect(r).toMatchObject({ actual: null, failed: false });
    expect(evaluateThresholds([parseThreshold('lag.p99>1us')], inputs)[0]!.failed).toBe(false);
  });
});
