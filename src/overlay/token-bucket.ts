/**
 * Token bucket with reservation ("debt") semantics. reserve() takes the tokens immediately and
 * returns how long the caller must wait until they would have been there. The level may go
 * negative, so:
 *  - a request larger than the burst is admitted after a proportional wait (it never starves);
 *  - concurrent requests queue in arrival order, each behind the debt of those before it;
 *  - the caller never has to come back: one call, one wait, no polling.
 * Start times (arrival + wait) then satisfy: bytes started in any window W <= rate*W + max(burst,
 * largest request). Time is passed in (ns, any origin) so the bucket has no clock of its own.
 */
export class TokenBucket {
  private tokens = 0;
  private lastNs: number | null = null;
  private ratePerNs: number;

  constructor(
    ratePerSec: number,
    private burst: number,
  ) {
    if (!(ratePerSec > 0)) throw new RangeError(`token bucket rate must be > 0, got ${ratePerSec}`);
    if (!(burst >= 0)) throw new RangeError(`token bucket burst must be >= 0, got ${burst}`);
    this.ratePerNs = ratePerSec / 1e9;
  }

  /** Takes `amount` tokens at `nowNs`; returns the wait in ns (0 when they were available). */
  reserve(amount: number, nowNs: number): number {
    this.refill(nowNs);
    this.tokens -= amount;
    if (this.tokens >= 0) return 0;
    // The debt is repaid at lastNs + debt/rate; an arrival stamped slightly before lastNs (another
    // worker thread took its timestamp earlier) still waits until that moment.
    const zeroAtNs = this.lastNs! + -this.tokens / this.ratePerNs;
    return Math.max(0, Math.ceil(zeroAtNs - nowNs));
  }

  /** Changes rate and burst, keeping the current level (clamped to the new burst). */
  reconfigure(ratePerSec: number, burst: number, nowNs?: number): void {
    if (!(ratePerSec > 0)) throw new RangeError(`token bucket rate must be > 0, got ${ratePerSec}`);
    if (nowNs !== undefined) this.refill(nowNs);
    this.ratePerNs = ratePerSec / 1e9;
    this.burst = burst;
    if (this.tokens > burst) this.tokens = burst;
  }

  /** Current level (negative = debt); a full bucket before first use. */
  level(nowNs: number): number {
    if (this.lastNs === null) return this.burst;
    const elapsed = Math.max(0, nowNs - this.lastNs);
    return Math.min(this.burst, this.tokens + elapsed * this.ratePerNs);
  }

  private refill(nowNs: number): void {
    if (this.lastNs === null) {
      this.tokens = this.burst;
      this.lastNs = nowNs;
    } else if (nowNs > this.lastNs) {
      this.tokens = Math.min(this.burst, this.tokens + (nowNs - this.lastNs) * this.ratePerNs);
      this.lastNs = nowNs;
    }
  }
}
