/**
 * `interposer faults <fault-log.jsonl> [--trace trace.parquet] [--json]`: which injected faults
 * the application saw in a run, by rule, kind, errno, op, path and process.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import {
  TRACE_JOIN_COLUMNS,
  joinTrace,
  readFaultLog,
  renderFaultReport,
  summarizeFaultLog,
} from '../../overlay/fault-report.js';

export const summary =
  'report the faults an overlay injected in a run (from its fault log, joined with the trace)';

const HELP = `usage: interposer faults <fault-log.jsonl> [--trace trace.parquet] [--json] [--top N] [--html FILE]

Summarizes an overlay fault log (written by mount/replay with --fault-log): counts by rule,
kind, errno, op and path, first and last time, bytes corrupted, signals sent, and the processes
that were hit. With --trace, joins the run's trace (fault_kind/fault_errno columns, pid, comm) to
show which processes got which injected errors and signals.

Options:
  --trace FILE   the run's trace (Parquet) to join with
  --json         print the report as JSON
  --top N        how many paths to list (default 10)
  --html FILE    also write a self-contained HTML report: faults per rule on the timeline,
                 per rule and per process (with --trace: the run's throughput, faults marked)
  -h, --help     show this help`;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        trace: { type: 'string' },
        json: { type: 'boolean', default: false },
        top: { type: 'string' },
        html: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError(`faults: ${(err as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`faults: expected one fault log file\n\n${HELP}`);
  const top = values.top === undefined ? 10 : Number(values.top);
  if (!Number.isInteger(top) || top <= 0)
    throw new UsageError(`faults: --top expects a positive integer, got "${values.top}"`);

  const logPath = positionals[0]!;
  const contents = await readFaultLog(logPath);
  let report = summarizeFaultLog(logPath, contents, top);
  if (values.trace) {
    const { openTrace } = await import('../../trace/reader.js');
    const trace = await openTrace(values.trace);
    report = await joinTrace(report, values.trace, trace.batches({ columns: TRACE_JOIN_COLUMNS }));
  }
  console.log(values.json ? JSON.stringify(report, null, 2) : renderFaultReport(report));
  if (values.html !== undefined) {
    const { collectTrace, faultsReportHtml, writeReportFile } = await import('../../report/index.js');
    const trace = values.trace ? await collectTrace(values.trace) : null;
    await writeReportFile(values.html, faultsReportHtml(report, contents, trace));
    process.stderr.write(`interposer faults: wrote ${values.html}\n`);
  }
  return 0;
}
