/**
 * Turns a raw, untrusted value (from YAML/JSON or from CLI flags) into an OverlayConfig,
 * collecting every problem with where it is ("overlay.yaml:7: faults[1].errno: ...") so a user
 * fixes a file in one pass. The source-specific part (line numbers, flag text) is the Locate
 * callback; the rules about fields live only here.
 */
import { UserError } from '../errors.js';
import { OPS, type Op } from '../trace/schema.js';
import {
  DEFAULT_SEED,
  DEFAULT_THROTTLE_LOG_THRESHOLD_NS,
  defaultBurstBytes,
  defaultBurstOps,
  CORRUPT_MODES,
  MAX_CORRUPT_BYTES,
  type CorruptAction,
  type CorruptMode,
  type DelayAction,
  type DelayDistribution,
  type ErrnoAction,
  type FaultRuleConfig,
  type OverlayConfig,
  type SignalAction,
  type ThrottleRuleConfig,
  type TruncateAction,
} from './config.js';
import { lookupErrno } from './errno.js';
import { closestMatch } from './suggest.js';
import { lookupSignal } from './signals.js';
import { parseByteRate, parseCountRate, parseDurationNs, parseSize } from './units.js';

export type PathSegment = string | number;
/** Where a value sits, e.g. "overlay.yaml:7" or "--fault 'op=read,...'"; atKey points at the key. */
export type Locate = (path: readonly PathSegment[], atKey: boolean) => string;

/** Ops a rule can name; "event" is a trace marker, not an operation to shape. */
export const SHAPEABLE_OPS: readonly Op[] = OPS.filter((op) => op !== 'event');
const DATA_TRUNCATABLE_OPS: readonly Op[] = ['read', 'write'];
/** Ops whose data can be corrupted; only reads by default (a corrupted write damages the file). */
const CORRUPTIBLE_OPS: readonly Op[] = ['read', 'write'];
const DEFAULT_CORRUPT_OPS: readonly Op[] = ['read'];

const TOP_FIELDS = ['seed', 'throttle', 'faults', 'log'];
const LOG_FIELDS = ['throttleThreshold'];
const THROTTLE_FIELDS = ['id', 'direction', 'op', 'ops', 'path', 'bytes', 'burst', 'iops', 'iopsBurst'];
const FAULT_FIELDS = [
  'id',
  'op',
  'ops',
  'path',
  'p',
  'first',
  'every',
  'max',
  'after',
  'before',
  'uid',
  'pid',
  'errno',
  'truncate',
  'delay',
  'when',
  'corrupt',
  'signal',
];
const DELAY_FIELDS = ['fixed', 'uniform', 'lognormal', 'normal'];

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

class Checker {
  readonly issues: string[] = [];

  constructor(private readonly locate: Locate) {}

  error(path: readonly PathSegment[], message: string, atKey = false): void {
    const where = this.locate(path, atKey);
    const field = formatPath(path);
    this.issues.push(`${where}: ${field ? `${field}: ` : ''}${message}`);
  }

