/**
 * `interposer-tui --follow`: the App on a trace that TraceWriter is still writing in the test.
 * The screens refresh as row groups arrive, the status line says how many rows and how fresh,
 * filters keep following, and q quits cleanly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { formatAgo, followText } from '../../src/tui/follow-status.js';
import { fileSource, type TraceSource } from '../../src/tui/sources.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { fixtureBatches } from './fixture.js';
import { KEYS, renderApp } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tracePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'interposer-tui-follow-'));
  dirs.push(dir);
  return join(dir, 'live.parquet');
}

function openWriter(path: string): Promise<TraceWriter> {
  return TraceWriter.open({
    path,
    wallClockAnchorNs: 1_764_000_000_000_000_000n,
    rowGroupRows: 1 << 20,
    flushIntervalMs: 0,
  });
}

/** Calls shown on the overview ("calls 1,234" style totals line). */
function callsOf(screen: string): string | undefined {
  return /calls\s+([\d,]+)/.exec(screen)?.[1];
}

describe('--follow', () => {
  it('refreshes as rows arrive, keeps following under a filter, and quits cleanly', async () => {
    const path = tracePath();
    const writer = await openWriter(path);
    const batches = fixtureBatches(1, 100);
    let exitCode: number | undefined;
    try {
      await writer.write(batches[0]!);
      await writer.flush();
      const inner = fileSource(path, { follow: true, followIntervalMs: 40 });
      // A filtered follower's first report comes late, as on a large trace.
      const source: TraceSource = {
        ...inner,
        follow: (options, listener) =>
          inner.follow!(options, {
            ...listener,
            update: (report, status) =>
              void setTimeout(() => listener.update(report, status), options.filter?.ops ? 300 : 0),
          }),
      };
      const app = renderApp({
        sources: [source],
        size: { columns: 100, rows: 30 },
        onExit: (code) => (exitCode = code),
      });
      let screen = await app.waitFor((s) => s.includes('following · 100 rows'), 'the first row group');
      expect(screen).toMatch(/updated \ds ago/);
      const callsBefore = callsOf(screen);

      await writer.write(batches[1]!);
      await writer.write(batches[2]!);
      await writer.flush();
      screen = await app.waitFor((s) => s.includes('following · 300 rows'), 'the new row groups');
      expect(callsOf(screen)).not.toBe(callsBefore);

      // A filter re-reads the trace once with it, then follows on; the report shown so far stays
      // up meanwhile (never an empty screen).
      await app.press('/', ...'op=write', KEYS.enter);
      await app.waitFor((s) => s.includes('Re-analyzing'), 'the re-read under the filter');
      expect(app.screen()).toContain('Bottlenecks');
      screen = await app.waitFor(
        (s) => /filter kept [\d,]+ of/.test(s) && s.includes('following · 300 rows'),
        'the filtered report',
      );
      const writesBefore = /filter kept ([\d,]+) of/.exec(screen)?.[1];
      expect(writesBefore, screen).toBeDefined();
      for (const b of batches.slice(3)) await writer.write(b);
      await writer.flush();
      screen = await app.waitFor(
        (s) => /following · 5\d\d rows/.test(s) && s.includes('filter: op=write'),
        'rows arriving under the filter',
      );
      expect(/filter kept ([\d,]+) of/.exec(screen)?.[1]).not.toBe(writesBefore);

      await writer.close();
      await app.waitFor((s) => s.includes('recording ended'), 'the end of the recording');
      await app.press('q');
      await app.waitFor(() => exitCode !== undefined, 'the exit');
      expect(exitCode).toBe(0);
    } finally {
      await writer.close();
    }
  });

  it('waits for a trace that does not exist yet, then shows it', async () => {
    const path = tracePath();
    const app = renderApp({
      sources: [fileSource(path, { follow: true, followIntervalMs: 40 })],
      size: { columns: 100, rows: 30 },
    });
    await app.waitFor(
      (s) => s.includes('Waiting for live.parquet') && s.includes('no such trace file'),
      'the wait',
    );
    const writer = await openWriter(path);
    try {
      await writer.write(fixtureBatches(1, 64)[0]!);
      await writer.flush();
      await app.waitFor((s) => s.includes('following · 64 rows'), 'the trace once written');
    } finally {
      await writer.close();
    }
  });

  it('says how fresh the data is in words', () => {
    expect(formatAgo(0)).toBe('0s ago');
    expect(formatAgo(59_999)).toBe('59s ago');
    expect(formatAgo(125_000)).toBe('2m 5s ago');
    expect(formatAgo(3_725_000)).toBe('1h 2m ago');
    expect(followText({ rows: 12_345, updatedAt: 1_000, complete: false }, 4_000)).toBe(
      'following · 12,345 rows · updated 3s ago',
    );
  });
});
