/** `interposer analyze`: summarise a trace (text for people, --json for CI), or diff two traces. */
import { parseArgs } from 'node:util';
import { analyzeTrace } from '../../analyze/analyze.js';
import { diffReports } from '../../analyze/diff.js';
import { DEFAULT_WIDTH, formatDiffText, formatReportText } from '../../analyze/format.js';
import type { AnalyzeOptions, TraceFilter } from '../../analyze/types.js';
import { OPS, type Op } from '../../trace/schema.js';
import { UsageError } from '../errors.js';
import { durationFlag } from '../flags.js';

export const summary = 'summarise a trace: latency, hot files, patterns, bottlenecks (--json, --diff)';

const HELP = `usage: interposer analyze <trace.parquet> [options]

Summarises a trace: totals, per-op latency (p50/p90/p99/p99.9), timeline, hot files and
directories, access patterns, slowest calls, processes, injected faults, and findings.

options:
  --json                 print the report as JSON (times in ns, sizes in bytes)
  --op read,write        only these ops
  --path GLOB            only paths matching GLOB (e.g. 'data/*.db', '/logs/**')
  --pid N[,N...]         only these process ids (repeatable)
  --from T --to T        only calls starting in [from, to), e.g. 1.5s, 200ms, 10us (from capture start)
  --bucket T             timeline bucket width (default: about 100 buckets)
  --top N                length of top lists (default 20)
  --diff OTHER.parquet   compare with another trace (same filters); A = first, B = other
  --width N              text width (default ${DEFAULT_WIDTH})
  --html FILE            also write a self-contained HTML report (with --diff: the comparison)
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
        width: { type: 'string' },
        html: { type: 'string' },
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
  if (positionals.length !== 1) throw new UsageError(`analyze: expected one trace file\n\n${HELP}`);
  const tracePath = positionals[0]!;

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
  const options: AnalyzeOptions = { filter, top: parsePositiveInt('top', values.top, 20) };
  if (bucketNs !== undefined) options.bucketNs = bucketNs;
  const width = Math.max(60, parsePositiveInt('width', values.width, DEFAULT_WIDTH));

  if (values.html !== undefined)
    return analyzeWithHtml(tracePath, values.diff, options, values.html, values.json === true, width);
  const report = await analyzeTrace(tracePath, options);
  if (values.diff === undefined) {
    process.stdout.write(
      values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReportText(report, width),
    );
    return 0;
  }
  const other = await analyzeTrace(values.diff, options);
  const diff = diffReports(report, other);
  process.stdout.write(
    values.json ? `${JSON.stringify({ diff, a: report, b: other }, null, 2)}\n` : formatDiffText(diff, width),
  );
  return 0;
}

/** --html: the same analysis from the report package's single pass (analysis + heatmap), then the page. */
async function analyzeWithHtml(
  tracePath: string,
  otherPath: string | undefined,
  options: AnalyzeOptions,
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
