/**
 * Opens report files in Debian's headless Chromium (playwright-core, never a downloaded
 * browser) and reports what a viewer would see: console errors, network requests, and for every
 * figure whether its chart drew something. Screenshots go to test-artifacts/report/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

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
  /** The page's visible text. */
  text: string;
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
  return {
    charts,
    title: document.title,
    background: getComputedStyle(document.body).backgroundColor,
    text: document.body.innerText,
  };
})()`;

export class ReportBrowser {
  private constructor(
    private readonly context: BrowserContext,
    private readonly profile: string,
  ) {}

  static async launch(): Promise<ReportBrowser> {
    const profile = mkdtempSync(join(tmpdir(), 'report-chromium-'));
    // A fresh profile per run (Playwright takes it as the persistent context's directory).
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1100, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    return new ReportBrowser(context, profile);
  }

  /** Loads `file`, checks it, and saves `<name>.png` (and `<name>-dark.png` when dark is set). */
  async check(file: string, name: string, colorScheme: 'light' | 'dark' = 'light'): Promise<PageCheck> {
    const page = await this.context.newPage();
    await page.emulateMedia({ colorScheme });
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
        text: string;
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
        text: result.text,
      };
    } finally {
      await page.close();
    }
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}