  /** Reports unknown keys with a did-you-mean; returns the object or null if not an object. */
  object(
    value: unknown,
    path: readonly PathSegment[],
    allowed: readonly string[],
  ): Record<string, unknown> | null {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.error(path, `expected a mapping of ${allowed.join(', ')}, got ${describe(value)}`);
      return null;
    }
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        const hint = suggest(key, allowed);
        this.error([...path, key], `unknown field${hint ? ` (did you mean ${hint}?)` : ''}`, true);
      }
    }
    return obj;
  }

  list(value: unknown, path: readonly PathSegment[]): unknown[] | null {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.error(path, `expected a list, got ${describe(value)}`);
      return null;
    }
    return value;
  }

  string(value: unknown, path: readonly PathSegment[]): string | null {
    if (typeof value === 'string' && value.length > 0) return value;
    this.error(path, `expected a non-empty string, got ${describe(value)}`);
    return null;
  }

  positiveInt(value: unknown, path: readonly PathSegment[]): number | null {
    const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof n === 'number' && Number.isInteger(n) && n > 0) return n;
    this.error(path, `expected a positive integer, got ${describe(value)}`);
    return null;
  }

  nonNegativeInt(value: unknown, path: readonly PathSegment[]): number | null {
    const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return n;
    this.error(path, `expected a non-negative integer, got ${describe(value)}`);
    return null;
  }

  intList(value: unknown, path: readonly PathSegment[]): number[] | null {
    const items = Array.isArray(value) ? value : [value];
    const out: number[] = [];
    for (const [i, item] of items.entries()) {
      const n = this.nonNegativeInt(item, Array.isArray(value) ? [...path, i] : path);
      if (n === null) return null;
      out.push(n);
    }
    return out;
  }

  probability(value: unknown, path: readonly PathSegment[]): number | null {
    let n: number | null = null;
    if (typeof value === 'number') n = value;
    else if (typeof value === 'string') {
      const m = /^\s*([0-9]*\.?[0-9]+)\s*(%?)\s*$/.exec(value);
      if (m) n = Number(m[1]) / (m[2] ? 100 : 1);
    }
    if (n !== null && n >= 0 && n <= 1) return n;
    this.error(path, `expected a probability between 0 and 1 (or a percentage), got ${describe(value)}`);
    return null;
  }

  duration(value: unknown, path: readonly PathSegment[], bareUnitNs?: number): number | null {
    const ns =
      typeof value === 'string' || typeof value === 'number' ? parseDurationNs(value, bareUnitNs) : null;
    if (ns !== null) return ns;
    const bare = bareUnitNs === undefined ? ' (a unit is required)' : '';
    this.error(
      path,
      `expected a duration like 5ms, 250us, 2s (units ns, us, ms, s, m)${bare}, got ${describe(value)}`,
    );
    return null;
  }

  ops(value: unknown, path: readonly PathSegment[]): Op[] | null {
    const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[|,]/) : [value];
    const ops: Op[] = [];
    for (const [i, item] of items.entries()) {
      const at = Array.isArray(value) ? [...path, i] : path;
      if (typeof item !== 'string') {
        this.error(at, `expected an op name, got ${describe(item)}`);
        return null;
      }
      const name = item.trim().toLowerCase();
      if (!(SHAPEABLE_OPS as readonly string[]).includes(name)) {
        const hint = suggest(name, SHAPEABLE_OPS);
        this.error(at, `unknown op "${item}"${hint ? ` (did you mean ${hint}?)` : ''}`);
        return null;
      }
      if (!ops.includes(name as Op)) ops.push(name as Op);
    }
    if (ops.length === 0) this.error(path, 'expected at least one op');
    return ops.length ? ops : null;
  }

  glob(value: unknown, path: readonly PathSegment[]): string | null {
    const s = this.string(value, path);
    return s === null ? null : normalizeGlob(s);
  }
}

/** Rules match paths relative to the mount root, so "/data/*.db" and "data/*.db" mean the same. */
export function normalizeGlob(glob: string): string {
  return glob.replace(/^\/+/, '') || '**';
}

