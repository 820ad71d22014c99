/** `interposer export`: a trace as Perfetto/Chrome trace-event JSON or as CSV. */
import { resolve } from 'node:path';
import { parseColumnList } from '../../export/csv.js';
import { EXPORT_FORMATS, exportTrace, type ExportOptions } from '../../export/export.js';
import type { ExportFilter } from '../../export/filter.js';
import { OPS } from '../../trace/schema.js';
import { UsageError } from '../errors.js';
import { cliCommand, defineCommand } from '../args/index.js';

const spec = defineCommand({
  name: 'export',
  summary: 'convert a trace to Perfetto/Chrome JSON (ui.perfetto.dev) or CSV',
  synopsis: '--format perfetto|csv <trace.parquet> [-o OUT] [options]',
  description:
    'Writes the trace as\n' +
    '  perfetto  Chrome trace-event JSON for ui.perfetto.dev or chrome://tracing: a track per\n' +
    '            process and thread, a slice per operation, instants for injected faults and markers\n' +
    '  csv       RFC 4180 CSV, one row per operation, header = trace column names',
  positionals: [
    {
      name: 'trace.parquet',
      help: 'the trace to export',
      path: { pathKind: 'file', role: 'input', noun: 'trace file' },
    },
  ],
  options: {
    format: { kind: 'enum', short: 'f', choices: EXPORT_FORMATS, help: 'output format (required)' },
    output: {
      kind: 'path',
      short: 'o',
      pathKind: 'file',
      role: 'output',
      specials: ['-'],
      metavar: 'FILE',
      help: 'output file (default: stdout; "-" = stdout)',
    },
    columns: {
      kind: 'custom',
      parse: parseColumnList,
      metavar: 'a,b,c',
      help: 'csv: only these columns, in this order',
    },
    clock: {
      kind: 'enum',
      choices: ['relative', 'wall'],
      help:
        'perfetto: timestamps from capture start (default, ns-exact) or Unix\n' +
        'epoch time (lines up with other traces; viewers round to ~0.25 us)',
    },
    op: { kind: 'list', choices: OPS, metavar: 'OP,OP', help: 'only these ops, e.g. read,write' },
    from: {
      kind: 'duration',
      metavar: 'T',
      help: 'only calls starting at or after T, e.g. 1.5s, 200ms (from capture start)',
    },
    to: { kind: 'duration', metavar: 'T', help: 'only calls starting before T' },
    quiet: { kind: 'flag', short: 'q', help: 'no summary line on stderr' },
  },
});

export const summary = spec.summary;

export const command = cliCommand(spec, async ({ options: o, positionals }) => {
  const input = positionals[0]!;
  const format = o.format;
  if (format === undefined) throw new UsageError(`--format is required (${EXPORT_FORMATS.join(' or ')})`);
  if (o.columns !== undefined && format !== 'csv')
    throw new UsageError('--columns applies to --format csv only');
  if (o.clock !== undefined && format !== 'perfetto')
    throw new UsageError('--clock applies to --format perfetto only');
  if (o.output !== undefined && o.output !== '-' && resolve(o.output) === resolve(input))
    throw new UsageError(`--output ${o.output} is the input trace; choose another file`);

  const filter: ExportFilter = {};
  if (o.op) filter.ops = o.op;
  if (o.from !== undefined) filter.fromNs = o.from;
  if (o.to !== undefined) filter.toNs = o.to;
  if (o.from !== undefined && o.to !== undefined && o.to <= o.from)
    throw new UsageError('--to must be after --from');

  const options: ExportOptions = { format, input, filter };
  if (o.output !== undefined) options.output = o.output;
  if (o.clock !== undefined) options.clock = o.clock;
  if (o.columns !== undefined) options.columns = o.columns;

  const result = await exportTrace(options);
  if (!o.quiet && options.output !== undefined && options.output !== '-') {
    const p = result.perfetto;
    const detail = p
      ? ` (${p.operations} slices, ${p.faults} fault instants, ${p.markers} markers, ${p.overlapLanes} overlap lanes)`
      : '';
    console.error(`exported ${result.rowsExported} of ${result.rowsRead} rows to ${options.output}${detail}`);
  }
  return 0;
});

export const run = command.run;
