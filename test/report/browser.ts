/**
 * Opens report files in Debian's headless Chromium (playwright-core, never a downloaded
 * browser) and reports what a viewer would see: console errors, network requests, and for every
 * figure whether its chart drew something. Screenshots go to test-artifacts/report/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts/report');

export interface ChartInfo {
  label: string;
  /** Drawn shapes (rect, path, line, circle) inside the chart. */
  shapes: number;
  width: number;
  height: number;
}

export interface PageCheck {
  consoleErrors: string[];
  /** Every request other than the file itself. */
  requests: string[];
  charts: ChartInfo[];
  /** Charts that show the "no calls" placeholder. */
  emptyCharts: string[];
  title: string;
  /** Computed background colour of the body (to check the theme). */
  background: string;
}

/** Runs in the page (a string: the test project has no DOM types). */
const INSPECT = `(() => {
  const charts = [...document.querySelectorAll('svg.chart')].map((svg) => {
    const box = svg.getBoundingClientRect();
    return {
      label: svg.getAttribute('aria-label') ?? '',
      shapes: svg.querySelectorAll('rect, path, line, circle').length,
      width: box.width,
      height: box.height,
      empty: svg.querySelector('text.empty') !== null,
    };
  });
  return { charts, title: document.title, background: getComputedStyle(document.body).backgroundColor };
})()`;

export class ReportBrowser {
  private constructor(
    private readonly browser: Browser,
    private readonly profile: string,
  ) {}

  static async launch(): Promise<ReportBrowser> {
    const profile = mkdtempSync(join(tmpdir(), 'report-chromium-'));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
      ],
    });
    return new ReportBrowser(browser, profile);
  }

  /** Loads `file`, checks it, and saves `<name>.png` (and `<name>-dark.png` when dark is set). */
  async check(file: string, name: string, colorScheme: 'light' | 'dark' = 'light'): Promise<PageCheck> {
    const context = await this.browser.newContext({ colorScheme, viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const url = pathToFileURL(file).href;
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    try {
      await page.goto(url, { waitUntil: 'load' });
      const result = (await page.evaluate(INSPECT)) as {
        charts: (ChartInfo & { empty: boolean })[];
        title: string;
        background: string;
      };
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({
        path: join(ARTIFACTS, `${name}${colorScheme === 'dark' ? '-dark' : ''}.png`),
        fullPage: true,
      });
      return {
        consoleErrors,
        requests,
        charts: result.charts.map(({ empty: _e, ...c }) => c),
        emptyCharts: result.charts.filter((c) => c.empty).map((c) => c.label),
        title: result.title,
        background: result.background,
      };
    } finally {
      await context.close();
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}
