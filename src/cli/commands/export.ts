/** `interposer export`: a trace as Perfetto/Chrome trace-event JSON or as CSV. */
import { parseArgs } from 'node:util';
import { parseColumnList } from '../../export/csv.js';
import { EXPORT_FORMATS, exportTrace, type ExportFormat, type ExportOptions } from '../../export/export.js';
import type { ExportFilter } from '../../export/filter.js';
import type { ClockMode } from '../../export/perfetto.js';
import { OPS } from '../../trace/schema.js';
import { UsageError } from '../errors.js';
import { durationFlag } from '../flags.js';

export const summary = 'convert a trace to Perfetto/Chrome JSON (ui.perfetto.dev) or CSV';

const HELP = `usage: interposer export --format perfetto|csv <trace.parquet> [-o OUT] [options]

Writes the trace as
  perfetto  Chrome trace-event JSON for ui.perfetto.dev or chrome://tracing: a track per
            process and thread, a slice per operation, instants for injected faults and markers
  csv       RFC 4180 CSV, one row per operation, header = trace column names

options:
  -f, --format FMT       perfetto or csv (required)
  -o, --output FILE      output file (default: stdout; "-" = stdout)
  --columns a,b,c        csv: only these columns, in this order
  --clock relative|wall  perfetto: timestamps from capture start (default, ns-exact) or Unix
                         epoch time (lines up with other traces; viewers round to ~0.25 us)
  --op read,write        only these ops
  --from T --to T        only calls starting in [from, to), e.g. 1.5s, 200ms (from capture start)
  -q, --quiet            no summary line on stderr
  -h, --help             this help`;

function opsFlag(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  const ops = values
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  for (const op of ops) {
    if (!(OPS as readonly string[]).includes(op))
      throw new UsageError(`export: unknown op "${op}" (known: ${OPS.join(', ')})`);
  }
  return ops;
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o' },
        columns: { type: 'string' },
        clock: { type: 'string' },
        op: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(`export: ${(err as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`export: expected one trace file\n\n${HELP}`);
  const format = values.format;
  if (format === undefined)
    throw new UsageError(`export: --format is required (${EXPORT_FORMATS.join(' or ')})`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`export: unknown format "${format}" (${EXPORT_FORMATS.join(' or ')})`);
  }
  if (values.columns !== undefined && format !== 'csv')
    throw new UsageError('export: --columns applies to --format csv only');
  if (values.clock !== undefined && format !== 'perfetto')
    throw new UsageError('export: --clock applies to --format perfetto only');
  if (values.clock !== undefined && values.clock !== 'relative' && values.clock !== 'wall') {
    throw new UsageError(`export: --clock must be relative or wall, not "${values.clock}"`);
  }

  const filter: ExportFilter = {};
  const ops = opsFlag(values.op);
  if (ops) filter.ops = ops;
  const fromNs = durationFlag('export', 'from', values.from);
  const toNs = durationFlag('export', 'to', values.to);
  if (fromNs !== undefined) filter.fromNs = fromNs;
  if (toNs !== undefined) filter.toNs = toNs;
  if (fromNs !== undefined && toNs !== undefined && toNs <= fromNs)
    throw new UsageError('export: --to must be after --from');

  const options: ExportOptions = { format: format as ExportFormat, input: positionals[0]!, filter };
  if (values.output !== undefined) options.output = values.output;
  if (values.clock !== undefined) options.clock = values.clock as ClockMode;
  if (values.columns !== undefined) {
    try {
      options.columns = parseColumnList(values.columns);
    } catch (err) {
      throw new UsageError(`export: --columns: ${(err as Error).message}`);
    }
  }

  const result = await exportTrace(options);
  if (!values.quiet && options.output !== undefined && options.output !== '-') {
    const p = result.perfetto;
    const detail = p
      ? ` (${p.operations} slices, ${p.faults} fault instants, ${p.markers} markers, ${p.overlapLanes} overlap lanes)`
      : '';
    console.error(`exported ${result.rowsExported} of ${result.rowsRead} rows to ${options.output}${detail}`);
  }
  return 0;
}
