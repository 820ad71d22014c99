import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { cleanup } from 'ink-testing-library';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { analyzeBatches } from '../../src/analyze/analyze.js';
import type { AnalyzeOptions, Report } from '../../src/analyze/types.js';
import { batchSource, fileSource, reportSource, type TraceSource } from '../../src/tui/sources.js';
import { fixtureBatches } from './fixture.js';
import { writeFixtureTrace } from './fixture-file.js';
import { KEYS, recordingSource, renderApp, until, widestLine } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'interposer-tui-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => cleanup());

const SIZE = { columns: 100, rows: 30 };

async function open(sources: TraceSource[] = [batchSource('fixture.parquet', fixtureBatches())]) {
  const app = renderApp({ sources, size: SIZE });
  await app.waitFor((s) => s.includes('Bottlenecks'), 'the overview');
  return app;
}

describe('navigation', () => {
  it('number keys, letters and Tab / Shift-Tab switch views', async () => {
    const app = await open();
    await app.press('2');
    await app.waitFor((s) => s.includes('p99.9'), 'per-op via 2');
    await app.press(KEYS.tab);
    await app.waitFor((s) => s.includes('Throughput'), 'timeline via Tab');
    await app.press(KEYS.shiftTab, KEYS.shiftTab);
    await app.waitFor((s) => s.includes('Bottlenecks'), 'overview via Shift-Tab twice');
    await app.press(KEYS.shiftTab);
    await app.waitFor((s) => /^Sources/m.test(s), 'wrap to the last view');
    await app.press(KEYS.shiftTab);
    await app.waitFor((s) => s.includes('Processes by I/O time'), 'the one before it');
    await app.press('o');
    await app.waitFor((s) => s.includes('Bottlenecks'), 'overview via o');
    // 9 (diff) does nothing with a single trace.
    await app.press('9', 'd');
    expect(app.screen()).toContain('Bottlenecks');
    expect(app.screen()).not.toContain('Diff');
  });

  it('? shows the help screen and any key closes it', async () => {
    const app = await open();
    await app.press('?');
    const s = await app.waitFor((x) => x.includes('Keys'), 'help');
    expect(s).toContain('filter prompt');
    expect(s).toContain('q, Ctrl-C');
    expect(s).toContain('1/o Overview');
    await app.press('x');
    await app.waitFor((x) => x.includes('Bottlenecks'), 'help closed');
  });

  it('q quits with exit code 0', async () => {
    let code: number | undefined;
    const app = renderApp({
      sources: [batchSource('f', fixtureBatches())],
      size: SIZE,
      onExit: (c) => (code = c),
    });
    await app.waitFor((s) => s.includes('Bottlenecks'), 'the overview');
    await app.press('q');
    await until(() => code !== undefined, 'onExit');
    expect(code).toBe(0);
  });

  it('Ctrl-C quits too', async () => {
    let code: number | undefined;
    const app = renderApp({
      sources: [batchSource('f', fixtureBatches())],
      size: SIZE,
      onExit: (c) => (code = c),
    });
    await app.waitFor((s) => s.includes('Bottlenecks'), 'the overview');
    await app.press(KEYS.ctrlC);
    await until(() => code !== undefined, 'onExit');
    expect(code).toBe(0);
  });
});

