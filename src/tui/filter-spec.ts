/**
 * The filter prompt's language: space-separated `key=value` terms, e.g.
 *   op=read,write path=**\/*.db pid=123 from=1s to=5s pod=db-* node=n1
 * Repeated keys add alternatives (op=read op=write is op=read,write). Parsing never throws:
 * it returns either a spec or a message to show under the prompt.
 */
import picomatch from 'picomatch';
import type { SourceFilter } from '../analyze/inputs.js';
import type { TraceFilter } from '../analyze/types.js';
import { OPS, type Op } from '../trace/schema.js';

export interface FilterSpec {
  ops?: Op[];
  /** Path glob (picomatch syntax), matched against the trace path. */
  path?: string;
  pids?: number[];
  /** Time window, ns since capture start; `from` inclusive, `to` exclusive. */
  fromNs?: bigint;
  toNs?: bigint;
  /**
   * Which traces of a run (several files): `key=glob` on the source keys, as `interposer analyze
   * --source` takes them (node, namespace, pod, volume, hostname, file, source = the label).
   */
  sources?: SourceFilter;
}

/** Filter keys that choose traces rather than rows, in the order they are shown. */
export const SOURCE_KEYS = ['source', 'node', 'namespace', 'pod', 'volume', 'hostname', 'file'] as const;

export type ParseResult = { ok: true; spec: FilterSpec } | { ok: false; error: string };

const KEYS = ['op', 'path', 'pid', 'from', 'to', ...SOURCE_KEYS] as const;

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** "1.5s", "200ms", "3m", "750us"; a bare number means seconds. */
export function parseDurationNs(text: string): bigint | undefined {
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const scale = UNIT_NS[m[2] ?? 's']!;
  return BigInt(Math.round(Number(m[1]) * scale));
}

export function parseFilter(input: string): ParseResult {
  const spec: FilterSpec = {};
  for (const term of input.trim().split(/\s+/).filter(Boolean)) {
    const eq = term.indexOf('=');
    if (eq <= 0) return { ok: false, error: `"${term}": expected key=value (keys: ${KEYS.join(', ')})` };
    const key = term.slice(0, eq);
    const value = term.slice(eq + 1);
    if (value === '') return { ok: false, error: `"${term}": missing value` };
    switch (key) {
      case 'op': {
        for (const op of value.split(',')) {
          if (!(OPS as readonly string[]).includes(op)) return { ok: false, error: `unknown op "${op}"` };
          (spec.ops ??= []).push(op as Op);
        }
        break;
      }
      case 'path':
        if (spec.path !== undefined)
          return { ok: false, error: 'one path= term only (use a glob: path={a,b}/**)' };
        spec.path = value;
        break;
      case 'pid': {
        for (const part of value.split(',')) {
          if (!/^\d+$/.test(part)) return { ok: false, error: `pid must be a number, got "${part}"` };
          (spec.pids ??= []).push(Number(part));
        }
        break;
      }
      case 'from':
      case 'to': {
        const ns = parseDurationNs(value);
        if (ns === undefined)
          return { ok: false, error: `${key}: bad time "${value}" (try 1.5s, 200ms, 2m)` };
        if (key === 'from') spec.fromNs = ns;
        else spec.toNs = ns;
        break;
      }
      default:
        if ((SOURCE_KEYS as readonly string[]).includes(key)) {
          if (spec.sources?.[key] !== undefined)
            return { ok: false, error: `one ${key}= term only (use a glob: ${key}={a,b})` };
          if (!isUsableGlob(value)) return { ok: false, error: `${key}: "${value}" is not a usable glob` };
          spec.sources = { ...spec.sources, [key]: value };
          break;
        }
        return { ok: false, error: `unknown key "${key}" (keys: ${KEYS.join(', ')})` };
    }
  }
  if (spec.fromNs !== undefined && spec.toNs !== undefined && spec.toNs <= spec.fromNs) {
    return { ok: false, error: '"to" must be after "from"' };
  }
  return { ok: true, spec };
}

/** Unbalanced brackets or braces would silently match nothing: refuse them. */
function isUsableGlob(glob: string): boolean {
  try {
    picomatch.makeRe(glob, { strictBrackets: true });
    return true;
  } catch {
    return false;
  }
}

/** A literal value as a glob matching only itself (file paths may hold `[`, `*`, `{`...). */
export function escapeGlob(value: string): string {
  return value.replace(/[\\*?[\]{}()!+@|]/g, (c) => `\\${c}`);
}

function formatNs(ns: bigint): string {
  const n = Number(ns);
  if (n % 1e9 === 0) return `${n / 1e9}s`;
  if (n % 1e6 === 0) return `${n / 1e6}ms`;
  if (n % 1e3 === 0) return `${n / 1e3}us`;
  return `${n}ns`;
}

/** The spec back in prompt syntax (round-trips through parseFilter); "" when empty. */
export function formatFilter(spec: FilterSpec): string {
  const terms: string[] = [];
  if (spec.ops?.length) terms.push(`op=${spec.ops.join(',')}`);
  if (spec.path !== undefined) terms.push(`path=${spec.path}`);
  if (spec.pids?.length) terms.push(`pid=${spec.pids.join(',')}`);
  if (spec.fromNs !== undefined) terms.push(`from=${formatNs(spec.fromNs)}`);
  if (spec.toNs !== undefined) terms.push(`to=${formatNs(spec.toNs)}`);
  for (const key of SOURCE_KEYS) {
    const glob = spec.sources?.[key];
    if (glob !== undefined) terms.push(`${key}=${glob}`);
  }
  return terms.join(' ');
}

export function isEmptyFilter(spec: FilterSpec): boolean {
  return formatFilter(spec) === '';
}

/** The analysis library's filter for this spec. */
export function toTraceFilter(spec: FilterSpec): TraceFilter {
  const filter: TraceFilter = {};
  if (spec.ops?.length) filter.ops = spec.ops;
  if (spec.path !== undefined) filter.pathGlob = spec.path;
  if (spec.pids?.length) filter.pids = spec.pids;
  if (spec.fromNs !== undefined) filter.fromNs = spec.fromNs;
  if (spec.toNs !== undefined) filter.toNs = spec.toNs;
  return filter;
}

/** The traces this spec keeps (undefined: all of them). */
export function toSourceFilter(spec: FilterSpec): SourceFilter | undefined {
  return spec.sources && Object.keys(spec.sources).length ? { ...spec.sources } : undefined;
}
