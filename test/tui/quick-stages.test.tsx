/**
 * The TUI's first screens come from the sql engine: a preview of the first rows (big traces),
 * then the aggregates of all rows, then the full streaming report; a filter is answered the same
 * way, and clearing it shows the kept report without reading anything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { analyzeBatches } from '../../src/analyze/analyze.js';
import type { AnalyzeOptions, Report } from '../../src/analyze/types.js';
import { fileSource, type TraceSource } from '../../src/tui/sources.js';
import { firstReports } from '../../src/tui/startup.js';
import { fixtureBatches } from './fixture.js';
import { writeFixtureTrace } from './fixture-file.js';
import { KEYS, renderApp } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'interposer-tui-quick-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => cleanup());

const SIZE = { columns: 100, rows: 30 };

function deferred<T>(): { promise: Promise<T>; resolve(v: T): void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Reports of the fixture restricted to some ops, so each stage shows a different call count. */
const reportOf = (ops?: AnalyzeOptions['filter']) => analyzeBatches(fixtureBatches(), { filter: ops });

describe('quick reports first', () => {
  it('shows the preview, then the aggregates, then the full report, each labelled', async () => {
    const preview = deferred<{ report: Report; rowsTotal: number }>();
    const quick = deferred<Report>();
    const full = deferred<Report>();
    const source: TraceSource = {
      label: 'big.parquet',
      preview: () => preview.promise,
      quick: () => quick.promise,
      analyze: () => full.promise,
    };
    const [first, all, complete] = await Promise.all([
      reportOf({ ops: ['read'] }),
      reportOf({ ops: ['read', 'write'] }),
      reportOf(),
    ]);
    const app = renderApp({ sources: [source], size: SIZE });
    await app.waitFor((s) => s.includes('Reading big.parquet'), 'the progress line');

    preview.resolve({ report: { ...first, totals: { ...first.totals, rowsScanned: 100 } }, rowsTotal: 1000 });
    let s = await app.waitFor((x) => x.includes('First rows shown'), 'the preview');
    expect(s).toContain(`calls ${first.totals.calls}`);
    expect(s).toMatch(/100\b.*1,?000/);

    quick.resolve(all);
    s = await app.waitFor((x) => x.includes('Aggregates ready'), 'the aggregates');
    expect(s).toContain(`calls ${all.totals.calls}`);

    full.resolve(complete);
    s = await app.waitFor(
      (x) => x.includes(`calls ${complete.totals.calls}`) && !x.includes('Aggregates'),
      'the full report',
    );
    expect(s).toContain('big.parquet');
  });

  it('given the first reports, draws them on the first frame (no loading screen), then the rest', async () => {
    const quick = deferred<Report>();
    const full = deferred<Report>();
    const [first, all, complete] = await Promise.all([
      reportOf({ ops: ['read'] }),
      reportOf({ ops: ['read', 'write'] }),
      reportOf(),
    ]);
    const shown = { report: { ...first, totals: { ...first.totals, rowsScanned: 100 } }, rowsTotal: 1000 };
    const source: TraceSource = {
      label: 'big.parquet',
      // The same (prefetched) result the program drew first.
      preview: () => Promise.resolve(shown),
      quick: () => quick.promise,
      analyze: () => full.promise,
    };
    const app = renderApp({
      sources: [source],
      size: SIZE,
      first: { reports: [shown.report], preview: true, rowsTotal: 1000 },
    });
    const firstFrame = app.screen();
    expect(firstFrame).toContain('First rows shown');
    expect(firstFrame).toContain(`calls ${first.totals.calls}`);
    expect(firstFrame).toMatch(/100\b.*1,?000/);
    expect(app.frames.some((f) => f.includes('Reading big.parquet'))).toBe(false);

    quick.resolve(all);
    let s = await app.waitFor((x) => x.includes('Aggregates ready'), 'the aggregates');
    expect(s).toContain(`calls ${all.totals.calls}`);
    full.resolve(complete);
    s = await app.waitFor(
      (x) => x.includes(`calls ${complete.totals.calls}`) && !x.includes('Aggregates'),
      'the full report',
    );
    expect(app.frames.some((f) => f.includes('Reading big.parquet'))).toBe(false);
  });

  it('firstReports: the previews, else the quick reports, if ready in time; a prefetch is taken twice', async () => {
    const path = join(dir, 'first.parquet');
    await writeFixtureTrace(path);
    const options = { filter: {}, top: 20 };
    const big = fileSource(path, { previewRows: 100 });
    await big.prefetch!(options);
    const previewed = await firstReports([big], options, 60_000);
    expect(previewed?.preview).toBe(true);
    expect(previewed?.rowsTotal).toBe(522);
    // The screen asks again and gets the very report drawn first, not a new run.
    expect((await big.preview!(options))?.report).toBe(previewed?.reports[0]);

    const small = fileSource(path);
    void small.prefetch!(options);
    const whole = await firstReports([small], options, 60_000);
    expect(whole?.preview).toBe(false);
    expect(whole?.reports[0]?.totals.calls).toBe(521);
    expect(await small.quick!(options)).toBe(whole?.reports[0]);

    const never: TraceSource = {
      label: 'slow',
      preview: () => new Promise(() => undefined),
      analyze: () => reportOf(),
    };
    expect(await firstReports([never], options, 20)).toBeUndefined();
  });

  it('a prefetched report stopped by a newer filter is not kept: asking again runs it anew', async () => {
    const path = join(dir, 'stopped.parquet');
    await writeFixtureTrace(path);
    const big = fileSource(path, { previewRows: 100 });
    const unfiltered = { filter: {}, top: 20 };
    await big.prefetch!(unfiltered);
    // Asked while the prefetched preview reads: that one stops.
    await big.preview!({ filter: { ops: ['read'] }, top: 20 }).catch(() => undefined);
    const again = await big.preview!(unfiltered);
    expect(again?.report.totals.rowsScanned).toBe(100);
  });

  it('a real trace: a filter is answered by the sql engine before the stream, and clearing it reads nothing', async () => {
    const path = join(dir, 'real.parquet');
    await writeFixtureTrace(path);
    const real = fileSource(path);
    const streamed: AnalyzeOptions['filter'][] = [];
    const source: TraceSource = {
      ...real,
      analyze: (o) => {
        streamed.push(o.filter);
        // The full analysis of a filter never finishes here: what shows is the quick report.
        return o.filter?.ops ? new Promise<Report>(() => undefined) : real.analyze(o);
      },
    };
    const app = renderApp({ sources: [source], size: SIZE });
    await app.waitFor((s) => s.includes('calls 521') && s.includes('real.parquet'), 'the full report');
    const expected = await reportOf({ ops: ['read'] });

    await app.press('/', ...'op=read', KEYS.enter);
    const s = await app.waitFor((x) => x.includes('Aggregates ready'), 'the filtered quick report');
    expect(s).toContain(`calls ${expected.totals.calls}`);
    expect(streamed.at(-1)?.ops).toEqual(['read']);

    const before = streamed.length;
    await app.press('c');
    await app.waitFor((x) => x.includes('calls 521') && !x.includes('Aggregates'), 'the kept report');
    expect(streamed.length).toBe(before);
  });

  it('a file source stops the report of a filter that was replaced', async () => {
    const path = join(dir, 'replaced.parquet');
    await writeFixtureTrace(path);
    const source = fileSource(path);
    const stale = source.quick!({ filter: { ops: ['read'] }, top: 20 });
    const wanted = source.quick!({ filter: { ops: ['write'] }, top: 20 });
    await expect(stale).rejects.toThrow(/abort/i);
    const expected = await reportOf({ ops: ['write'] });
    expect((await wanted).totals.calls).toBe(expected.totals.calls);
  });

  it('a file source previews only traces bigger than twice the preview', async () => {
    const path = join(dir, 'preview.parquet');
    await writeFixtureTrace(path);
    expect(await fileSource(path).preview!({})).toBeUndefined();
    const shown = await fileSource(path, { previewRows: 100 }).preview!({});
    expect(shown?.rowsTotal).toBe(522); // 521 calls and a marker
    expect(shown?.report.totals.rowsScanned).toBe(100);
    expect(shown?.report.totals.rows).toBe(100);
    expect(fileSource(path, { quick: false }).quick).toBeUndefined();
  });
});