describe('filtering', () => {
  it('/ opens the prompt; Enter re-runs the analysis with the filter; c clears it', async () => {
    const { source, filters } = recordingSource();
    const app = await open([source]);
    expect(filters).toEqual([{}]);
    await app.press('/');
    await app.waitFor((s) => s.includes('filter›'), 'the prompt');
    await app.press(...'op=read,write pid=101'.split(''), KEYS.enter);
    const s = await app.waitFor(
      (x) => x.includes('filter: op=read,write pid=101') && x.includes('calls 405'),
      'filtered',
    );
    expect(filters[1]).toEqual({ ops: ['read', 'write'], pids: [101] });
    // Only postgres's reads remain: 405 calls, no getattr errors.
    expect(s).toContain('calls 405');
    expect(s).toContain('filter kept 405 of 522 rows');
    await app.press('c');
    await app.waitFor((x) => x.includes('calls 521') && !x.includes('filter:'), 'unfiltered again');
    // The unfiltered report was kept: clearing does not read the trace again.
    expect(filters).toHaveLength(2);
  });

  it('filters by path glob and time range', async () => {
    const { source, filters } = recordingSource();
    const app = await open([source]);
    await app.press('/', ...'path=/backup/** from=100ms to=1s'.split(''), KEYS.enter);
    const s = await app.waitFor(
      (x) => x.includes('filter: path=/backup/**') && /calls \d+ /.test(x) && !x.includes('calls 521'),
      'filtered',
    );
    expect(filters[1]).toEqual({ pathGlob: '/backup/**', fromNs: 100_000_000n, toNs: 1_000_000_000n });
    // Backup writes start every 15 ms from 3 ms: those starting in [100 ms, 1 s) are 60.
    expect(s).toContain('calls 60 ');
  });

  it('shows parse errors under the prompt, Backspace edits, Escape cancels', async () => {
    const { source, filters } = recordingSource();
    const app = await open([source]);
    await app.press('/', ...'op=reed'.split(''), KEYS.enter);
    await app.waitFor((s) => s.includes('unknown op "reed"'), 'the parse error');
    await app.press(KEYS.backspace, KEYS.backspace, KEYS.backspace);
    await app.waitFor((s) => s.includes('filter› op=r ') || s.includes('filter› op=r'), 'edited text');
    await app.press(KEYS.escape);
    await app.waitFor((s) => s.includes('q:quit'), 'prompt closed');
    expect(filters).toHaveLength(1);
  });

  it('shows re-analysis progress while keeping the previous report on screen', async () => {
    let release: () => void = () => {};
    const inner = batchSource('slow.parquet', fixtureBatches());
    let calls = 0;
    const source: TraceSource = {
      label: 'slow.parquet',
      analyze: async (options) => {
        if (calls++ === 0) return inner.analyze(options);
        options.onProgress?.(250, 1000);
        await new Promise<void>((r) => (release = r));
        return inner.analyze(options);
      },
    };
    const app = await open([source]);
    await app.press('/', ...'op=fsync'.split(''), KEYS.enter);
    const s = await app.waitFor((x) => x.includes('Re-analyzing'), 'progress');
    expect(s).toContain('250 / 1,000 rows');
    expect(s).toContain('calls 521');
    release();
    await app.waitFor((x) => x.includes('calls 1 ') && x.includes('filter: op=fsync'), 'the filtered report');
  });

  it('a new filter stops the analysis it replaces instead of reading on', async () => {
    const batches = fixtureBatches(1, 16);
    const runs: { filter: AnalyzeOptions['filter']; read: number; closedEarly: boolean }[] = [];
    let gate: () => void = () => {};
    const source: TraceSource = {
      label: 'gated.parquet',
      analyze: (options) => {
        const run = { filter: options.filter, read: 0, closedEarly: false };
        runs.push(run);
        async function* stream() {
          try {
            for (const b of batches) {
              // The unfiltered run waits after each batch; the filtered one streams freely.
              if (runs.length === 1) await new Promise<void>((r) => (gate = r));
              run.read++;
              yield b;
            }
          } finally {
            run.closedEarly = run.read < batches.length;
          }
        }
        return analyzeBatches(stream(), options);
      },
    };
    const app = renderApp({ sources: [source], size: SIZE });
    await app.waitFor((s) => s.includes('Reading gated.parquet'), 'loading');
    gate();
    await until(() => runs[0]!.read >= 1, 'the first batch');
    await app.press('/op=fsync\r');
    await app.waitFor((s) => s.includes('calls 1 '), 'the filtered report');
    gate();
    await until(() => runs[0]!.closedEarly, 'the first run to stop');
    expect(runs[0]!.read).toBeLessThan(batches.length);
    expect(runs[1]!.filter).toEqual({ ops: ['fsync'] });
  });

  it('a saved report cannot be filtered: the prompt does not open', async () => {
    const report: Report = await batchSource('x', fixtureBatches()).analyze({});
    const app = await open([reportSource('saved.json', report)]);
    expect(app.screen()).not.toContain('/:filter');
    await app.press('/');
    expect(app.screen()).not.toContain('filter›');
  });
});

