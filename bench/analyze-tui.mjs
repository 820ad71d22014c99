#!/usr/bin/env node
// node bench/analyze-tui.mjs TRACE.parquet — how soon `interposer-tui` has something to show, as
// one fresh process (bench/analyze.mjs runs it; JSON on stdout). Times are from process start
// (performance.now(), which counts from Node's start) and follow the real program: the first
// reports are prefetched, then Ink, React and the TUI's modules load while DuckDB reads:
//   firstScreenMs   the first report: a preview of the first rows for traces over 2M rows,
//                   else the sql engine's report of all rows
//   aggregatesMs    the sql engine's report of all rows
//   filterFirstMs   after that, the first report for the filter op=read (preview or all rows)
//   filterAllMs     the same filter over all rows
// Clearing a filter shows the kept report (no reading): not timed. The full streaming report
// that replaces these is `interposer analyze` (bench/analyze.mjs times it).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = process.env.ANALYZE_BENCH_DIST ?? join(ROOT, 'dist');
const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/analyze-tui.mjs TRACE.parquet\n');
  process.exit(2);
}
// The bundle interposer-tui is built into (scripts/bundle.mjs), entered the way it enters it.
const { fileSource, TUI_TOP, loadUi } = await import(join(DIST, 'bin/tui-startup.js'));
const source = fileSource(file);
const options = { filter: {}, top: TUI_TOP };
await source.prefetch(options);
await loadUi();
const at = () => Math.round(performance.now());

const preview = await source.preview(options);
const previewMs = at();
await source.quick(options);
const aggregatesMs = at();
const firstScreenMs = preview ? previewMs : aggregatesMs;
const filter = { ...options, filter: { ops: ['read'] } };
const t0 = performance.now();
const filteredPreview = await source.preview(filter);
const filterFirstMs = Math.round(performance.now() - t0);
await source.quick(filter);
const filterAllMs = Math.round(performance.now() - t0);
process.stdout.write(
  `${JSON.stringify({
    previewRows: preview ? preview.report.totals.rowsScanned : 0,
    firstScreenMs,
    aggregatesMs,
    filterFirstMs: filteredPreview ? filterFirstMs : filterAllMs,
    filterAllMs,
  })}\n`,
);
process.exit(0);
