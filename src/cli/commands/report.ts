/** `interposer report`: a self-contained HTML report of one or more traces. */
import { formatBytes } from '../../analyze/units.js';
import { collectTrace, traceReportHtml, writeReportFile } from '../../report/index.js';
import { UsageError } from '../errors.js';
import { cliCommand, defineCommand } from '../args/index.js';

const spec = defineCommand({
  name: 'report',
  summary: 'write a self-contained HTML report (charts, findings) of one or more traces',
  synopsis: '<trace.parquet>... -o report.html [--top N]',
  description:
    'Writes one HTML file that opens in any browser without network access: summary and findings,\n' +
    'latency histograms per op (p50/p90/p99/p99.9), throughput and IOPS over time with overlay and\n' +
    'fault events, a latency heatmap, top files and directories with their access pattern, and\n' +
    'processes. Several traces (nodes or pods of one run) share one time axis, aligned on their\n' +
    "recording start, followed by each trace's own sections. Only aggregates are embedded: the file\n" +
    'stays small (a few hundred KB) whatever the trace length.',
  positionals: [
    {
      name: 'trace.parquet',
      help: 'the trace(s) to report on',
      variadic: true,
      path: { pathKind: 'file', role: 'input', noun: 'trace file' },
    },
  ],
  options: {
    out: {
      kind: 'path',
      short: 'o',
      pathKind: 'file',
      role: 'output',
      metavar: 'FILE',
      help: 'where to write the report (required)',
    },
    top: { kind: 'number', integer: true, min: 1, default: 20, help: 'length of the top lists' },
  },
});

export const summary = spec.summary;

export const command = cliCommand(spec, async ({ options, positionals }) => {
  if (options.out === undefined) throw new UsageError('-o/--out FILE is required');
  const traces = [];
  for (const path of positionals) traces.push(await collectTrace(path, { top: options.top }));
  const bytes = await writeReportFile(options.out, traceReportHtml(traces));
  console.log(`${options.out} (${formatBytes(bytes)})`);
  return 0;
});

export const run = command.run;
