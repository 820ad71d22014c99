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
} from './config.js';
export { loadOverlayConfig, parseOverlayConfig } from './config-file.js';
export {
  overlayConfigFromFlags,
  mergeOverlayConfigs,
  resolveOverlayConfig,
  overlayFlagsFromParsedArgs,
  OVERLAY_PARSE_ARGS_OPTIONS,
  OVERLAY_FLAGS_HELP,
  type OverlayFlags,
} from './flags.js';
export { overlayFromFlags, type OverlaySetup } from './setup.js';
export { validateFaultRule, validateThrottleRule, type Locate } from './validate.js';
export { FileFaultLog, MemoryFaultLog, type FaultLog, type FaultRecord } from './fault-log.js';
export { FakeClock, systemWallClock, type Clock } from './clock.js';
export { TokenBucket } from './token-bucket.js';
export type { FaultKind } from '../trace/schema.js';
