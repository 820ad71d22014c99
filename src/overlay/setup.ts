/**
 * One call for `mount` and `replay`: flags (and --overlay FILE) -> a ready Overlay with its fault
 * log open. An overlay without rules has no interested ops, so it costs nothing per op.
 */
import { UserError } from '../errors.js';
import type { Clock } from './clock.js';
import { FileFaultLog, type FaultLog } from './fault-log.js';
import { resolveOverlayConfig, type OverlayFlags } from './flags.js';
import { Overlay } from './overlay.js';

export interface OverlaySetup {
  overlay: Overlay;
  faultLog: FaultLog | null;
  /** Flushes and closes the fault log; call when the mount or replay ends. */
  close(): Promise<void>;
}

export async function overlayFromFlags(
  flags: OverlayFlags,
  deps: { clock?: Clock } = {},
): Promise<OverlaySetup> {
  const config = await resolveOverlayConfig(flags);
  let faultLog: FaultLog | null = null;
  if (flags.faultLog) {
    try {
      faultLog = await FileFaultLog.open(flags.faultLog);
    } catch (err) {
      throw new UserError(`--fault-log ${flags.faultLog}: cannot open (${(err as Error).message})`);
    }
  }
  const overlay = Overlay.fromConfig(config, { clock: deps.clock, faultLog: faultLog ?? undefined });
  return { overlay, faultLog, close: async () => void (await faultLog?.close()) };
}
