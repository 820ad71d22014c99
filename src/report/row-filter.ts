/**
 * The analyzer's TraceFilter applied to batch rows, for the report's own accumulators (the
 * heatmap), so a filtered report's heatmap shows the same calls as its other charts.
 */
import picomatch from 'picomatch';
import type { TraceFilter } from '../analyze/index.js';
import type { TraceBatch } from '../trace/batch.js';

export type RowMask = (batch: TraceBatch, starts: Float64Array) => Uint8Array | null;

/** Null when the filter keeps every row; else a function giving 1 for each kept row. */
export function compileRowMask(filter: TraceFilter | undefined): RowMask | null {
  if (!filter) return null;
  const ops = filter.ops && filter.ops.length > 0 ? new Set<string>(filter.ops) : null;
  const pids = filter.pids && filter.pids.length > 0 ? new Set(filter.pids) : null;
  const from = filter.fromNs !== undefined ? Number(filter.fromNs) : -Infinity;
  const to = filter.toNs !== undefined ? Number(filter.toNs) : Infinity;
  const isMatch = filter.pathGlob ? picomatch(filter.pathGlob, { dot: true }) : null;
  if (!ops && !pids && !isMatch && from === -Infinity && to === Infinity) return null;
  const pathHit = new Map<string, boolean>();
  const matchPath = (path: string): boolean => {
    let hit = pathHit.get(path);
    if (hit === undefined) {
      hit = isMatch!(path) || (path.startsWith('/') && isMatch!(path.slice(1)));
      pathHit.set(path, hit);
    }
    return hit;
  };
  return (batch, starts) => {
    const n = batch.length;
    const keep = new Uint8Array(n);
    const op = batch.columns.op;
    const path = batch.columns.path;
    const pid = batch.columns.pid;
    for (let i = 0; i < n; i++) {
      const t = starts[i]!;
      if (t < from || t >= to) continue;
      if (ops && op?.kind === 'string' && !ops.has(op.dictionary[op.indices[i]!] ?? '')) continue;
      if (pids) {
        if (pid?.kind !== 'int32' || !pids.has(pid.values[i]!)) continue;
      }
      if (isMatch && path?.kind === 'string' && !matchPath(path.dictionary[path.indices[i]!] ?? '')) continue;
      keep[i] = 1;
    }
    return keep;
  };
}
