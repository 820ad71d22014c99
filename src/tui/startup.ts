/**
 * What `interposer-tui` loads, split so the first reports can start before the UI exists: the
 * trace sources (small; they start DuckDB's reads) come with this module, the UI (ui.ts) with
 * loadUi(). bench/analyze-tui.mjs starts the same way.
 */
import type { MultiTraceOptions } from '../analyze/analyze.js';
import type { TraceSource } from './sources.js';
import type { FirstReports } from './use-analysis.js';

export { fileSource, TUI_TOP } from './sources.js';

export function loadUi(): Promise<typeof import('./ui.js')> {
  return import('./ui.js');
}

/**
 * The sources' first quick reports (previews of the first rows of big traces, else the quick
 * reports), if all are ready within `waitMs`: the TUI draws them as its first screen instead of
 * a loading screen first. A draw of the whole screen costs the one main thread 100-200 ms, which
 * the first report would otherwise wait behind. Undefined after `waitMs` or on any failure (the
 * screen then asks for them itself).
 */
export async function firstReports(
  sources: readonly TraceSource[],
  options: MultiTraceOptions,
  waitMs: number,
): Promise<FirstReports | undefined> {
  const ready = (async (): Promise<FirstReports | undefined> => {
    const previews = await Promise.all(sources.map((s) => s.preview?.(options)));
    if (previews.every((p) => p !== undefined))
      return {
        reports: previews.map((p) => p.report),
        preview: true,
        rowsTotal: previews.reduce((sum, p) => sum + p.rowsTotal, 0),
      };
    if (previews.some((p) => p !== undefined) || !sources.every((s) => s.quick)) return undefined;
    return {
      reports: await Promise.all(sources.map((s) => s.quick!(options))),
      preview: false,
      rowsTotal: 0,
    };
  })().catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
  try {
    return await Promise.race([ready, late]);
  } finally {
    clearTimeout(timer);
  }
}