function suggest(input: string, candidates: readonly string[]): string | null {
  return closestMatch(input, candidates, Math.max(2, Math.floor(input.length / 3)), (s) => s.toLowerCase());
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

function throwIfIssues(checker: Checker): void {
  if (checker.issues.length === 0) return;
  const shown = checker.issues.slice(0, 20);
  if (checker.issues.length > shown.length)
    shown.push(`... and ${checker.issues.length - shown.length} more`);
  throw new UserError(shown.join('\n'));
}

/** Validates a whole overlay config; throws UserError listing every problem. */
export function validateOverlayConfig(raw: unknown, locate: Locate): OverlayConfig {
  const c = new Checker(locate);
  const config: OverlayConfig = {
    seed: DEFAULT_SEED,
    throttle: [],
    faults: [],
    log: { throttleThresholdNs: DEFAULT_THROTTLE_LOG_THRESHOLD_NS },
  };
  if (raw === null || raw === undefined) return config; // empty file: no effect
  const top = c.object(raw, [], TOP_FIELDS);
  if (top) {
    if (top.seed !== undefined) config.seed = c.nonNegativeInt(top.seed, ['seed']) ?? DEFAULT_SEED;
    if (top.log !== undefined && top.log !== null) {
      const log = c.object(top.log, ['log'], LOG_FIELDS);
      if (log?.throttleThreshold !== undefined) {
        const ns = c.duration(log.throttleThreshold, ['log', 'throttleThreshold']);
        if (ns !== null) config.log.throttleThresholdNs = ns;
      }
    }
    for (const [i, item] of (c.list(top.throttle, ['throttle']) ?? []).entries()) {
      const rule = checkThrottleRule(c, item, ['throttle', i], `throttle-${i + 1}`);
      if (rule) config.throttle.push(rule);
    }
    for (const [i, item] of (c.list(top.faults, ['faults']) ?? []).entries()) {
      const rule = checkFaultRule(c, item, ['faults', i], `fault-${i + 1}`);
      if (rule) config.faults.push(rule);
    }
    checkUniqueIds(c, config);
  }
  throwIfIssues(c);
  return config;
}

export function validateThrottleRule(raw: unknown, locate: Locate, defaultId: string): ThrottleRuleConfig {
  const c = new Checker(locate);
  const rule = checkThrottleRule(c, raw, [], defaultId);
  throwIfIssues(c);
  return rule!;
}

export function validateFaultRule(raw: unknown, locate: Locate, defaultId: string): FaultRuleConfig {
  const c = new Checker(locate);
  const rule = checkFaultRule(c, raw, [], defaultId);
  throwIfIssues(c);
  return rule!;
}

function checkUniqueIds(c: Checker, config: OverlayConfig): void {
  const seen = new Set<string>();
  const all: [string, PathSegment[]][] = [
    ...config.throttle.map((r, i): [string, PathSegment[]] => [r.id, ['throttle', i, 'id']]),
    ...config.faults.map((r, i): [string, PathSegment[]] => [r.id, ['faults', i, 'id']]),
  ];
  for (const [id, path] of all) {
    if (seen.has(id)) c.error(path, `duplicate rule id "${id}"`);
    seen.add(id);
  }
}

function checkThrottleRule(
  c: Checker,
  raw: unknown,
  path: PathSegment[],
  defaultId: string,
): ThrottleRuleConfig | null {
  const before = c.issues.length;
  const obj = c.object(raw, path, THROTTLE_FIELDS);
  if (!obj) return null;
  const id = obj.id === undefined ? defaultId : c.string(obj.id, [...path, 'id']);
  let ops: Op[] | null = null;
  const opsKey = obj.ops !== undefined ? 'ops' : obj.op !== undefined ? 'op' : null;
  if (opsKey) ops = c.ops(obj[opsKey], [...path, opsKey]);
  if (obj.direction !== undefined) {
    const dir = obj.direction;
    if (opsKey) c.error([...path, 'direction'], `give either direction or ${opsKey}, not both`);
    else if (dir === 'read') ops = ['read'];
    else if (dir === 'write') ops = ['write'];
    else if (dir === 'both') ops = ['read', 'write'];
    else c.error([...path, 'direction'], `expected read, write or both, got ${describe(dir)}`);
  } else if (!opsKey) {
    c.error(path, 'needs direction (read, write, both) or ops');
  }
  const glob = obj.path === undefined ? null : c.glob(obj.path, [...path, 'path']);

  let bytesPerSec: number | null = null;
  if (obj.bytes !== undefined) {
    const rate =
      typeof obj.bytes === 'string' || typeof obj.bytes === 'number' ? parseByteRate(obj.bytes) : null;
    if (rate === null || rate <= 0) {
      c.error(
        [...path, 'bytes'],
        `expected a byte rate > 0 like 10MiB/s (units B, KiB, MiB, GiB, KB, MB, GB), got ${describe(obj.bytes)}`,
      );
    } else bytesPerSec = rate;
  }
  let opsPerSec: number | null = null;
  if (obj.iops !== undefined) {
    const rate =
      typeof obj.iops === 'string' || typeof obj.iops === 'number' ? parseCountRate(obj.iops) : null;
    if (rate === null || rate <= 0)
      c.error([...path, 'iops'], `expected a rate > 0 in ops per second, got ${describe(obj.iops)}`);
    else opsPerSec = rate;
  }
  if (obj.bytes === undefined && obj.iops === undefined)
    c.error(path, 'needs bytes (a byte rate) or iops (or both)');

  let burstBytes = bytesPerSec === null ? 0 : defaultBurstBytes(bytesPerSec);
  if (obj.burst !== undefined) {
    const size = typeof obj.burst === 'string' || typeof obj.burst === 'number' ? parseSize(obj.burst) : null;
    if (size === null) c.error([...path, 'burst'], `expected a size like 1MiB, got ${describe(obj.burst)}`);
    else if (bytesPerSec === null)
      c.error([...path, 'burst'], 'burst is the byte bucket size: it needs bytes');
    else burstBytes = size;
  }
  let burstOps = opsPerSec === null ? 0 : defaultBurstOps(opsPerSec);
  if (obj.iopsBurst !== undefined) {
    const n = c.nonNegativeInt(obj.iopsBurst, [...path, 'iopsBurst']);
    if (n !== null && opsPerSec === null) c.error([...path, 'iopsBurst'], 'iopsBurst needs iops');
    else if (n !== null) burstOps = n;
  }
  if (c.issues.length > before || id === null || ops === null) return null;
  return { id, ops, path: glob, bytesPerSec, burstBytes, opsPerSec, burstOps };
}

function checkFaultRule(
  c: Checker,
  raw: unknown,
  path: PathSegment[],
  defaultId: string,
): FaultRuleConfig | null {
  const before = c.issues.length;
  const obj = c.object(raw, path, FAULT_FIELDS);
  if (!obj) return null;
  const at = (key: string): PathSegment[] => [...path, key];
  const id = obj.id === undefined ? defaultId : c.string(obj.id, at('id'));
  if (obj.op !== undefined && obj.ops !== undefined) c.error(at('ops'), 'give either op or ops, not both');
  const opsKey = obj.ops !== undefined ? 'ops' : 'op';
  let ops = obj[opsKey] === undefined ? null : c.ops(obj[opsKey], at(opsKey));
  const glob = obj.path === undefined ? null : c.glob(obj.path, at('path'));
  const p = obj.p === undefined ? 1 : c.probability(obj.p, at('p'));
  const first = obj.first === undefined ? null : c.positiveInt(obj.first, at('first'));
  const every = obj.every === undefined ? null : c.positiveInt(obj.every, at('every'));
  const max = obj.max === undefined ? null : c.positiveInt(obj.max, at('max'));
  // Bare numbers in the window are seconds, as "after 30" reads naturally.
  const afterNs = obj.after === undefined ? null : c.duration(obj.after, at('after'), 1e9);
  const beforeNs = obj.before === undefined ? null : c.duration(obj.before, at('before'), 1e9);
  if (afterNs !== null && beforeNs !== null && beforeNs <= afterNs) {
    c.error(at('before'), 'must be later than after (the window would be empty)');
  }
  const uids = obj.uid === undefined ? null : c.intList(obj.uid, at('uid'));
  const pids = obj.pid === undefined ? null : c.intList(obj.pid, at('pid'));

  let errno: ErrnoAction | null = null;
  if (obj.errno !== undefined) {
    if (typeof obj.errno !== 'string' && typeof obj.errno !== 'number') {
      c.error(at('errno'), `expected an errno name like EIO or a number, got ${describe(obj.errno)}`);
    } else {
      const found = lookupErrno(obj.errno);
      if (found.ok) errno = { errno: found.errno, name: found.name };
      else c.error(at('errno'), found.message);
    }
  }
  const truncate = obj.truncate === undefined ? null : checkTruncate(c, obj.truncate, at('truncate'));
  const delay = obj.delay === undefined ? null : checkDelay(c, obj.delay, obj.when, path);
  if (obj.when !== undefined && obj.delay === undefined)
    c.error(at('when'), 'when applies to delay, which is missing');
  const corrupt = obj.corrupt === undefined ? null : checkCorrupt(c, obj.corrupt, at('corrupt'));
  const signal = obj.signal === undefined ? null : checkSignal(c, obj.signal, at('signal'));

  const actions = ['errno', 'truncate', 'corrupt', 'signal', 'delay'];
  if (actions.every((key) => obj[key] === undefined)) {
    c.error(path, 'needs an action: errno, truncate, corrupt, signal or delay');
  }
  for (const key of ['truncate', 'corrupt']) {
    if (obj.errno !== undefined && obj[key] !== undefined)
      c.error(at(key), `cannot combine errno and ${key} (an op that fails moves no bytes)`);
  }
  if (obj.corrupt !== undefined) {
    if (ops === null) ops = [...DEFAULT_CORRUPT_OPS];
    const bad = ops.filter((op) => !CORRUPTIBLE_OPS.includes(op));
    if (bad.length) c.error(at(opsKey), `corrupt applies to read and write only, not ${bad.join(', ')}`);
  }
  if (obj.truncate !== undefined) {
    if (ops === null) ops = [...DATA_TRUNCATABLE_OPS];
    const bad = ops.filter((op) => !DATA_TRUNCATABLE_OPS.includes(op));
    if (bad.length) c.error(at(opsKey), `truncate applies to read and write only, not ${bad.join(', ')}`);
  }
  if (c.issues.length > before || id === null || p === null) return null;
  return {
    id,
    ops,
    path: glob,
    p,
    first,
    every,
    max,
    afterNs,
    beforeNs,
    uids,
    pids,
    errno,
    truncate,
    delay,
    corrupt,
    signal,
  };
}

/** `corrupt: 3` (flip 3 bytes) or `corrupt: { bytes: 3, mode: flip | zero | random }`. */
function checkCorrupt(c: Checker, value: unknown, path: PathSegment[]): CorruptAction | null {
  const countOf = (v: unknown, at: PathSegment[]): number | null => {
    const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_CORRUPT_BYTES) return n;
    c.error(at, `expected a byte count from 1 to ${MAX_CORRUPT_BYTES}, got ${describe(v)}`);
    return null;
  };
  if (typeof value !== 'object' || value === null) {
    const bytes = countOf(value, path);
    return bytes === null ? null : { bytes, mode: 'flip' };
  }
  const obj = c.object(value, path, ['bytes', 'mode']);
  if (!obj) return null;
  if (obj.bytes === undefined) {
    c.error(path, 'needs bytes (how many bytes to corrupt per op)');
    return null;
  }
  const bytes = countOf(obj.bytes, [...path, 'bytes']);
  let mode: CorruptMode = 'flip';
  if (obj.mode !== undefined) {
    const m = typeof obj.mode === 'string' ? obj.mode.trim().toLowerCase() : obj.mode;
    if ((CORRUPT_MODES as readonly unknown[]).includes(m)) mode = m as CorruptMode;
    else {
      const hint = typeof m === 'string' ? suggest(m, CORRUPT_MODES) : null;
      c.error(
        [...path, 'mode'],
        `expected ${CORRUPT_MODES.join(', ')}, got ${describe(obj.mode)}${hint ? ` (did you mean ${hint}?)` : ''}`,
      );
      return null;
    }
  }
  return bytes === null ? null : { bytes, mode };
}

