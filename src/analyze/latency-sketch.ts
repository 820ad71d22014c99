/**
 * Mergeable log-linear histogram (HdrHistogram layout) for non-negative integer values such as
 * latencies in ns. Values below 2^subBits get one bucket each (exact); above, every power of two
 * is split into 2^subBits equal buckets, so a bucket's midpoint is within 1 / 2^(subBits+1) of
 * any value in it. Percentiles report that midpoint, clamped to the observed [min, max].
 *
 * subBits 7 -> relative error <= 1/256 (0.39%), 6,144 buckets up to 2^53 ns.
 * subBits 4 -> relative error <= 1/32 (3.1%), 800 buckets (used per timeline bucket).
 *
 * While a histogram has seen at most `exactLimit` values it also keeps them, and percentiles are
 * exact (small traces and tests get exact answers).
 */

/** Calls per op kept verbatim for exact percentiles. */
export const EXACT_SAMPLE_LIMIT = 10_000;

const TWO_POW_32 = 4_294_967_296;
const POW2: number[] = Array.from({ length: 64 }, (_, i) => 2 ** i);

/** floor(log2(v)) for an integer v >= 1 below 2^53. */
export function floorLog2(v: number): number {
  if (v < TWO_POW_32) return 31 - Math.clz32(v);
  return 63 - Math.clz32(Math.floor(v / TWO_POW_32));
}

export function relativeErrorBound(subBits: number): number {
  return 1 / 2 ** (subBits + 1);
}

export class LogHistogram {
  readonly counts: Float64Array;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private readonly subCount: number;
  private exact: Float64Array | null;
  private exactLength = 0;

  constructor(
    readonly subBits = 7,
    private readonly exactLimit = EXACT_SAMPLE_LIMIT,
  ) {
    this.subCount = 2 ** subBits;
    this.counts = new Float64Array((54 - subBits + 1) * this.subCount);
    this.exact = exactLimit > 0 ? new Float64Array(Math.min(exactLimit, 256)) : null;
  }

  indexOf(value: number): number {
    const v = value < 0 ? 0 : Math.floor(value);
    if (v < this.subCount) return v;
    const e = floorLog2(v);
    const shift = e - this.subBits;
    const mantissa = Math.floor(v / POW2[shift]!);
    return (shift + 1) * this.subCount + (mantissa - this.subCount);
  }

  /** [low, high) of bucket `index`. */
  boundsOf(index: number): [number, number] {
    if (index < this.subCount) return [index, index + 1];
    const k = Math.floor(index / this.subCount);
    const shift = k - 1;
    const mantissa = index - k * this.subCount + this.subCount;
    const width = POW2[shift]!;
    return [mantissa * width, (mantissa + 1) * width];
  }

  record(value: number): void {
    this.counts[this.indexOf(value)]! += 1;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const exact = this.exact;
    if (exact) {
      if (this.exactLength >= this.exactLimit) {
        this.exact = null;
      } else {
        if (this.exactLength === exact.length) {
          const grown = new Float64Array(Math.min(exact.length * 2, this.exactLimit));
          grown.set(exact);
          this.exact = grown;
        }
        this.exact![this.exactLength++] = value;
      }
    }
  }

  merge(other: LogHistogram): void {
    if (other.subBits !== this.subBits) throw new Error('cannot merge histograms of different precision');
    for (let i = 0; i < other.counts.length; i++) this.counts[i]! += other.counts[i]!;
    const mergedCount = this.count + other.count;
    if (this.exact && other.exact && mergedCount <= this.exactLimit) {
      const merged = new Float64Array(Math.max(mergedCount, 1));
      merged.set(this.exact.subarray(0, this.exactLength));
      merged.set(other.exact.subarray(0, other.exactLength), this.exactLength);
      this.exact = merged;
      this.exactLength = mergedCount;
    } else {
      this.exact = null;
    }
    this.count = mergedCount;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  get isExact(): boolean {
    return this.exact !== null;
  }

  /** Nearest-rank quantiles for q in [0, 1], one pass over the buckets. 0 when empty. */
  quantiles(qs: readonly number[]): number[] {
    if (this.count === 0) return qs.map(() => 0);
    const ranks = qs.map((q) => Math.max(1, Math.ceil(q * this.count)));
    if (this.exact) {
      const sorted = this.exact.slice(0, this.exactLength).sort();
      return ranks.map((r) => sorted[Math.min(r, this.exactLength) - 1]!);
    }
    const order = ranks.map((_, i) => i).sort((x, y) => ranks[x]! - ranks[y]!);
    const out = new Array<number>(qs.length).fill(this.max);
    let next = 0;
    let seen = 0;
    for (let i = 0; i < this.counts.length && next < order.length; i++) {
      const c = this.counts[i]!;
      if (c === 0) continue;
      seen += c;
      while (next < order.length && ranks[order[next]!]! <= seen) {
        const [low, high] = this.boundsOf(i);
        const mid = high - low === 1 ? low : (low + high) / 2;
        out[order[next]!] = Math.min(this.max, Math.max(this.min, mid));
        next++;
      }
    }
    return out;
  }

  quantile(q: number): number {
    return this.quantiles([q])[0]!;
  }

  /** Counts regrouped into power-of-two buckets [2^k, 2^(k+1)) (and [0, 1)), nonzero only. */
  powerOfTwoBuckets(): { fromNs: number; toNs: number; count: number }[] {
    const byExponent = new Map<number, number>();
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i]!;
      if (c === 0) continue;
      const [low] = this.boundsOf(i);
      const e = low === 0 ? -1 : floorLog2(low);
      byExponent.set(e, (byExponent.get(e) ?? 0) + c);
    }
    return [...byExponent.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([e, count]) =>
        e < 0 ? { fromNs: 0, toNs: 1, count } : { fromNs: 2 ** e, toNs: 2 ** (e + 1), count },
      );
  }
}
