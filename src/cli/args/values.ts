/**
 * Turns one option's text into its typed value, or throws a UsageError / InputError whose
 * message names the option and the problem. Path checks only look (stat), never create.
 */
import { statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDuration } from '../../analyze/units.js';
import { InputError, UsageError } from '../../errors.js';
import type {
  DurationOption,
  EnumOption,
  ListOption,
  NumberOption,
  OptionSpec,
  PathKind,
  PathRole,
} from './spec.js';

/** The typed value of `text` for `spec`; `label` is how the option is named in messages. */
export function parseOptionValue(spec: OptionSpec, text: string, label: string): unknown {
  switch (spec.kind) {
    case 'flag':
      throw new UsageError(`${label} takes no value (got "${text}")`);
    case 'string':
      if (text === '' && spec.nonEmpty !== false) throw new UsageError(`${label}: empty value`);
      return text;
    case 'number':
      return parseNumber(spec, text, label);
    case 'duration':
      return parseDurationValue(spec, text, label);
    case 'enum':
      return parseEnum(spec, text, label);
    case 'list':
      return parseList(spec, text, label);
    case 'path':
      if (spec.specials?.includes(text)) return text;
      checkPath(text, spec.pathKind, spec.role, label, spec.noun);
      return text;
    case 'custom':
      try {
        return spec.parse(text);
      } catch (err) {
        const message = (err as Error).message;
        // A parser that already names the option keeps its wording.
        throw new UsageError(message.startsWith(label) ? message : `${label}: ${message}`);
      }
  }
}

function parseNumber(spec: NumberOption, text: string, label: string): number {
  const what = spec.integer ? 'an integer' : 'a number';
  const bounds: string[] = [];
  if (spec.min !== undefined) bounds.push(`${spec.minExclusive ? '>' : '>='} ${spec.min}`);
  if (spec.max !== undefined) bounds.push(`<= ${spec.max}`);
  const expected = `${what}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
  // Number('') is 0 and Number('0x10') is 16: accept plain decimal notation only.
  const n = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text.trim()) ? Number(text) : NaN;
  const ok =
    Number.isFinite(n) &&
    (!spec.integer || Number.isSafeInteger(n)) &&
    (spec.min === undefined || (spec.minExclusive ? n > spec.min : n >= spec.min)) &&
    (spec.max === undefined || n <= spec.max);
  if (!ok) throw new UsageError(`${label}: expected ${expected}, got "${text}"`);
  return n;
}

function parseDurationValue(spec: DurationOption, text: string, label: string): bigint {
  const bare = /^\s*\d+(\.\d+)?\s*$/.test(text);
  const ns = parseDuration(bare && spec.bareUnit === 's' ? `${text.trim()}s` : text);
  if (ns === null)
    throw new UsageError(`${label}: expected a duration such as 1.5s, 100ms or 20us, got "${text}"`);
  if (spec.positive && ns <= 0n) throw new UsageError(`${label}: must be longer than 0, got "${text}"`);
  return ns;
}

function parseEnum(spec: EnumOption, text: string, label: string): string {
  if (!spec.choices.includes(text))
    throw new UsageError(`${label}: expected one of ${spec.choices.join(', ')}, got "${text}"`);
  return text;
}

function parseList(spec: ListOption, text: string, label: string): string[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`${label}: empty list`);
  if (spec.choices) {
    for (const item of items) {
      if (!spec.choices.includes(item))
        throw new UsageError(`${label}: unknown value "${item}" (known: ${spec.choices.join(', ')})`);
    }
  }
  return items;
}

/** The path's stats; null when it does not exist; an InputError when it cannot be looked at. */
function statOrNull(path: string, named: string): Stats | null {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'EACCES') throw new InputError(`${named}: permission denied`);
    throw new InputError(`${named}: cannot look at it (${code ?? (err as Error).message})`);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSocket()) return 'a socket';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isFile()) return 'a regular file';
  return 'a device';
}

function matchesKind(stats: Stats, kind: PathKind): boolean {
  if (kind === 'dir') return stats.isDirectory();
  if (kind === 'socket') return stats.isSocket();
  // Files: anything readable as a stream (regular files, FIFOs, /dev/stdin) but not a directory.
  return !stats.isDirectory() && !stats.isSocket();
}

const KIND_WORD: Record<PathKind, string> = { file: 'file', dir: 'directory', socket: 'socket' };

function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

/**
 * Refuses a path that cannot serve `role`: an input that is missing or of the wrong kind
 * (InputError), an output whose directory is missing or that names something else (UsageError).
 */
export function checkPath(path: string, kind: PathKind, role: PathRole, label: string, noun?: string): void {
  if (path === '') throw new UsageError(`${label || 'path'}: empty path`);
  // Positional arguments are named by their value alone: "x.parquet: no such file".
  const named = label ? `${label} ${path}` : path;
  const stats = statOrNull(path, named);
  const want = noun ?? KIND_WORD[kind];
  if (role === 'input') {
    if (!stats) throw new InputError(`${named}: no such ${want}`);
    if (!matchesKind(stats, kind))
      throw new InputError(`${named}: is ${kindOf(stats)}, not ${withArticle(want)}`);
    return;
  }
  if (stats) {
    if (!matchesKind(stats, kind))
      throw new UsageError(`${named}: is ${kindOf(stats)}; expected ${withArticle(want)} path`);
    return;
  }
  if (role === 'output-dir') return;
  const dir = dirname(resolve(path));
  const dirStats = statOrNull(dir, named);
  if (!dirStats?.isDirectory()) throw new UsageError(`${named}: directory ${dir} does not exist`);
}
