/** `interposer analyze`: summarise a trace (text for people, --json for CI), or diff two traces. */
import picomatch from 'picomatch';
import { analyzeTrace } from '../../analyze/analyze.js';
import { diffReports } from '../../analyze/diff.js';
import { DEFAULT_WIDTH, formatDiffText, formatReportText } from '../../analyze/format.js';
import type { AnalyzeOptions, TraceFilter } from '../../analyze/types.js';
import { OPS } from '../../trace/schema.js';
import { UsageError } from '../errors.js';
import { cliCommand, defineCommand } from '../args/index.js';

/** A glob picomatch can compile with balanced brackets and braces ('[' alone matches nothing). */
export function parseGlob(text: string): string {
  if (text === '') throw new Error('empty glob');
  try {
    picomatch.makeRe(text, { dot: true, strictBrackets: true });
  } catch (err) {
    throw new Error(`"${text}" is not a valid glob (${(err as Error).message})`);
  }
  return text;
}

function parsePid(text: string): number[] {
  return text
    .split(',')
    .filter(Boolean)
    .map((v) => {
      const pid = Number(v);
      if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(pid))
        throw new Error(`"${v}" is not a process id`);
      return pid;
    });
}

const spec = defineCommand({
  name: 'analyze',
  summary: 'summarise a trace: latency, hot files, patterns, bottlenecks (--json, --diff)',
  description:
    'Summarises a trace: totals, per-op latency (p50/p90/p99/p99.9), timeline, hot files and\n' +
    'directories, access patterns, slowest calls, processes, injected faults, and findings.',
  positionals: [
    {
      name: 'trace.parquet',
      help: 'the trace to analyze',
      path: { pathKind: 'file', role: 'input', noun: 'trace file' },
    },
  ],
  options: {
    json: { kind: 'flag', help: 'print the report as JSON (times in ns, sizes in bytes)' },
    op: { kind: 'list', choices: OPS, metavar: 'OP,OP', help: 'only these ops, e.g. read,write' },
    path: {
      kind: 'custom',
      parse: parseGlob,
      metavar: 'GLOB',
      help: "only paths matching GLOB (e.g. 'data/*.db', '/logs/**')",
    },
    pid: {
      kind: 'custom',
      parse: parsePid,
      multiple: true,
      metavar: 'N[,N...]',
      help: 'only these process ids (repeatable)',
    },
    from: {
      kind: 'duration',
      help: 'only calls starting at or after T, e.g. 1.5s, 200ms, 10us (from capture start)',
      metavar: 'T',
    },
    to: { kind: 'duration', help: 'only calls starting before T', metavar: 'T' },
    bucket: {
      kind: 'duration',
      positive: true,
      metavar: 'T',
      help: 'timeline bucket width (default: about 100 buckets)',
    },
    top: { kind: 'number', integer: true, min: 0, default: 20, help: 'length of top lists' },
    diff: {
      kind: 'path',
      pathKind: 'file',
      role: 'input',
      noun: 'trace file',
      metavar: 'OTHER.parquet',
      help: 'compare with another trace (same filters); A = first, B = other',
    },
    width: {
      kind: 'number',
      integer: true,
      min: 1,
      default: DEFAULT_WIDTH,
      help: 'text width (at least 60 is used)',
    },
  },
});

export const summary = spec.summary;

export const command = cliCommand(spec, async ({ options: o, positionals }) => {
  const tracePath = positionals[0]!;
  const filter: TraceFilter = {};
  if (o.op) filter.ops = o.op;
  if (o.path !== undefined) filter.pathGlob = o.path;
  if (o.pid.length) filter.pids = o.pid.flat();
  if (o.from !== undefined) filter.fromNs = o.from;
  if (o.to !== undefined) filter.toNs = o.to;
  if (o.from !== undefined && o.to !== undefined && o.to <= o.from)
    throw new UsageError('--to must be after --from');
  const options: AnalyzeOptions = { filter, top: o.top };
  if (o.bucket !== undefined) options.bucketNs = o.bucket;

  const width = Math.max(60, o.width);
  const report = await analyzeTrace(tracePath, options);
  if (o.diff === undefined) {
    process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReportText(report, width));
    return 0;
  }
  const other = await analyzeTrace(o.diff, options);
  const diff = diffReports(report, other);
  process.stdout.write(
    o.json ? `${JSON.stringify({ diff, a: report, b: other }, null, 2)}\n` : formatDiffText(diff, width),
  );
  return 0;
});

export const run = command.run;
