/** Row filter compiled once, applied per batch with per-dictionary-entry caching of path matches. */
import picomatch from 'picomatch';
import { OP_CODE, type Op } from '../trace/schema.js';
import type { TraceFilter } from './types.js';

export interface CompiledFilter {
  /** Null when the filter keeps everything. */
  readonly opMask: Uint8Array | null;
  readonly pids: ReadonlySet<number> | null;
  readonly fromNs: number;
  readonly toNs: number;
  /** Null when there is no path glob. */
  matchPath: ((path: string) => boolean) | null;
  readonly isEmpty: boolean;
}

export function compileFilter(filter: TraceFilter | undefined): CompiledFilter {
  let opMask: Uint8Array | null = null;
  if (filter?.ops && filter.ops.length > 0) {
    opMask = new Uint8Array(64);
    for (const op of filter.ops) {
      const code = OP_CODE[op as Op];
      if (code === undefined) throw new Error(`unknown op "${op}"`);
      opMask[code] = 1;
    }
  }
  let matchPath: ((path: string) => boolean) | null = null;
  if (filter?.pathGlob) {
    const isMatch = picomatch(filter.pathGlob, { dot: true });
    const cache = new Map<string, boolean>();
    matchPath = (path: string) => {
      let hit = cache.get(path);
      if (hit === undefined) {
        hit = isMatch(path) || (path.startsWith('/') && isMatch(path.slice(1)));
        cache.set(path, hit);
      }
      return hit;
    };
  }
  const pids = filter?.pids && filter.pids.length > 0 ? new Set(filter.pids) : null;
  const fromNs = filter?.fromNs !== undefined ? Number(filter.fromNs) : -Infinity;
  const toNs = filter?.toNs !== undefined ? Number(filter.toNs) : Infinity;
  return {
    opMask,
    pids,
    fromNs,
    toNs,
    matchPath,
    isEmpty: !opMask && !pids && !matchPath && fromNs === -Infinity && toNs === Infinity,
  };
}
