/**
 * Parsing of the human units the overlay config and flags accept: sizes (B, KiB, MiB, GiB, TiB,
 * KB, MB, GB, TB), rates (a size or a count per second) and durations (ns, us, ms, s, m).
 * Parsers return null on malformed input so callers can phrase the error with its location.
 */

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
};

const DURATION_UNITS_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
};

const NUMBER_WITH_UNIT = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-zµ]*)\s*$/i;

/** "4KiB" -> 4096; bare numbers are bytes. Null when malformed or negative. */
export function parseSize(input: string | number): number | null {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.round(input) : null;
  const m = NUMBER_WITH_UNIT.exec(input);
  if (!m) return null;
  const factor = m[2] === '' ? 1 : SIZE_UNITS[m[2]!.toLowerCase()];
  if (factor === undefined) return null;
  return Math.round(Number(m[1]) * factor);
}

/** "10MiB/s" -> bytes per second; "/s" is optional. */
export function parseByteRate(input: string | number): number | null {
  if (typeof input === 'number') return parseSize(input);
  return parseSize(input.replace(/\/\s*s(ec)?\s*$/i, ''));
}

/** "1000", "1000/s", "1k/s"-style is not accepted (ambiguous): a plain count per second. */
export function parseCountRate(input: string | number): number | null {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : null;
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(?:\/\s*s(?:ec)?)?\s*$/i.exec(input);
  return m ? Number(m[1]) : null;
}

/**
 * "5ms" -> 5_000_000 ns. A bare number (YAML number or unit-less string) is only accepted when
 * `bareUnitNs` says what it means, because "delay: 5" is ambiguous.
 */
export function parseDurationNs(input: string | number, bareUnitNs?: number): number | null {
  if (typeof input === 'number') {
    if (bareUnitNs === undefined || !Number.isFinite(input) || input < 0) return null;
    return Math.round(input * bareUnitNs);
  }
  const m = NUMBER_WITH_UNIT.exec(input);
  if (!m) return null;
  if (m[2] === '') return bareUnitNs === undefined ? null : Math.round(Number(m[1]) * bareUnitNs);
  const factor = DURATION_UNITS_NS[m[2]!.toLowerCase()];
  if (factor === undefined) return null;
  return Math.round(Number(m[1]) * factor);
}

/** 10485760 -> "10MiB"; for messages and reports. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)}${units[i]}`;
}

/** 5_000_000 -> "5ms"; for messages and reports. */
export function formatDurationNs(ns: number): string {
  const abs = Math.abs(ns);
  const [div, unit] =
    abs >= 1e9 ? [1e9, 's'] : abs >= 1e6 ? [1e6, 'ms'] : abs >= 1e3 ? [1e3, 'us'] : [1, 'ns'];
  const value = ns / div;
  return `${Number.isInteger(value) ? value : Number(value.toPrecision(3))}${unit}`;
}
