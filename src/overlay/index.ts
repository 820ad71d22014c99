/** Public API of the overlay (I/O shaping) engine. */
export {
  Overlay,
  NO_EFFECT,
  type OpContext,
  type Verdict,
  type OverlayDeps,
  type RuleStatus,
} from './overlay.js';
export {
  emptyOverlayConfig,
  type OverlayConfig,
  type FaultRuleConfig,
  type ThrottleRuleConfig,
  type RuleConfig,
  type DelayDistribution,
  type DelayAction,
  type TruncateAction,
  type ErrnoAction,
  type CorruptAction,
  type CorruptMode,
  type SignalAction,
  CORRUPT_MODES,
  MAX_CORRUPT_BYTES,
} from './config.js';
export { CORRUPT_SET_ZERO, applyCorruption, sampleCorruption, type CorruptByte } from './corrupt.js';
export { lookupSignal, signalName } from './signals.js';
export { loadOverlayConfig, parseOverlayConfig } from './config-file.js';
export {
  overlayConfigFromFlags,
  mergeOverlayConfigs,
  resolveOverlayConfig,
  type OverlayFlags,
} from './flags.js';
export { overlayFromFlags, type OverlaySetup } from './setup.js';
export { validateFaultRule, validateThrottleRule, type Locate } from './validate.js';
export {
  FileFaultLog,
  MemoryFaultLog,
  type FaultLog,
  type FaultRecord,
  type CorruptedByteRecord,
} from './fault-log.js';
export { FakeClock, systemWallClock, type Clock } from './clock.js';
export { TokenBucket } from './token-bucket.js';
export type { FaultKind } from '../trace/schema.js';
