/**
 * Injected faults binned over time, one row per rule: the data of the faults timeline. A
 * throttle record stands for `throttledOps` slow ops, so it counts that many.
 */
import type { FaultRecord } from '../overlay/fault-log.js';
import { niceStep } from './charts/scales.js';

export interface FaultTimeline {
  originNs: number;
  columnNs: number;
  /** "rule (kind)", in order of first appearance. */
  rules: string[];
  /** counts[column][rule]. */
  counts: number[][];
}

const TARGET_COLUMNS = 100;

export function faultTimeline(
  records: readonly FaultRecord[],
  fromNs?: number,
  toNs?: number,
): FaultTimeline {
  const times = records.map((r) => Number(r.tNs));
  let first = fromNs ?? Infinity;
  let last = toNs ?? -Infinity;
  for (const t of times) {
    if (fromNs === undefined && t < first) first = t;
    if (toNs === undefined && t > last) last = t;
  }
  if (records.length === 0 || !Number.isFinite(first) || !Number.isFinite(last))
    return { originNs: 0, columnNs: 1e9, rules: [], counts: [] };
  const columnNs = Math.max(1000, niceStep(Math.max(last - first, 1), TARGET_COLUMNS));
  const originNs = Math.floor(first / columnNs) * columnNs;
  const columns = Math.max(1, Math.floor((last - originNs) / columnNs) + 1);
  const ruleIndex = new Map<string, number>();
  const rules: string[] = [];
  const counts = Array.from({ length: columns }, () => [] as number[]);
  records.forEach((r, i) => {
    const key = `${r.rule} (${r.kind})`;
    let row = ruleIndex.get(key);
    if (row === undefined) {
      row = rules.length;
      ruleIndex.set(key, row);
      rules.push(key);
    }
    const column = Math.min(columns - 1, Math.max(0, Math.floor((times[i]! - originNs) / columnNs)));
    const cells = counts[column]!;
    cells[row] = (cells[row] ?? 0) + (r.kind === 'throttle' ? (r.throttledOps ?? 1) : 1);
  });
  for (const column of counts) for (let r = 0; r < rules.length; r++) column[r] ??= 0;
  return { originNs, columnNs, rules, counts };
}
