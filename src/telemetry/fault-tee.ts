import type { FaultLog } from '../overlay/fault-log.js';
import type { Telemetry } from './types.js';

/**
 * A FaultLog that also hands every record to telemetry: the mount/replay commands wrap the
 * overlay's fault log with it instead of calling onFault themselves.
 */
export function teeFaultLog(log: FaultLog, telemetry: Pick<Telemetry, 'onFault'> | null): FaultLog {
  if (!telemetry) return log;
  return {
    record(rec) {
      log.record(rec);
      telemetry.onFault(rec);
    },
    flush: () => log.flush(),
    close: () => log.close(),
  };
}
