/**
 * Drill-down: Enter on a row filters to it, Backspace goes back without reading the trace again,
 * and lists fill the terminal's height.
 */
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { batchSource } from '../../src/tui/sources.js';
import { KEYS, recordingSource, renderApp, until } from './helpers.js';
import { generateTrace } from '../../src/analyze/generate.js';

afterEach(() => cleanup());

async function open(size = { columns: 100, rows: 30 }) {
  const rec = recordingSource();
  const app = renderApp({ sources: [rec.source], size });
  await app.waitFor((s) => s.includes('Bottlenecks'), 'the overview');
  return { app, filters: rec.filters };
}

describe('drill-down', () => {
  it('Enter on a process filters to its pid; Backspace returns at once, without re-reading', async () => {
    const { app, filters } = await open();
    await app.press('r');
    const procs = await app.waitFor((s) => s.includes('Processes by I/O time'), 'the processes');
    // The first row is the selection; the fixture's busiest process is postgres, pid 101.
    expect(procs).toMatch(/^\s*101 postgres/m);
    await app.press(KEYS.enter);
    await app.waitFor((s) => s.includes('filter: pid=101'), 'filtered to pid 101');
    await until(() => filters.length === 2, 'the filtered analysis');
    expect(filters[1]).toEqual({ pids: [101] });
    await app.press('o');
    await app.waitFor(
      (s) => s.includes('filter: pid=101') && /filter kept \d+ of 52\d rows/.test(s),
      'the pid-101 overview',
    );
    await app.press(KEYS.backspace);
    await app.waitFor((s) => s.includes('calls 521') && !s.includes('filter:'), 'back to everything');
    // Going back used the kept report.
    expect(filters).toHaveLength(2);
  });

  it('Enter on an op (Per-op) and on a file (Files) narrows step by step; Backspace undoes each', async () => {
    const { app, filters } = await open();
    await app.press('2');
    await app.waitFor((s) => s.includes('p99.9'), 'the per-op table');
    await app.press(KEYS.down, KEYS.enter); // the second op by time
    const op = await app.waitFor((s) => /filter: op=\w+/.test(s), 'filtered to one op');
    const chosen = /filter: op=(\w+)/.exec(op)![1]!;
    await until(() => filters.length === 2, 'the op analysis');
    await app.press('f');
    await app.waitFor(
      (s) => s.includes('time') && s.includes(`filter: op=${chosen}`),
      'the files of that op',
    );
    await app.press(KEYS.enter);
    await app.waitFor((s) => new RegExp(`filter: op=${chosen} path=/`).test(s), 'and one file');
    await until(() => filters.length === 3, 'the file analysis');
    expect(filters[2]!.ops).toEqual([chosen]);
    expect(filters[2]!.pathGlob).toMatch(/^\//);
    await app.press(KEYS.backspace);
    await app.waitFor((s) => s.includes(`filter: op=${chosen}`) && !s.includes('path='), 'back one step');
    await app.press(KEYS.backspace);
    await app.waitFor((s) => !s.includes('filter:'), 'back to the start');
    expect(filters).toHaveLength(3);
  });

  it('lists follow the terminal height (no cap at 20 rows)', async () => {
    const batches = [...generateTrace({ rows: 20_000, seed: 7, files: 200 })];
    const app = renderApp({ sources: [batchSource('gen', batches)], size: { columns: 120, rows: 60 } });
    await app.waitFor((s) => s.includes('Bottlenecks'), 'the overview');
    await app.press('f');
    const s = await app.waitFor((x) => x.includes('Hot files'), 'the files view');
    const rows = s.split('\n').filter((l) => /\/\S+/.test(l) && /\d/.test(l));
    // 200 files; a 60-row terminal shows a screenful (about 50), not the CLI's top 20.
    expect(rows.length).toBeGreaterThan(45);
  });
});
