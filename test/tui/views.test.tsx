import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { analyzeBatches } from '../../src/analyze/analyze.js';
import { batchSource } from '../../src/tui/sources.js';
import { BACKUP_PATH, fixtureBatches } from './fixture.js';
import { KEYS, renderApp } from './helpers.js';

const SIZE = { columns: 100, rows: 30 };

function single() {
  return renderApp({ sources: [batchSource('fixture.parquet', fixtureBatches())], size: SIZE });
}

async function ready(app: ReturnType<typeof single>): Promise<void> {
  await app.waitFor((s) => s.includes('Bottlenecks'), 'the overview');
}

afterEach(() => cleanup());

describe('views of one trace', () => {
  it('overview: totals, bottlenecks in words, top ops by time', async () => {
    const app = single();
    await ready(app);
    const s = app.screen();
    expect(s).toContain('calls 521');
    expect(s).toContain('errors 17');
    expect(s).toMatch(/faults 8 rows/);
    // The IOPS sparkline fills the line between its label and the peak.
    const activity = s.split('\n').find((l) => l.startsWith('activity '))!;
    expect(activity).toMatch(/^activity [▁▂▃▄▅▆▇█ ]+ {2}peak 625\/s$/);
    expect([...activity]).toHaveLength(SIZE.columns);
    // Every finding of the analysis is shown, in its order, as a bullet.
    const report = await analyzeBatches(fixtureBatches());
    expect(report.bottlenecks.length).toBeGreaterThan(0);
    const bullets = s.split('\n').filter((l) => l.startsWith('• '));
    expect(bullets.map((b) => b.slice(2, 40))).toEqual(
      report.bottlenecks.slice(0, 6).map((t) => t.slice(0, 38)),
    );
    // The 250 ms fsync is 80% of I/O time: it leads the op table.
    const ops = s.slice(s.indexOf('Top ops by time'));
    expect(ops.indexOf('fsync')).toBeLessThan(ops.indexOf('write'));
    expect(ops.indexOf('write')).toBeLessThan(ops.indexOf('getattr'));
  });

  it('per-op table: counts, bytes, percentiles and errors', async () => {
    const app = single();
    await ready(app);
    await app.press('2');
    const s = await app.waitFor((x) => x.includes('p99.9'), 'the per-op table');
    for (const h of ['count', 'bytes', 'p50', 'p90', 'p99', 'max', 'errors']) expect(s).toContain(h);
    const getattr = s.split('\n').find((l) => l.startsWith('getattr'))!;
    expect(getattr).toMatch(/getattr\s+12\s+-\s+3 µs/);
    expect(getattr.trim().split(/\s+/)).toContain('12');
    const read = s.split('\n').find((l) => l.startsWith('read'))!;
    expect(read).toMatch(/read\s+405\s+3\.13 MiB/);
  });

  it('timeline: four charts filling the width and a time axis', async () => {
    const app = single();
    await ready(app);
    await app.press('t');
    const s = await app.waitFor((x) => x.includes('IOPS'), 'the timeline');
    for (const t of ['Throughput', 'IOPS', 'Latency p99', 'Concurrency']) expect(s).toContain(t);
    const braille = s.split('\n').filter((l) => /^[\u2800-\u28ff]+$/.test(l));
    expect(braille.length).toBeGreaterThanOrEqual(4);
    for (const l of braille) expect([...l]).toHaveLength(SIZE.columns);
    expect(s).toMatch(/^0 s .* 1\.6 s$/m);
  });

  it('latency histogram: buckets with bars, arrows pick the op', async () => {
    const app = single();
    await ready(app);
    await app.press('4');
    let s = await app.waitFor((x) => x.includes('op 1 of 4'), 'the histogram');
    expect(s).toContain('◀ fsync ▶');
    expect(s).toMatch(/134 ms–268 ms\s+1\s+100%/);
    await app.press(KEYS.right);
    s = await app.waitFor((x) => x.includes('op 2 of 4'), 'the next op');
    expect(s).toContain('◀ write ▶');
    expect(s).toMatch(/131 µs–262 µs\s+100 .*█/);
    await app.press(KEYS.left, KEYS.left);
    await app.waitFor((x) => x.includes('◀ getattr ▶'), 'wrap-around to the last op');
  });

  it('hot files: long paths cut from the left, x for directories, b to re-sort', async () => {
    const app = single();
    await ready(app);
    await app.press('5');
    let s = await app.waitFor((x) => x.includes('Hot files by time'), 'hot files');
    expect(s).toMatch(/…[^\s]*\/table_16384\.db\s+405/);
    expect(s).toContain(BACKUP_PATH);
    // The backup is written at its end each time: named an append, not just "sequential".
    expect(s).toContain('append writes');
    await app.press('b');
    s = await app.waitFor((x) => x.includes('Hot files by bytes'), 'hot files by bytes');
    const lines = s.split('\n');
    expect(lines.findIndex((l) => l.includes(BACKUP_PATH))).toBeLessThan(
      lines.findIndex((l) => l.includes('table_16384.db')),
    );
    await app.press('x');
    s = await app.waitFor((x) => x.includes('Hot directories by bytes'), 'hot directories');
    expect(s).toContain('/backup');
  });

  it('slow calls: the 250 ms fsync first, injected delays flagged', async () => {
    const app = single();
    await ready(app);
    await app.press('s');
    const s = await app.waitFor((x) => x.includes('Slowest'), 'slow calls');
    const rows = s.split('\n').filter((l) => /^\s+\d/.test(l));
    expect(rows[0]).toMatch(/250 ms fsync/);
    expect(rows[1]).toMatch(/10 ms write .*\[delay\]/);
  });

  it('errors & faults: errno per op, injected counts, overlay cost, markers', async () => {
    const app = single();
    await ready(app);
    await app.press('e');
    const s = await app.waitFor((x) => x.includes('Faults and shaping'), 'errors');
    expect(s).toContain('17 of 521 calls failed');
    expect(s).toMatch(/getattr\s+ENOENT\s+12\s+-\s+100%/);
    expect(s).toMatch(/read\s+EIO\s+5\s+5/);
    expect(s).toContain('8 rows carry a fault');
    expect(s).toMatch(/time added: 27 ms/);
    expect(s).toContain('Markers (1)');
  });

  it('processes: by I/O time with command names', async () => {
    const app = single();
    await ready(app);
    await app.press('r');
    const s = await app.waitFor((x) => x.includes('Processes by I/O time'), 'processes');
    const rows = s.split('\n').filter((l) => /^\d+ /.test(l));
    expect(rows.map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      '101 postgres',
      '202 tar',
      '303 ls',
    ]);
  });

  it('scrolls long lists with the arrow keys and says how much is below', async () => {
    const app = renderApp({ sources: [batchSource('f', fixtureBatches())], size: { columns: 80, rows: 12 } });
    await app.waitFor((s) => s.includes('calls 521'), 'the overview');
    await app.press('5');
    let s = await app.waitFor((x) => x.includes('Hot files'), 'hot files');
    expect(s).toMatch(/… \d+ more/);
    expect(s).not.toContain('/missing/file11');
    await app.press('G');
    s = await app.waitFor((x) => x.includes('/missing/file11'), 'the end of the list');
    await app.press(KEYS.up, 'g');
    s = await app.waitFor((x) => !x.includes('/missing/file11'), 'the top again');
    expect(s).toContain('table_16384.db');
  });
});

describe('diff of two traces', () => {
  it('opens on the diff: totals side by side, ratios per op and per file', async () => {
    const app = renderApp({
      sources: [
        batchSource('before.parquet', fixtureBatches(1)),
        batchSource('after.parquet', fixtureBatches(3)),
      ],
      size: SIZE,
    });
    const s = await app.waitFor((x) => x.includes('B/A'), 'the diff');
    expect(s).toContain('9Diff');
    expect(s).toMatch(/A before\.parquet\s+B after\.parquet/);
    const read = s.split('\n').find((l) => l.startsWith('read'))!;
    // read latencies tripled: p50 40µs -> 120µs and a ×3.00 p99 ratio.
    expect(read).toMatch(/40 µs\s+120 µs/);
    expect(read).toContain('×3.00');
    // Other views show trace A.
    await app.press('1');
    await app.waitFor(
      (x) => x.includes('Bottlenecks') && x.includes('before.parquet vs after.parquet'),
      'overview A',
    );
  });
});
