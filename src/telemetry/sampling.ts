/**
 * Head sampling of rows into spans, decided from the row's seq alone so that (a) it costs a few
 * integer ops per row before any attribute is built and (b) the same rows are picked every time
 * the same trace is replayed or re-exported.
 */

/** A 32-bit integer mix (the "lowbias32" finalizer): spreads consecutive seqs uniformly. */
export function hash32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export interface HeadSampler {
  readonly ratio: number;
  /** True if the row with this seq (low 32 bits) becomes a span. */
  sampled(seqLow32: number): boolean;
}

export function headSampler(ratio: number): HeadSampler {
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`sampling ratio must be in [0, 1], got ${ratio}`);
  if (ratio === 1) return { ratio, sampled: () => true };
  if (ratio === 0) return { ratio, sampled: () => false };
  const threshold = Math.floor(ratio * 4_294_967_296);
  return { ratio, sampled: (seqLow32) => hash32(seqLow32) < threshold };
}
