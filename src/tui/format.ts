/**
 * Plain-string formatting for the TUI: units, truncation and padding. Everything here measures
 * width in code points, which is what the terminal shows for the characters we emit (no wide
 * CJK glyphs are produced by the TUI itself; paths are truncated by code point too).
 */

import { formatDuration as formatAnalyzerDuration } from '../analyze/units.js';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

function toNumber(value: number | bigint): number {
  return typeof value === 'bigint' ? Number(value) : value;
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(value: number | bigint): string {
  let n = toNumber(value);
  if (!Number.isFinite(n)) return '-';
  let unit = 0;
  while (Math.abs(n) >= 1024 && unit < BYTE_UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(n)} B`;
  return `${n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)} ${BYTE_UNITS[unit]}`;
}

/** Bytes per second -> "12.0 MiB/s". */
export function formatByteRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Nanoseconds -> the shortest readable unit: "850 ns", "12.3 µs", "4.56 ms", "1.2 s", "3m05s". */
export function formatDuration(value: number | bigint | null | undefined): string {
  if (value === null || value === undefined) return '-';
  const ns = toNumber(value);
  if (!Number.isFinite(ns)) return '-';
  const abs = Math.abs(ns);
  // Below a minute: the analyzer's own format ("850 ns", "10 ms", "9.32 s"), so tables and the
  // findings' sentences beside them read alike.
  if (abs < 60_000_000_000) return formatAnalyzerDuration(ns);
  const totalSeconds = Math.round(ns / 1_000_000_000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes < 60) return `${minutes}m${String(seconds).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Three significant digits, enough to compare latencies at a glance. */
function trim3(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** 1234 -> "1,234"; 12_345_678 -> "12.3M" when compact. */
export function formatCount(value: number | bigint, compact = false): string {
  const n = toNumber(value);
  if (!Number.isFinite(n)) return '-';
  if (!compact || Math.abs(n) < 10_000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) < 1_000_000) return `${trim3(n / 1_000)}k`;
  if (Math.abs(n) < 1_000_000_000) return `${trim3(n / 1_000_000)}M`;
  return `${trim3(n / 1_000_000_000)}G`;
}

/** Operations per second, compact. */
export function formatRate(perSecond: number): string {
  return `${formatCount(perSecond, true)}/s`;
}

/** 0.0123 -> "1.23%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '-';
  const pct = fraction * 100;
  if (pct === 0) return '0%';
  if (Math.abs(pct) < 0.01) return '<0.01%';
  return `${trim3(pct)}%`;
}

/** b / a as "×1.50" (or "-" when undefined); used by the diff view. */
export function formatRatio(a: number, b: number): string {
  if (a === 0 && b === 0) return '=';
  if (a === 0) return 'new';
  if (b === 0) return 'gone';
  const r = b / a;
  return `×${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}`;
}

/** Width as the terminal shows it, ignoring ANSI escapes. */
export function visibleWidth(text: string): number {
  // eslint-disable-next-line no-control-regex
  return [...text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '')].length;
}

/** Keeps the end of the text (the file name matters most in a path): "…/deep/dir/file.db". */
export function truncateLeft(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 0) return '';
  if (width === 1) return '…';
  return `…${chars.slice(chars.length - (width - 1)).join('')}`;
}

/** Keeps the start of the text: "a long descri…". */
export function truncateRight(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 0) return '';
  if (width === 1) return '…';
  return `${chars.slice(0, width - 1).join('')}…`;
}

/** Pads (or truncates) to exactly `width` columns. */
export function fit(
  text: string,
  width: number,
  align: 'left' | 'right' = 'left',
  truncate = truncateRight,
): string {
  const cut = truncate(text, width);
  const pad = ' '.repeat(Math.max(0, width - [...cut].length));
  return align === 'left' ? cut + pad : pad + cut;
}

/** Time offset since the capture started, for axes and filters: "0s", "1.50s", "2m05s". */
export function formatOffset(ns: number | bigint): string {
  const n = toNumber(ns);
  if (n === 0) return '0 s';
  return formatDuration(n);
}

/** Greedy word wrap to `width` columns; words longer than a line are cut. */
export function wrapText(text: string, width: number): string[] {
  if (width <= 0) return [];
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = current ? `${current} ${word}` : word;
    if ([...candidate].length <= width) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current);
    current = [...word].length > width ? truncateRight(word, width) : word;
  }
  if (current) lines.push(current);
  return lines;
}
