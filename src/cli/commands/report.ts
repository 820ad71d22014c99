/** `interposer report`: a self-contained HTML report of one or more traces. */
import { parseArgs } from 'node:util';
import { formatBytes } from '../../analyze/units.js';
import { collectTrace, traceReportHtml, writeReportFile } from '../../report/index.js';
import { UsageError } from '../errors.js';

export const summary = 'write a self-contained HTML report (charts, findings) of one or more traces';

const HELP = `usage: interposer report <trace.parquet>... -o report.html [--top N]

Writes one HTML file that opens in any browser without network access: summary and findings,
latency histograms per op (p50/p90/p99/p99.9), throughput and IOPS over time with overlay and
fault events, a latency heatmap, top files and directories with their access pattern, and
processes. Several traces (nodes or pods of one run) share one time axis, aligned on their
recording start, followed by each trace's own sections. Only aggregates are embedded: the file
stays small (a few hundred KB) whatever the trace length.

options:
  -o, --out FILE   where to write the report (required)
  --top N          length of the top lists (default 20)
  -h, --help       this help`;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        top: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(`report: ${(err as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`report: expected at least one trace file\n\n${HELP}`);
  if (!values.out) throw new UsageError('report: -o/--out FILE is required');
  const top = values.top === undefined ? 20 : Number(values.top);
  if (!Number.isInteger(top) || top <= 0)
    throw new UsageError(`report: --top expects a positive integer, got "${values.top}"`);
  const traces = [];
  for (const path of positionals) traces.push(await collectTrace(path, { top }));
  const bytes = await writeReportFile(values.out, traceReportHtml(traces));
  console.log(`${values.out} (${formatBytes(bytes)})`);
  return 0;
}
