/** Clocks the overlay reads, injected so tests run on fake time. */

export interface Clock {
  nowNs(): bigint;
}

/**
 * Wall clock in Unix-epoch ns with hrtime resolution: Date.now() is anchored once and then
 * advanced by the monotonic clock, so fault-log timestamps are ordered and ns-precise.
 */
export function systemWallClock(): Clock {
  const anchor = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  return { nowNs: () => anchor + process.hrtime.bigint() };
}

/** A clock that only moves when told; for tests. */
export class FakeClock implements Clock {
  constructor(private ns = 0n) {}

  nowNs(): bigint {
    return this.ns;
  }

  advance(ns: bigint | number): void {
    this.ns += BigInt(ns);
  }

  set(ns: bigint | number): void {
    this.ns = BigInt(ns);
  }
}
