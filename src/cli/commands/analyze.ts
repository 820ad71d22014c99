/** `interposer analyze`: summarise a trace (text for people, --json for CI), or diff two traces. */
import { parseArgs } from 'node:util';
import { analyzeTraces, type MultiTraceOptions } from '../../analyze/analyze.js';
import { parseSourceFilter } from '../../analyze/inputs.js';
import { diffReports } from '../../analyze/diff.js';
import { DEFAULT_WIDTH, formatDiffText, formatReportText } from '../../analyze/format.js';
import type { TraceFilter } from '../../analyze/types.js';
import { OPS, type Op } from '../../trace/schema.js';
import { UsageError } from '../errors.js';
import { durationFlag } from '../flags.js';

export const summary = 'summarise a trace: latency, hot files, patterns, bottlenecks (--json, --diff)';

const HELP = `usage: interposer analyze TRACE... [options]

Summarises a trace: totals, per-op latency (p50/p90/p99/p99.9), timeline, hot files and
directories, access patterns, slowest calls, processes, injected faults, and findings.
TRACE is a trace file, a directory (every .parquet below it) or a quoted glob; several of them
are one run (every node and pod of it), aligned on wall-clock time, with a per-source table.

options:
  --json                 print the report as JSON (times in ns, sizes in bytes)
  --op read,write        only these ops
  --path GLOB            only paths matching GLOB (e.g. 'data/*.db', '/logs/**')
  --pid N[,N...]         only these process ids (repeatable)
  --from T --to T        only calls starting in [from, to), e.g. 1.5s, 200ms, 10us (from capture start)
  --bucket T             timeline bucket width (default: about 100 buckets)
  --top N                length of top lists (default 20)
  --source KEY=GLOB      only sources matching (node, namespace, pod, volume, hostname, file;
                         comma list or repeated: all must match), e.g. --source pod='web-*'
  --engine stream|sql    stream (default): the full report; sql: the aggregate queries of sql/
                         through embedded DuckDB (several times faster on big traces; no
                         concurrency, access patterns, slowest calls or histograms)
  --diff OTHER           compare with another run (file, directory or glob; same filters)
  --width N              text width (default ${DEFAULT_WIDTH})
  -h, --help             this help`;

function parsePositiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`analyze: --${name} needs a non-negative integer`);
  return n;
}

function parseOps(values: string[] | undefined): Op[] | undefined {
  if (!values) return undefined;
  const ops = values.flatMap((v) => v.split(',')).filter(Boolean);
  for (const op of ops) {
    if (!(OPS as readonly string[]).includes(op)) {
      throw new UsageError(`analyze: unknown op "${op}" (known: ${OPS.join(', ')})`);
    }
  }
  return ops as Op[];
}

function parsePids(values: string[] | undefined): number[] | undefined {
  if (!values) return undefined;
  return values
    .flatMap((v) => v.split(','))
    .filter(Boolean)
    .map((v) => {
      const pid = Number(v);
      if (!Number.isInteger(pid) || pid < 0)
        throw new UsageError(`analyze: --pid "${v}" is not a process id`);
      return pid;
    });
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        op: { type: 'string', multiple: true },
        path: { type: 'string' },
        pid: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        bucket: { type: 'string' },
        top: { type: 'string' },
        diff: { type: 'string' },
        source: { type: 'string', multiple: true },
        engine: { type: 'string' },
        width: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(`analyze: ${(err as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError(`analyze: expected a trace file, directory or glob\n\n${HELP}`);

  const filter: TraceFilter = {};
  const ops = parseOps(values.op);
  if (ops) filter.ops = ops;
  if (values.path) filter.pathGlob = values.path;
  const pids = parsePids(values.pid);
  if (pids) filter.pids = pids;
  const fromNs = durationFlag('analyze', 'from', values.from);
  const toNs = durationFlag('analyze', 'to', values.to);
  if (fromNs !== undefined) filter.fromNs = fromNs;
  if (toNs !== undefined) filter.toNs = toNs;
  if (fromNs !== undefined && toNs !== undefined && toNs <= fromNs) {
    throw new UsageError('analyze: --to must be after --from');
  }
  const bucketNs = durationFlag('analyze', 'bucket', values.bucket);
  if (bucketNs !== undefined && bucketNs <= 0n) throw new UsageError('analyze: --bucket must be positive');
  const options: MultiTraceOptions = { filter, top: parsePositiveInt('top', values.top, 20) };
  if (values.source) {
    try {
      options.sourceFilter = parseSourceFilter(values.source);
    } catch (err) {
      throw new UsageError(`analyze: --source: ${(err as Error).message}`);
    }
  }
  if (bucketNs !== undefined) options.bucketNs = bucketNs;
  const width = Math.max(60, parsePositiveInt('width', values.width, DEFAULT_WIDTH));

  const engine = values.engine ?? 'stream';
  if (engine !== 'stream' && engine !== 'sql')
    throw new UsageError(`analyze: --engine must be stream or sql, not "${engine}"`);
  const analyze = async (inputs: string[]) => {
    if (engine === 'stream') return analyzeTraces(inputs, options);
    const { analyzeTracesSql } = await import('../../analyze/sql-engine.js');
    return analyzeTracesSql(inputs, options);
  };
  const report = await analyze(positionals);
  if (values.diff === undefined) {
    process.stdout.write(
      values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReportText(report, width),
    );
    return 0;
  }
  const other = await analyze([values.diff]);
  const diff = diffReports(report, other);
  process.stdout.write(
    values.json ? `${JSON.stringify({ diff, a: report, b: other }, null, 2)}\n` : formatDiffText(diff, width),
  );
  return 0;
}
