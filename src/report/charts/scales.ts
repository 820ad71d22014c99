/** Scales and tick choice for the charts: linear with "nice" steps, and logarithmic. */

export interface Scale {
  (value: number): number;
  ticks: number[];
}

/** Nice step (1, 2 or 5 x 10^k) giving about `count` ticks over [0, max]. */
export function niceStep(max: number, count: number): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Linear [0, max] -> [from, to], max rounded up to a whole tick; `integer` for counts. */
export function linearScale(max: number, from: number, to: number, tickCount = 5, integer = false): Scale {
  const step = integer ? Math.max(1, niceStep(max, tickCount)) : niceStep(max, tickCount);
  const top = Math.max(step, Math.ceil((max > 0 ? max : 1) / step) * step);
  const scale = ((v: number) => from + ((to - from) * v) / top) as Scale;
  scale.ticks = [];
  for (let t = 0; t <= top + step / 2; t += step) scale.ticks.push(t);
  return scale;
}

/** Linear [min, max] -> [from, to] over a time span, ticks at nice steps inside it. */
export function spanScale(min: number, max: number, from: number, to: number, tickCount = 6): Scale {
  const span = max > min ? max - min : 1;
  const scale = ((v: number) => from + ((to - from) * (v - min)) / span) as Scale;
  const step = niceStep(span, tickCount);
  scale.ticks = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) scale.ticks.push(t);
  return scale;
}

/** Log10 [min, max] -> [from, to], ticks at powers of ten (with 3x between when few). */
export function logScale(min: number, max: number, from: number, to: number): Scale {
  const lo = Math.log10(Math.max(min, 1e-9));
  const hi = Math.max(Math.log10(Math.max(max, 1e-9)), lo + 1e-9);
  const scale = ((v: number) =>
    from + ((to - from) * (Math.log10(Math.max(v, 1e-9)) - lo)) / (hi - lo)) as Scale;
  scale.ticks = [];
  for (let k = Math.ceil(lo); k <= Math.floor(hi); k++) scale.ticks.push(10 ** k);
  if (scale.ticks.length < 3) {
    const extra: number[] = [];
    for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) {
      for (const m of [2, 5]) {
        const v = m * 10 ** k;
        if (v >= 10 ** lo && v <= 10 ** hi) extra.push(v);
      }
    }
    scale.ticks = [...scale.ticks, ...extra].sort((a, b) => a - b);
  }
  return scale;
}
