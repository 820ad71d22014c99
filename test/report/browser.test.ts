/**
 * Reports from the fixture traces, a diff, a replay with faults and --fail-if thresholds, and
 * its fault log, opened in headless Chromium: every chart must draw, with no console error and
 * no network request. Screenshots land in test-artifacts/report/.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, ROOT } from '../helpers/interposer-process.js';
import { ReportBrowser } from './browser.js';
import { cli, expectRendered } from './helpers.js';

const FIXTURES = ['fio', 'sqlite3', 'git', 'tar'].map((name) => ({
  name,
  path: join(ROOT, 'fixtures', `${name}.parquet`),
}));

describe('HTML reports in Chromium', () => {
  let browser: ReportBrowser;
  let dir: string;

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'report-test-'));
    browser = await ReportBrowser.launch();
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(FIXTURES)('renders the report of the $name fixture', async ({ name, path }) => {
    const out = join(dir, `${name}.html`);
    const r = cli(['report', path, '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(out);
    const page = await browser.check(out, `fixture-${name}`);
    // Histograms (>= 1), throughput, IOPS, heatmap, files, directories, processes.
    expectRendered(page, out, 7);
    for (const heading of [
      'Summary',
      'Latency per op',
      'Throughput and IOPS over time',
      'Latency over time',
      'Files and directories',
      'Processes',
    ])
      expect(page.text).toContain(heading);
    expect(page.title).toBe(`I/O report: ${name}.parquet`);
  });

  it('puts several traces on one time axis, then each trace on its own', async () => {
    const out = join(dir, 'all.html');
    const r = cli(['report', ...FIXTURES.map((f) => f.path), '-o', out]);
    expect(r.code).toBe(0);
    const page = await browser.check(out, 'fixtures-all-sources');
    expectRendered(page, out, 3 + 7 * FIXTURES.length);
    expect(page.charts.map((c) => c.label)).toEqual(
      expect.arrayContaining(['throughput per source', 'IOPS per source', 'p99 per source']),
    );
    for (const f of FIXTURES) expect(page.text).toContain(`${f.name}.parquet`);
  });

  it('follows the system colour scheme (dark)', async () => {
    const out = join(dir, 'fio.html');
    if (cli(['report', FIXTURES[0]!.path, '-o', out]).code !== 0) throw new Error('report failed');
    const light = await browser.check(out, 'fixture-fio', 'light');
    const dark = await browser.check(out, 'fixture-fio', 'dark');
    expect(light.background).toBe('rgb(255, 255, 255)');
    expect(dark.background).toBe('rgb(13, 17, 23)');
    expectRendered(dark, out, 7);
  });

  it('compares two runs (analyze --diff --html)', async () => {
    const out = join(dir, 'diff.html');
    const r = cli(['analyze', FIXTURES[3]!.path, '--diff', FIXTURES[2]!.path, '--html', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('p99'); // the text diff still prints
    const page = await browser.check(out, 'diff-tar-vs-git');
    expectRendered(page, out, 5);
    expect(page.charts.map((c) => c.label)).toEqual(
      expect.arrayContaining([
        'p50 per op',
        'p99 per op',
        'throughput compared',
        'IOPS compared',
        'latency heatmap',
      ]),
    );
    expect(page.text).toContain('Ratios');
  });

  it('shows a replay with faults and --fail-if results, and its fault log', async () => {
    const replayOut = join(dir, 'replay.parquet');
    const faultLog = join(dir, 'faults.jsonl');
    const html = join(dir, 'replay.html');
    const r = cli([
      'replay',
      FIXTURES[0]!.path,
      '--target',
      join(dir, 'target'),
      '--out',
      replayOut,
      '--timing',
      'afap',
      '--fault',
      'op=write,errno=EIO,p=0.05',
      '--delay',
      'op=read,fixed=200us,p=0.2',
      '--fault-log',
      faultLog,
      '--fail-if',
      'errors>1000',
      '--fail-if',
      'p99.read>0.0001x',
      '--html',
      html,
    ]);
    expect(r.stderr).toContain(`wrote ${html}`);
    expect(r.code).toBe(3); // the second threshold holds: exit 3, and the page says which
    const page = await browser.check(html, 'replay-fio-faults');
    expectRendered(page, html, 5);
    expect(page.text).toContain('--fail-if thresholds');
    expect(page.text).toMatch(/errors>1000\s+\S+\s+passed/);
    expect(page.text).toMatch(/p99\.read>0\.0001x\s+\S+\s+FAILED/);
    expect(page.text).toContain('1 failed');

    const faultsHtml = join(dir, 'faults.html');
    const f = cli(['faults', faultLog, '--trace', replayOut, '--html', faultsHtml]);
    expect(f.code).toBe(0);
    const faults = await browser.check(faultsHtml, 'faults-fio');
    expectRendered(faults, faultsHtml, 5);
    expect(faults.charts.map((c) => c.label)).toEqual(
      expect.arrayContaining(['faults per rule over time', 'ops affected per rule', 'faults per process']),
    );
    expect(faults.text).toContain('cli-fault-1 (errno)');
    expect(faults.text).toContain("The trace's fault columns agree with the log.");
    // The page embeds its aggregates, not the log's lines.
    expect(readFileSync(faultsHtml, 'utf8')).not.toContain('"timeNs"');
  });
});
