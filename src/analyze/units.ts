/** Human formatting of durations, sizes, counts and shares (stable output: no locale lookups). */

/** Fixed digits without trailing fractional zeros: 1.50 -> "1.5", 120 -> "120". */
function trim(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** 3 significant digits at most: "812 ns", "4.2 µs", "48 ms", "1.23 s", "2.5 min". */
export function formatDuration(ns: number): string {
  const abs = Math.abs(ns);
  if (abs < 1e3) return `${trim(ns, 0)} ns`;
  if (abs < 1e6) return `${sig(ns / 1e3)} µs`;
  if (abs < 1e9) return `${sig(ns / 1e6)} ms`;
  if (abs < 120e9) return `${sig(ns / 1e9)} s`;
  if (abs < 7200e9) return `${sig(ns / 60e9)} min`;
  return `${sig(ns / 3600e9)} h`;
}

function sig(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return trim(value, 0);
  if (abs >= 10) return trim(value, 1);
  return trim(value, 2);
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** "512 B", "4 KiB", "1.5 MiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${trim(value, 0)} B` : `${sig(value)} ${BYTE_UNITS[unit]}`;
}

/** 1234567 -> "1,234,567". */
export function formatCount(n: number): string {
  const rounded = Math.round(n);
  const sign = rounded < 0 ? '-' : '';
  return sign + String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 0.62 -> "62%", 0.012 -> "1.2%", 0.00012 -> "0.01%". */
export function formatShare(fraction: number): string {
  const pct = fraction * 100;
  if (pct === 0) return '0%';
  if (Math.abs(pct) >= 10) return `${Math.round(pct)}%`;
  if (Math.abs(pct) >= 0.1) return `${trim(pct, 1)}%`;
  return `${trim(Math.max(pct, 0.01), 2)}%`;
}

/** Parses "1.5s", "100ms", "250us", "10ns", "2m", or a plain number of ns, into ns. */
export function parseDuration(text: string): bigint | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|min|h)?\s*$/.exec(text);
  if (!match) return null;
  const unitNs: Record<string, number> = {
    ns: 1,
    us: 1e3,
    µs: 1e3,
    ms: 1e6,
    s: 1e9,
    m: 60e9,
    min: 60e9,
    h: 3600e9,
  };
  const scale = unitNs[match[2] ?? 'ns']!;
  const [whole, frac = ''] = match[1]!.split('.');
  // Decimal arithmetic in bigint so "1.5s" is exactly 1_500_000_000n.
  const digits = BigInt(whole! + frac);
  return (digits * BigInt(scale)) / 10n ** BigInt(frac.length);
}
