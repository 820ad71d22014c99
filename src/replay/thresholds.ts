/**
 * `--fail-if` thresholds. Grammar (no spaces needed; quote it for the shell because of > <):
 *
 *   THRESHOLD := METRIC COMPARE VALUE
 *   COMPARE   := ">" | ">=" | "<" | "<="
 *   METRIC    := STAT "." OP          latency of OP (an op name, or "all")
 *              | "total_time"         first issue to last completion
 *              | "throughput"         ops per second
 *              | "errors"             ops whose errno differs from the recording (injected faults excluded)
 *              | "skipped"            ops replay could not perform
 *              | "issue_error." Q     replay scheduler delay: issue time - earliest possible issue time
 *              | "lag." Q             issue time - planned (recorded) time (original timing)
 *   STAT      := "p50" | "p90" | "p99" | "max" | "mean"        Q := "median" | "p99" | "max"
 *   VALUE     := NUMBER [ "x" | "ns" | "us" | "µs" | "ms" | "s" ]
 *
 * With "x", latency/total_time/throughput compare the ratio replayed / recorded
 * (`p99.read>2x`: replayed p99 read latency above twice the recorded one). With a time unit
 * they compare the replayed value itself (`p99.write>10ms`). errors/skipped take plain counts;
 * issue_error/lag take a time (a plain number means µs); throughput without "x" is ops/s.
 * A metric with no data (no reads in the trace) is reported as n/a and never fails.
 */
import { UsageError } from '../errors.js';
import { OPS } from '../trace/schema.js';
import type { Distribution } from './percentile.js';

export type Compare = '>' | '>=' | '<' | '<=';

export interface Threshold {
  text: string;
  metric: string;
  compare: Compare;
  value: number;
  /** "x": ratio; "ns": a time in ns; "": a count or rate. */
  unit: 'x' | 'ns' | '';
}

const TIME_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 };
const LATENCY_STATS = new Set(['p50', 'p90', 'p99', 'max', 'mean']);
const QUANTILES = new Set(['median', 'p99', 'max']);

export function parseThreshold(text: string): Threshold {
  const m =
    /^\s*([a-z_0-9.]+)\s*(>=|<=|>|<)\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*(x|ns|us|µs|ms|s)?\s*$/i.exec(text);
  if (!m) {
    throw new UsageError(
      `--fail-if '${text}': expected METRIC>VALUE, e.g. p99.read>2x, total_time>1.5x, errors>0`,
    );
  }
  const metric = m[1]!.toLowerCase();
  const compare = m[2] as Compare;
  const number = Number(m[3]);
  const suffix = m[4]?.toLowerCase();
  const bad = (why: string) => new UsageError(`--fail-if '${text}': ${why}`);
  const [head, tail] = metric.split('.', 2) as [string, string | undefined];

  if (LATENCY_STATS.has(head)) {
    if (!tail || (tail !== 'all' && !(OPS as readonly string[]).includes(tail))) {
      throw bad(`unknown op "${tail ?? ''}" (an op name such as read, write, getattr, or "all")`);
    }
    return ratioOrTime(text, metric, compare, number, suffix, bad);
  }
  if (metric === 'total_time') return ratioOrTime(text, metric, compare, number, suffix, bad);
  if (metric === 'throughput') {
    if (suffix && suffix !== 'x') throw bad('throughput takes a ratio (2x) or ops/s (a plain number)');
    return { text, metric, compare, value: number, unit: suffix === 'x' ? 'x' : '' };
  }
  if (metric === 'errors' || metric === 'skipped') {
    if (suffix) throw bad(`${metric} takes a plain count`);
    return { text, metric, compare, value: number, unit: '' };
  }
  if ((head === 'issue_error' || head === 'lag') && tail && QUANTILES.has(tail)) {
    if (suffix === 'x') throw bad(`${head} takes a time (e.g. 100us)`);
    return { text, metric, compare, value: number * TIME_UNITS[suffix ?? 'us']!, unit: 'ns' };
  }
  throw bad(`unknown metric "${metric}"`);
}

function ratioOrTime(
  text: string,
  metric: string,
  compare: Compare,
  number: number,
  suffix: string | undefined,
  bad: (why: string) => Error,
): Threshold {
  if (suffix === 'x') return { text, metric, compare, value: number, unit: 'x' };
  if (suffix && suffix in TIME_UNITS)
    return { text, metric, compare, value: number * TIME_UNITS[suffix]!, unit: 'ns' };
  throw bad('give a ratio (2x) or a time (10ms)');
}

/** What thresholds are evaluated against. */
export interface ThresholdInputs {
  latency: Map<string, { recorded: Distribution; replayed: Distribution }>;
  totalTimeNs: { recorded: number; replayed: number };
  throughput: { recorded: number; replayed: number };
  errors: number;
  skipped: number;
  issueErrorNs: Distribution;
  lagNs: Distribution | null;
}

export interface ThresholdResult {
  text: string;
  /** The value compared (ratio, ns or count); null when the metric has no data. */
  actual: number | null;
  unit: Threshold['unit'];
  failed: boolean;
}

function compareWith(actual: number, c: Compare, limit: number): boolean {
  switch (c) {
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
  }
}

function ratio(replayed: number, recorded: number): number | null {
  return recorded > 0 ? replayed / recorded : null;
}

function measure(t: Threshold, inputs: ThresholdInputs): number | null {
  const [head, tail] = t.metric.split('.', 2) as [string, string | undefined];
  if (LATENCY_STATS.has(head)) {
    const pair = inputs.latency.get(tail!);
    if (!pair || pair.replayed.count === 0) return null;
    const key = head as keyof Distribution;
    return t.unit === 'x' ? ratio(pair.replayed[key], pair.recorded[key]) : pair.replayed[key];
  }
  switch (t.metric) {
    case 'total_time':
      return t.unit === 'x'
        ? ratio(inputs.totalTimeNs.replayed, inputs.totalTimeNs.recorded)
        : inputs.totalTimeNs.replayed;
    case 'throughput':
      return t.unit === 'x'
        ? ratio(inputs.throughput.replayed, inputs.throughput.recorded)
        : inputs.throughput.replayed;
    case 'errors':
      return inputs.errors;
    case 'skipped':
      return inputs.skipped;
  }
  const dist = head === 'issue_error' ? inputs.issueErrorNs : inputs.lagNs;
  if (!dist || dist.count === 0) return null;
  return tail === 'median' ? dist.p50 : tail === 'p99' ? dist.p99 : dist.max;
}

export function evaluateThresholds(
  thresholds: readonly Threshold[],
  inputs: ThresholdInputs,
): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = measure(t, inputs);
    return {
      text: t.text,
      actual,
      unit: t.unit,
      failed: actual !== null && compareWith(actual, t.compare, t.value),
    };
  });
}