function checkSignal(c: Checker, value: unknown, path: PathSegment[]): SignalAction | null {
  if (typeof value !== 'string' && typeof value !== 'number') {
    c.error(path, `expected a signal name like SIGKILL or a number, got ${describe(value)}`);
    return null;
  }
  const found = lookupSignal(value);
  if (found.ok) return { signal: found.signal, name: found.name };
  c.error(path, found.message);
  return null;
}

function checkTruncate(c: Checker, value: unknown, path: PathSegment[]): TruncateAction | null {
  const fromScalar = (v: unknown, at: PathSegment[]): TruncateAction | null => {
    if (typeof v === 'string' && /%\s*$/.test(v)) {
      const pct = Number(v.replace('%', '').trim());
      if (Number.isFinite(pct) && pct >= 0 && pct < 100) return { to: null, fraction: pct / 100 };
      c.error(at, `expected a percentage below 100%, got ${describe(v)}`);
      return null;
    }
    const size = typeof v === 'string' || typeof v === 'number' ? parseSize(v) : null;
    if (size !== null) return { to: size, fraction: null };
    c.error(at, `expected a byte count like 512 or 4KiB, or a percentage like 50%, got ${describe(v)}`);
    return null;
  };
  if (typeof value !== 'object' || value === null) return fromScalar(value, path);
  const obj = c.object(value, path, ['to', 'fraction']);
  if (!obj) return null;
  if ((obj.to === undefined) === (obj.fraction === undefined)) {
    c.error(path, 'give exactly one of to (bytes) or fraction (0..1)');
    return null;
  }
  if (obj.to !== undefined) return fromScalar(obj.to, [...path, 'to']);
  const f = obj.fraction;
  if (typeof f === 'number' && f >= 0 && f < 1) return { to: null, fraction: f };
  c.error([...path, 'fraction'], `expected a fraction in [0, 1), got ${describe(f)}`);
  return null;
}

