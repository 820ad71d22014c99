/**
 * `interposer faults <fault-log.jsonl> [--trace trace.parquet] [--json]`: which injected faults
 * the application saw in a run, by rule, kind, errno, op, path and process.
 */
import {
  TRACE_JOIN_COLUMNS,
  joinTrace,
  readFaultLog,
  renderFaultReport,
  summarizeFaultLog,
} from '../../overlay/fault-report.js';
import { cliCommand, defineCommand } from '../args/index.js';

const spec = defineCommand({
  name: 'faults',
  summary: 'report the faults an overlay injected in a run (from its fault log, joined with the trace)',
  description:
    'Summarizes an overlay fault log (written by mount/replay with --fault-log): counts by rule,\n' +
    'kind, errno, op and path, first and last time, bytes corrupted, signals sent, and the processes\n' +
    "that were hit. With --trace, joins the run's trace (fault_kind/fault_errno columns, pid, comm) to\n" +
    'show which processes got which injected errors and signals.',
  positionals: [
    {
      name: 'fault-log.jsonl',
      help: 'the fault log of a run',
      path: { pathKind: 'file', role: 'input', noun: 'fault log' },
    },
  ],
  options: {
    trace: {
      kind: 'path',
      pathKind: 'file',
      role: 'input',
      noun: 'trace file',
      metavar: 'FILE',
      help: "the run's trace (Parquet) to join with",
    },
    json: { kind: 'flag', help: 'print the report as JSON' },
    top: { kind: 'number', integer: true, min: 1, default: 10, help: 'how many paths to list' },
  },
});

export const summary = spec.summary;

export const command = cliCommand(spec, async ({ options, positionals }) => {
  const logPath = positionals[0]!;
  let report = summarizeFaultLog(logPath, await readFaultLog(logPath), options.top);
  if (options.trace !== undefined) {
    const { openTrace } = await import('../../trace/reader.js');
    const trace = await openTrace(options.trace);
    report = await joinTrace(report, options.trace, trace.batches({ columns: TRACE_JOIN_COLUMNS }));
  }
  console.log(options.json ? JSON.stringify(report, null, 2) : renderFaultReport(report));
  return 0;
});

export const run = command.run;
