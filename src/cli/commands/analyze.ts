/** `interposer analyze`: summarise a trace (text for people, --json for CI), or diff two traces. */
import picomatch from 'picomatch';
import { analyzeTraces, type MultiTraceOptions } from '../../analyze/analyze.js';
import { parseSourceFilter, resolveTraceInputs } from '../../analyze/inputs.js';
import { diffReports } from '../../analyze/diff.js';
import { DEFAULT_WIDTH, formatDiffText, formatReportText } from '../../analyze/format.js';
import type { Report, TraceFilter } from '../../analyze/types.js';
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
    'directories, access patterns, slowest calls, processes, injected faults, and findings.\n' +
    'Each argument is a trace file, a directory (every .parquet below it) or a quoted glob; together\n' +
    'they are one run (every node and pod of it), aligned on wall-clock time, with a Sources table.',
  positionals: [
    {
      name: 'trace.parquet',
      help: 'traces to analyze as one run: files, directories or quoted globs',
      variadic: true,
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
    source: {
      kind: 'custom',
      parse: (text: string) => parseSourceFilter([text]),
      multiple: true,
      metavar: 'KEY=GLOB',
      help: 'only sources matching (node, namespace, pod, volume, hostname, file, source; comma list or repeated)',
    },
    engine: {
      kind: 'custom',
      parse: (text: string) => {
        if (text !== 'stream' && text !== 'sql') throw new Error(`must be stream or sql, not "${text}"`);
        return text;
      },
      metavar: 'stream|sql',
      help: 'stream (default): the full report; sql: DuckDB, several times faster on big traces, all but concurrency and access patterns',
    },
    top: { kind: 'number', integer: true, min: 0, default: 20, help: 'length of top lists' },
    diff: {
      kind: 'custom',
      parse: (text: string) => text,
      metavar: 'OTHER',
      help: 'compare with another run (file, directory or glob; same filters); A = first, B = other',
    },
    html: {
      kind: 'path',
      pathKind: 'file',
      role: 'output',
      metavar: 'FILE',
      help: 'also write a self-contained HTML report (with --diff: the comparison)',
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
  const filter: TraceFilter = {};
  if (o.op) filter.ops = o.op;
  if (o.path !== undefined) filter.pathGlob = o.path;
  if (o.pid.length) filter.pids = o.pid.flat();
  if (o.from !== undefined) filter.fromNs = o.from;
  if (o.to !== undefined) filter.toNs = o.to;
  if (o.from !== undefined && o.to !== undefined && o.to <= o.from)
    throw new UsageError('--to must be after --from');
  const options: MultiTraceOptions = { filter, top: o.top };
  if (o.source.length) options.sourceFilter = Object.assign({}, ...o.source);
  if (o.bucket !== undefined) options.bucketNs = o.bucket;

  const width = Math.max(60, o.width);
  if (o.html !== undefined) {
    // The HTML page comes from the report package's own single pass over one trace per side.
    const one = async (inputs: string[], what: string): Promise<string> => {
      const files = await resolveTraceInputs(inputs);
      if (files.length !== 1)
        throw new UsageError(
          `--html compares one trace per side, and ${what} is ${files.length} files; for several traces use \`interposer report\``,
        );
      return files[0]!;
    };
    const other = o.diff === undefined ? undefined : await one([o.diff], '--diff');
    return analyzeWithHtml(
      await one(positionals, 'the input'),
      other,
      options,
      o.html,
      o.json === true,
      width,
    );
  }
  const analyze = async (inputs: string[]): Promise<Report> => {
    if (o.engine !== 'sql') return analyzeTraces(inputs, options);
    const { analyzeTracesSql } = await import('../../analyze/sql-engine.js');
    return analyzeTracesSql(inputs, options);
  };
  const report = await analyze(positionals);
  if (o.diff === undefined) {
    process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReportText(report, width));
    return 0;
  }
  const other = await analyze([o.diff]);
  const diff = diffReports(report, other);
  process.stdout.write(
    o.json ? `${JSON.stringify({ diff, a: report, b: other }, null, 2)}\n` : formatDiffText(diff, width),
  );
  return 0;
});

export const run = command.run;

/** --html: the same analysis from the report package's single pass (analysis + heatmap), then the page. */
async function analyzeWithHtml(
  tracePath: string,
  otherPath: string | undefined,
  options: MultiTraceOptions,
  htmlPath: string,
  json: boolean,
  width: number,
): Promise<number> {
  const { collectTrace, comparisonReportHtml, diffComparison, traceReportHtml, writeReportFile } =
    await import('../../report/index.js');
  const a = await collectTrace(tracePath, options);
  if (otherPath === undefined) {
    process.stdout.write(json ? `${JSON.stringify(a.report, null, 2)}\n` : formatReportText(a.report, width));
    await writeReportFile(htmlPath, traceReportHtml([a]));
  } else {
    const b = await collectTrace(otherPath, options);
    const diff = diffReports(a.report, b.report);
    process.stdout.write(
      json ? `${JSON.stringify({ diff, a: a.report, b: b.report }, null, 2)}\n` : formatDiffText(diff, width),
    );
    await writeReportFile(
      htmlPath,
      comparisonReportHtml(diffComparison(a, b, diff), 'interposer analyze --diff'),
    );
  }
  process.stderr.write(`interposer analyze: wrote ${htmlPath}\n`);
  return 0;
}
