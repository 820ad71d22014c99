/**
 * Many traces in the TUI: the Sources view lists every node/pod trace of a run, Enter drills into
 * one (the whole UI narrows to it), Backspace goes back, and `pod=` / `node=` / `source=` filter
 * terms choose traces as `interposer analyze --source` does.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyzeTraces } from '../../src/analyze/analyze.js';
import { escapeGlob, formatFilter, parseFilter } from '../../src/tui/filter-spec.js';
import { fileSource } from '../../src/tui/sources.js';
import { drillFilter } from '../../src/tui/state.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { fixtureBatches } from './fixture.js';
import { KEYS, renderApp } from './helpers.js';

let root = '';
/** Calls of each pod's trace, from the analysis library directly. */
const calls: Record<string, number> = {};
const PODS = [
  { node: 'n1', pod: 'db-0', batches: 5 },
  { node: 'n2', pod: 'web-1', batches: 1 },
  { node: 'n2', pod: 'web-2', batches: 2 },
];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'interposer-tui-sources-'));
  for (const [i, p] of PODS.entries()) {
    const dir = join(root, `node=${p.node}`, 'namespace=shop', `pod=${p.pod}`);
    mkdirSync(dir, { recursive: true });
    const writer = await TraceWriter.open({
      path: join(dir, 'trace.parquet'),
      // Pods started a few ms apart: the run aligns them on the earliest.
      wallClockAnchorNs: 1_764_000_000_000_000_000n + BigInt(i) * 5_000_000n,
      flushIntervalMs: 0,
    });
    for (const b of fixtureBatches(1, 100).slice(0, p.batches)) await writer.write(b);
    await writer.close();
    calls[p.pod] = (await analyzeTraces([dir])).totals.calls;
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => cleanup());

function callsOf(screen: string): number | undefined {
  const m = /calls\s+([\d,]+)/.exec(screen);
  return m ? Number(m[1]!.replace(/,/g, '')) : undefined;
}

describe('source filter in the TUI', () => {
  it('lists the sources, drills into one with Enter, and goes back with Backspace', async () => {
    const app = renderApp({ sources: [fileSource(root)], size: { columns: 100, rows: 30 } });
    let screen = await app.waitFor((s) => s.includes('Bottlenecks'), 'the overview');
    const all = calls['db-0']! + calls['web-1']! + calls['web-2']!;
    expect(callsOf(screen)).toBe(all);

    await app.press('0');
    screen = await app.waitFor((s) => s.includes('Sources (3 traces'), 'the sources view');
    for (const p of PODS) expect(screen).toContain(`${p.node}/shop/${p.pod}`);

    // The second row (n2/shop/web-1) becomes the selection, then Enter narrows to it.
    await app.press(KEYS.down, KEYS.enter);
    screen = await app.waitFor(
      (s) => s.includes('filter: node=n2 namespace=shop pod=web-1') && s.includes('Sources (1 trace'),
      'drilled into web-1',
    );
    expect(screen).not.toContain('db-0');
    await app.press('o');
    screen = await app.waitFor((s) => s.includes('Bottlenecks'), 'its overview');
    expect(callsOf(screen)).toBe(calls['web-1']);

    await app.press(KEYS.backspace);
    screen = await app.waitFor((s) => callsOf(s) === all && !s.includes('filter:'), 'back to the whole run');
  });

  it('takes pod=, node= and source= terms, alone or with row filters, and explains a bad glob', async () => {
    const app = renderApp({ sources: [fileSource(root)], size: { columns: 100, rows: 30 } });
    await app.waitFor((s) => s.includes('Bottlenecks'), 'the overview');

    await app.press('/', ...'pod=web-*', KEYS.enter);
    let screen = await app.waitFor(
      (s) => s.includes('filter: pod=web-*') && callsOf(s) === calls['web-1']! + calls['web-2']!,
      'the web pods',
    );

    await app.press('c', '/', ...'node=n1 op=read', KEYS.enter);
    const reads = (await analyzeTraces([root], { filter: { ops: ['read'] }, sourceFilter: { node: 'n1' } }))
      .totals.calls;
    expect(reads).toBeLessThan(calls['db-0']!);
    screen = await app.waitFor(
      (s) => s.includes('filter: op=read node=n1') && callsOf(s) === reads,
      'node n1, reads only',
    );

    await app.press('c', '/', ...'source=n2/shop/web-2', KEYS.enter);
    screen = await app.waitFor((s) => callsOf(s) === calls['web-2'], 'the source by its label');

    await app.press('/', ...'pod=[db', KEYS.enter);
    screen = await app.waitFor((s) => s.includes('is not a usable glob'), 'the glob error');

    await app.press(KEYS.escape, 'c', '/', ...'pod=nosuch', KEYS.enter);
    screen = await app.waitFor((s) => s.includes('no trace matches the source filter'), 'the empty match');
    expect(screen).toContain('Backspace: back to the previous filter');
    await app.press(KEYS.backspace);
    // Back to the filter before it: the cleared one (c), the whole run.
    const all = calls['db-0']! + calls['web-1']! + calls['web-2']!;
    await app.waitFor((s) => callsOf(s) === all && !s.includes('filter:'), 'back from the empty match');
  });

  it('parses, prints and narrows source terms', () => {
    const parsed = parseFilter('pod=web-* node=n2 op=read');
    expect(parsed).toEqual({ ok: true, spec: { ops: ['read'], sources: { pod: 'web-*', node: 'n2' } } });
    if (!parsed.ok) return;
    expect(formatFilter(parsed.spec)).toBe('op=read node=n2 pod=web-*');
    expect(parseFilter('pod=a pod=b')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/one pod= term/),
    });
    // Drilling into a pod inside a node keeps the node.
    expect(drillFilter({ sources: { node: 'n2' } }, { sources: { pod: 'web-1' } })).toEqual({
      sources: { node: 'n2', pod: 'web-1' },
    });
    expect(escapeGlob('/data/a[1]{x}*.parquet')).toBe('/data/a\\[1\\]\\{x\\}\\*.parquet');
  });
});
