#!/usr/bin/env node
// node bench/follow.mjs — what one `interposer-tui --follow` poll costs on a long recording.
//
// Writes a live trace (TraceWriter, not closed: footer missing, journal present) of
// FOLLOW_BENCH_GROUPS row groups (default 3600: an hour at the recorder's one flush per second)
// of 50 rows, then times, alternating A B A B (FOLLOW_BENCH_ROUNDS rounds, default 5):
//   A. openTrace(path): re-reads the whole journal and rebuilds the footer (a naive poll);
//   B. LiveTrace.open(): reads only the journal's new bytes (what TraceFollower does).
// Then one TraceFollower poll with nothing new and one with a new row group.
// Needs the compiled code (npm run build:ts). Prints markdown with the load average.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
if (!existsSync(join(DIST, 'trace/live.js'))) {
  process.stderr.write('bench/follow.mjs: dist/ is missing: run `npm run build:ts` first\n');
  process.exit(1);
}
const { TraceWriter } = await import(join(DIST, 'trace/writer.js'));
const { openTrace } = await import(join(DIST, 'trace/reader.js'));
const { LiveTrace } = await import(join(DIST, 'trace/live.js'));
const { TraceFollower } = await import(join(DIST, 'analyze/follow.js'));
const { generateTrace } = await import(join(DIST, 'analyze/generate.js'));

const groups = Number(process.env.FOLLOW_BENCH_GROUPS ?? 3600);
const rounds = Number(process.env.FOLLOW_BENCH_ROUNDS ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'interposer-bench-follow-'));
const path = join(dir, 'live.parquet');
const ms = async (f) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};

try {
  const writer = await TraceWriter.open({
    path,
    wallClockAnchorNs: 1n,
    rowGroupRows: 50,
    flushIntervalMs: 0,
  });
  for (const b of generateTrace({ rows: groups * 50, seed: 1 })) await writer.write(b);
  await writer.flush();
  const journalBytes = statSync(`${path}.inprogress`).size;
  const live = new LiveTrace(path);
  await live.open();
  const a = [];
  const b = [];
  for (let r = 0; r < rounds; r++) {
    a.push(await ms(() => openTrace(path)));
    b.push(await ms(() => live.open()));
  }
  const follower = new TraceFollower([path], { top: 500 });
  const first = await ms(() => follower.poll());
  const idle = await ms(() => follower.poll());
  await writer.write([...generateTrace({ rows: 50, seed: 2 })][0]);
  await writer.flush();
  const grown = await ms(() => follower.poll());
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  console.log(
    `live trace: ${groups} row groups of 50 rows, journal ${(journalBytes / 1e6).toFixed(1)} MB; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  console.log('| re-open of the live trace | median ms (of ' + rounds + ', alternating) |');
  console.log('|---|---:|');
  console.log(`| A. openTrace (whole journal, footer rebuilt) | ${median(a).toFixed(1)} |`);
  console.log(`| B. LiveTrace.open (new journal bytes only) | ${median(b).toFixed(1)} |`);
  console.log(`\nA/B: ${(median(a) / median(b)).toFixed(0)}x`);
  console.log(
    `TraceFollower: first poll (whole backlog) ${first.toFixed(0)} ms, idle poll ${idle.toFixed(1)} ms, poll with one new row group ${grown.toFixed(1)} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
