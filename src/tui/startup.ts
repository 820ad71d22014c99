/**
 * What `interposer-tui` loads, split so the first reports can start before the UI exists: the
 * trace sources (small; they start DuckDB's reads) come with this module, the UI (ui.ts) with
 * loadUi(). bench/analyze-tui.mjs starts the same way.
 */
export { fileSource, TUI_TOP } from './sources.js';

export function loadUi(): Promise<typeof import('./ui.js')> {
  return import('./ui.js');
}