function checkDelay(c: Checker, value: unknown, when: unknown, rulePath: PathSegment[]): DelayAction | null {
  const path = [...rulePath, 'delay'];
  let whenValue: 'before' | 'after' = 'before';
  if (when !== undefined) {
    if (when === 'before' || when === 'after') whenValue = when;
    else c.error([...rulePath, 'when'], `expected before or after, got ${describe(when)}`);
  }
  let distribution: DelayDistribution | null = null;
  if (typeof value === 'string' || typeof value === 'number') {
    const ns = c.duration(value, path);
    if (ns !== null) distribution = { kind: 'fixed', ns };
  } else {
    const obj = c.object(value, path, DELAY_FIELDS);
    if (!obj) return null;
    const keys = Object.keys(obj).filter((k) => DELAY_FIELDS.includes(k));
    if (keys.length !== 1) {
      c.error(path, `give exactly one distribution: ${DELAY_FIELDS.join(', ')}`);
      return null;
    }
    const kind = keys[0]!;
    distribution = checkDistribution(c, kind, obj[kind], [...path, kind]);
  }
  return distribution ? { distribution, when: whenValue } : null;
}

/** Two-parameter distributions accept a list [a, b], a "a:b" string or a named mapping. */
function checkDistribution(
  c: Checker,
  kind: string,
  value: unknown,
  path: PathSegment[],
): DelayDistribution | null {
  if (kind === 'fixed') {
    const ns = c.duration(value, path);
    return ns === null ? null : { kind: 'fixed', ns };
  }
  const names: Record<string, [string, string]> = {
    uniform: ['min', 'max'],
    lognormal: ['median', 'sigma'],
    normal: ['mean', 'stddev'],
  };
  const [n1, n2] = names[kind]!;
  let a: unknown;
  let b: unknown;
  let pathA: PathSegment[] = path;
  let pathB: PathSegment[] = path;
  if (typeof value === 'string' && value.includes(':')) {
    [a, b] = value.split(':', 2).map((s) => s.trim());
  } else if (Array.isArray(value) && value.length === 2) {
    [a, b] = value;
    pathA = [...path, 0];
    pathB = [...path, 1];
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = c.object(value, path, [n1, n2]);
    if (!obj) return null;
    a = obj[n1];
    b = obj[n2];
    pathA = [...path, n1];
    pathB = [...path, n2];
    if (a === undefined || b === undefined) {
      c.error(path, `needs both ${n1} and ${n2}`);
      return null;
    }
  } else {
    c.error(
      path,
      `expected ${n1} and ${n2} as "${n1}:${n2}", [${n1}, ${n2}] or {${n1}: ..., ${n2}: ...}, got ${describe(value)}`,
    );
    return null;
  }
  const first = c.duration(a as string, pathA);
  if (kind === 'lognormal') {
    const sigma = typeof b === 'number' ? b : typeof b === 'string' ? Number(b) : NaN;
    if (!(sigma >= 0 && Number.isFinite(sigma))) {
      c.error(
        pathB,
        `expected sigma >= 0 (a plain number, the log-space standard deviation), got ${describe(b)}`,
      );
      return null;
    }
    return first === null ? null : { kind: 'lognormal', medianNs: first, sigma };
  }
  const second = c.duration(b as string, pathB);
  if (first === null || second === null) return null;
  if (kind === 'uniform') {
    if (second < first) {
      c.error(pathB, 'max must not be below min');
      return null;
    }
    return { kind: 'uniform', minNs: first, maxNs: second };
  }
  return { kind: 'normal', meanNs: first, stddevNs: second };
}
