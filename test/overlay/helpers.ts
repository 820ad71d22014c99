import type { Op } from '../../src/trace/schema.js';
import type { OpContext } from '../../src/overlay/index.js';
import {
  emptyOverlayConfig,
  type FaultRuleConfig,
  type OverlayConfig,
  type ThrottleRuleConfig,
} from '../../src/overlay/config.js';

export function ctx(op: Op, path: string, extra: Partial<OpContext> = {}): OpContext {
  return { op, path, path2: null, size: 0, offset: -1n, pid: 100, uid: 1000, gid: 1000, nowNs: 0n, ...extra };
}

export function faultRule(id: string, rule: Partial<FaultRuleConfig>): FaultRuleConfig {
  return {
    id,
    ops: null,
    path: null,
    p: 1,
    first: null,
    every: null,
    max: null,
    afterNs: null,
    beforeNs: null,
    uids: null,
    pids: null,
    errno: null,
    truncate: null,
    delay: null,
    ...rule,
  };
}

export function throttleRule(id: string, rule: Partial<ThrottleRuleConfig>): ThrottleRuleConfig {
  return {
    id,
    ops: ['read'],
    path: null,
    bytesPerSec: null,
    burstBytes: 0,
    opsPerSec: null,
    burstOps: 0,
    ...rule,
  };
}

export function configOf(parts: Partial<OverlayConfig>): OverlayConfig {
  return { ...emptyOverlayConfig(), ...parts };
}

export const EIO = { errno: 5, name: 'EIO' };
export const ENOSPC = { errno: 28, name: 'ENOSPC' };
