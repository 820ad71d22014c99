/**
 * One instant read on both clocks a trace uses: CLOCK_MONOTONIC (process.hrtime, what operations
 * are stamped with) and the wall clock, to a fraction of a microsecond. Date.now() has whole
 * milliseconds, which would put every wall-clock time of a trace up to 1 ms off; Node's
 * performance.timeOrigin (wall clock at process start, sub-µs) plus performance.now() (monotonic
 * since then) keeps the fraction.
 */

export interface ClockPair {
  monotonicNs: bigint;
  wallNs: bigint;
}

/** If the wall clock was stepped since the process started, timeOrigin is stale by that much. */
const MAX_STEP_NS = 2_000_000n;

function msToNs(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

export function clockPair(): ClockPair {
  const monotonicNs = process.hrtime.bigint();
  const sinceOrigin = performance.now();
  const dateNs = BigInt(Date.now()) * 1_000_000n;
  const wallNs = msToNs(performance.timeOrigin) + msToNs(sinceOrigin);
  // A clock step (NTP, manual) after start: trust Date.now() (ms) over a stale origin.
  const off = wallNs - dateNs;
  if (off > MAX_STEP_NS || off < -MAX_STEP_NS) return { monotonicNs, wallNs: dateNs };
  return { monotonicNs, wallNs };
}
