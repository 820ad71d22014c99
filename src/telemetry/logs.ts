/** Injected faults as OpenTelemetry log records (one per fault, WARN severity). */
import type { HrTime } from '@opentelemetry/api';
import { SeverityNumber, type LogAttributes, type Logger } from '@opentelemetry/api-logs';
import { errnoName } from './errno.js';
import type { FaultLogRecord } from './types.js';

export const FAULT_EVENT_NAME = 'interposer.fault';

function hrTimeOfNs(ns: bigint): HrTime {
  return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
}

/** What the rule did, in a few words: "errno EIO", "delay 5000000ns before", "truncate to 512". */
export function faultAction(record: FaultLogRecord): string {
  switch (record.kind) {
    case 'errno':
      return `errno ${record.errnoName ?? (record.errno !== undefined ? errnoName(record.errno) : '?')}`;
    case 'delay':
      return `delay ${record.delayNs ?? '?'}ns${record.when ? ` ${record.when}` : ''}`;
    case 'truncate':
      return `truncate to ${record.truncateTo ?? '?'}`;
    case 'throttle':
      return `throttle wait ${record.throttleWaitNs ?? '?'}ns`;
    default:
      return record.kind;
  }
}

export function emitFaultLog(logger: Logger, record: FaultLogRecord): void {
  const action = faultAction(record);
  const attributes: LogAttributes = {
    'fs.op': record.op,
    'fs.path': record.path,
    'process.pid': record.pid,
    'fs.uid': record.uid,
    'fs.gid': record.gid,
    'fault.rule_id': record.rule,
    'fault.kind': record.kind,
    'fault.action': action,
    'interposer.t_ns': Number(record.tNs),
  };
  const optional: Array<[string, string | number | undefined]> = [
    ['fs.path2', record.path2],
    ['fs.size', record.size],
    ['fault.errno', record.errno],
    ['fault.errno_name', record.errnoName],
    ['fault.truncated_to', record.truncateTo],
    ['fault.delay_ns', record.delayNs],
    ['fault.when', record.when],
    ['throttle.wait_ns', record.throttleWaitNs],
  ];
  for (const [key, value] of optional) if (value !== undefined) attributes[key] = value;
  let timeNs: bigint;
  try {
    timeNs = BigInt(record.timeNs);
  } catch {
    timeNs = BigInt(Date.parse(record.time)) * 1_000_000n;
  }
  logger.emit({
    eventName: FAULT_EVENT_NAME,
    timestamp: hrTimeOfNs(timeNs),
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    body: `fault ${action} on ${record.op} ${record.path} (rule ${record.rule}, pid ${record.pid})`,
    attributes,
  });
}