describe('loading and errors', () => {
  it('shows rows read / total while the first analysis runs', async () => {
    let release: () => void = () => {};
    const source: TraceSource = {
      label: 'big.parquet',
      analyze: async (options) => {
        options.onProgress?.(1_500, 6_000);
        await new Promise<void>((r) => (release = r));
        return batchSource('big', fixtureBatches()).analyze({});
      },
    };
    const app = renderApp({ sources: [source], size: SIZE });
    await app.waitFor(
      (x) => x.includes('Reading big.parquet') && x.includes('1,500 / 6,000 rows'),
      'progress',
    );
    release();
    await app.waitFor((x) => x.includes('Bottlenecks'), 'the overview');
  });

  it('a file of random bytes shows a clear error screen (no stack) and q exits non-zero', async () => {
    const path = join(dir, 'garbage.parquet');
    writeFileSync(path, randomBytes(4096));
    let exit: { code: number; message?: string } | undefined;
    const app = renderApp({
      sources: [fileSource(path)],
      size: SIZE,
      onExit: (code, message) => (exit = { code, message }),
    });
    const s = await app.waitFor((x) => x.includes('Cannot show this trace'), 'the error screen');
    expect(s).toContain('not a Parquet file');
    expect(s).toContain('garbage.parquet');
    expect(s).not.toMatch(/\bat .*\.(ts|js):\d+/);
    await app.press('q');
    await until(() => exit !== undefined, 'onExit');
    expect(exit?.code).toBe(1);
    expect(exit?.message).toContain('not a Parquet file');
  });

  it("a valid Parquet file that is not a trace shows the reader's explanation", async () => {
    const path = join(dir, 'people.parquet');
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'name', data: ['Alice', 'Bob'], type: 'STRING' },
        { name: 'age', data: [25, 30], type: 'INT32' },
      ],
    });
    writeFileSync(path, new Uint8Array(buffer));
    const app = renderApp({ sources: [fileSource(path)], size: SIZE });
    const s = await app.waitFor((x) => x.includes('Cannot show this trace'), 'the error screen');
    expect(s).toContain('not an interposer trace');
  });

  it('a missing file shows the error screen too', async () => {
    const app = renderApp({ sources: [fileSource(join(dir, 'nope.parquet'))], size: SIZE });
    const s = await app.waitFor((x) => x.includes('Cannot show this trace'), 'the error screen');
    expect(s).toContain('nope.parquet');
    expect(s).not.toContain('internal error');
  });

  it('opens a real trace file written by TraceWriter', async () => {
    const path = join(dir, 'real.parquet');
    await writeFixtureTrace(path);
    const app = renderApp({ sources: [fileSource(path, { quick: true })], size: SIZE });
    // The quick (sql) report comes first; the status line names the file once the rows are read.
    const s = await app.waitFor(
      (x) => x.includes('Bottlenecks') && x.includes('real.parquet'),
      'the overview',
    );
    expect(s).toContain('calls 521');
  });
});

describe('layout', () => {
  const VIEW_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '?'];

  it.each([
    [80, 24],
    [60, 20],
  ])('every view of one and two traces fits %ix%i', async (columns, rows) => {
    for (const sources of [
      [batchSource('/a/very/long/directory/name/for/the/first/trace/before.parquet', fixtureBatches())],
      [batchSource('before.parquet', fixtureBatches(1)), batchSource('after.parquet', fixtureBatches(2))],
    ]) {
      const app = renderApp({ sources, size: { columns, rows } });
      await app.waitFor((s) => s.includes('?:help'), 'the first view');
      for (const key of VIEW_KEYS) {
        await app.press(key);
        if (key === '?') await app.waitFor((s) => s.includes('Keys'), 'help');
        const s = app.screen();
        expect(widestLine(s), `view ${key}:\n${s}`).toBeLessThanOrEqual(columns);
        expect(s.split('\n').length, `view ${key}:\n${s}`).toBeLessThanOrEqual(rows);
        if (key === '?') await app.press('x');
      }
      app.unmount();
    }
  });

  it('re-lays out when the terminal is resized', async () => {
    const app = renderApp({ sources: [batchSource('f', fixtureBatches())] });
    await app.waitFor((s) => s.includes('Bottlenecks'), 'the overview');
    await app.press('3');
    let s = await app.waitFor((x) => x.includes('IOPS'), 'timeline');
    const braille = (x: string) => x.split('\n').find((l) => /^[\u2800-\u28ff]+$/.test(l))!;
    expect([...braille(s)]).toHaveLength(100); // ink-testing-library's default width
    Object.defineProperty(app.stdout, 'columns', { value: 72, configurable: true });
    app.stdout.emit('resize');
    s = await app.waitFor((x) => [...(braille(x) ?? '')].length === 72, 'charts at the new width');
    expect(widestLine(s)).toBeLessThanOrEqual(72);
  });
});

describe('typed-ahead input', () => {
  it('a chunk of several keys at once (paste, fast typing over ssh) acts key by key', async () => {
    const { source, filters } = recordingSource();
    const app = await open([source]);
    await app.press('/op=fsync\r');
    await app.waitFor(
      (x) => x.includes('filter: op=fsync') && x.includes('calls 1 '),
      'filtered by one chunk',
    );
    expect(filters[1]).toEqual({ ops: ['fsync'] });
    await app.press('2s');
    await app.waitFor((x) => x.includes('Slowest'), 'two view switches from one chunk');
  });
});
