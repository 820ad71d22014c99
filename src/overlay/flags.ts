/**
 * CLI shorthands for the overlay, shared by `mount` and `replay`:
 *   --overlay overlay.yaml
 *   --throttle-read 10MiB/s[,burst=1MiB][,path=GLOB]     --throttle-write 5MiB/s
 *   --throttle-iops 1000[,burst=N][,path=GLOB]            --throttle-read-iops / --throttle-write-iops
 *   --fault 'op=write,path=**\/*.db,errno=EIO,p=0.01'     --fault 'op=read,truncate=512,first=3'
 *   --fault 'op=read,path=**\/*.bin,corrupt=3,corrupt-mode=random,first=1'
 *   --fault 'op=fsync,signal=SIGKILL,first=1'
 *   --delay 'op=fsync,lognormal=5ms:1.0,p=0.5'            --overlay-seed 42
 *   --fault-log faults.jsonl
 * Each flag becomes the same raw rule a config file would hold and goes through the same
 * validator, so flags and files accept exactly the same values.
 */
import { UsageError, UserError } from '../errors.js';
import { emptyOverlayConfig, type OverlayConfig, type ThrottleRuleConfig } from './config.js';
import { loadOverlayConfig } from './config-file.js';
import { validateFaultRule, validateThrottleRule } from './validate.js';

export interface OverlayFlags {
  overlay?: string;
  throttleRead?: string;
  throttleWrite?: string;
  throttleIops?: string;
  throttleReadIops?: string;
  throttleWriteIops?: string;
  fault?: string[];
  delay?: string[];
  seed?: string;
  /** Where to append the fault log (JSON lines); none when absent. */
  faultLog?: string;
}

/** The overlay config from --overlay FILE (if given) merged with the shorthand flags. */
export async function resolveOverlayConfig(flags: OverlayFlags): Promise<OverlayConfig> {
  const fromFile = flags.overlay ? await loadOverlayConfig(flags.overlay) : emptyOverlayConfig();
  const fromFlags = overlayConfigFromFlags(flags);
  return mergeOverlayConfigs(fromFile, fromFlags, flags.seed === undefined ? undefined : fromFlags.seed);
}

/** Splits "a=1,b={x,y},c=2" on commas outside braces (globs may contain {a,b}). */
export function splitSpec(spec: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of spec) {
    if (ch === '{') depth++;
    else if (ch === '}') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function parsePairs(flag: string, spec: string, firstBare?: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const [i, part] of splitSpec(spec).entries()) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (i === 0 && firstBare) {
        pairs.set(firstBare, part);
        continue;
      }
      throw new UsageError(`${flag} '${spec}': expected key=value, got "${part}"`);
    }
    const key = part.slice(0, eq).trim();
    if (pairs.has(key)) throw new UsageError(`${flag} '${spec}': ${key} given twice`);
    pairs.set(key, part.slice(eq + 1).trim());
  }
  return pairs;
}

const DISTRIBUTIONS = ['fixed', 'uniform', 'lognormal', 'normal'];
const LIST_KEYS = ['uid', 'pid'];

/** One --fault/--delay spec as the raw rule object a config file would hold. */
function rawFaultRule(flag: string, spec: string): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  let corruptMode: string | undefined;
  for (const [key, value] of parsePairs(flag, spec)) {
    if (key === 'corrupt-mode') {
      corruptMode = value;
    } else if (DISTRIBUTIONS.includes(key)) {
      if (raw.delay !== undefined) throw new UsageError(`${flag} '${spec}': give one delay distribution`);
      raw.delay = { [key]: value };
    } else if (LIST_KEYS.includes(key)) {
      raw[key] = value.split('|');
    } else {
      raw[key] = value;
    }
  }
  if (corruptMode !== undefined) {
    if (raw.corrupt === undefined)
      throw new UsageError(`${flag} '${spec}': corrupt-mode needs corrupt=N (how many bytes to corrupt)`);
    raw.corrupt = { bytes: raw.corrupt, mode: corruptMode };
  }
  return raw;
}

function rawThrottleRule(
  flag: string,
  spec: string,
  rateKey: 'bytes' | 'iops',
  direction: string,
): Record<string, unknown> {
  const raw: Record<string, unknown> = { direction };
  for (const [key, value] of parsePairs(flag, spec, rateKey)) {
    if (key === 'burst') raw[rateKey === 'bytes' ? 'burst' : 'iopsBurst'] = value;
    else if (key === 'path' || key === rateKey) raw[key] = value;
    else throw new UsageError(`${flag} '${spec}': unknown key "${key}" (expected burst or path)`);
  }
  return raw;
}

/** Builds the overlay config the shorthand flags describe (no file). */
export function overlayConfigFromFlags(flags: OverlayFlags): OverlayConfig {
  const config = emptyOverlayConfig();
  if (flags.seed !== undefined) {
    if (!/^\d+$/.test(flags.seed))
      throw new UsageError(`--overlay-seed: expected a non-negative integer, got "${flags.seed}"`);
    config.seed = Number(flags.seed);
  }
  const throttles: [string, string | undefined, 'bytes' | 'iops', string][] = [
    ['--throttle-read', flags.throttleRead, 'bytes', 'read'],
    ['--throttle-write', flags.throttleWrite, 'bytes', 'write'],
    ['--throttle-iops', flags.throttleIops, 'iops', 'both'],
    ['--throttle-read-iops', flags.throttleReadIops, 'iops', 'read'],
    ['--throttle-write-iops', flags.throttleWriteIops, 'iops', 'write'],
  ];
  for (const [flag, spec, rateKey, direction] of throttles) {
    if (spec === undefined) continue;
    const where = `${flag} '${spec}'`;
    const rule: ThrottleRuleConfig = validateThrottleRule(
      rawThrottleRule(flag, spec, rateKey, direction),
      () => where,
      `cli${flag.slice(1)}`,
    );
    config.throttle.push(rule);
  }
  for (const [flag, specs] of [
    ['--fault', flags.fault ?? []],
    ['--delay', flags.delay ?? []],
  ] as const) {
    for (const [i, spec] of specs.entries()) {
      const where = `${flag} '${spec}'`;
      const raw = rawFaultRule(flag, spec);
      if (flag === '--delay' && raw.delay === undefined) {
        throw new UsageError(
          `${where}: needs a delay: delay=5ms, fixed=5ms, uniform=1ms:10ms, lognormal=5ms:1.0 or normal=10ms:2ms`,
        );
      }
      config.faults.push(validateFaultRule(raw, () => where, `cli-${flag.slice(2)}-${i + 1}`));
    }
  }
  return config;
}

/**
 * File rules first, then flag rules (so a file's errno rule outranks a flag's on the same op);
 * `seedOverride` (the command line's --overlay-seed) replaces the file's seed.
 */
export function mergeOverlayConfigs(
  fromFile: OverlayConfig,
  fromFlags: OverlayConfig,
  seedOverride?: number,
): OverlayConfig {
  const merged: OverlayConfig = {
    seed: seedOverride ?? fromFile.seed,
    throttle: [...fromFile.throttle, ...fromFlags.throttle],
    faults: [...fromFile.faults, ...fromFlags.faults],
    log: { ...fromFile.log },
  };
  const seen = new Set<string>();
  for (const rule of [...merged.throttle, ...merged.faults]) {
    if (seen.has(rule.id))
      throw new UserError(`overlay: rule id "${rule.id}" is used twice (file and flags)`);
    seen.add(rule.id);
  }
  return merged;
}
