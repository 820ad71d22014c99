/** Running the compiled CLI for report tests, and the checks every generated page must pass. */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { expect } from 'vitest';
import { CLI } from '../helpers/interposer-process.js';
import type { PageCheck } from './browser.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Reports embed aggregates only: well under this whatever the trace. */
export const MAX_REPORT_BYTES = 5 * 1024 * 1024;

/** What a viewer must see: every chart drew shapes at a real size, nothing failed, nothing fetched. */
export function expectRendered(check: PageCheck, file: string, minCharts: number): void {
  expect(check.consoleErrors).toEqual([]);
  expect(check.requests).toEqual([]);
  expect(check.charts.length).toBeGreaterThanOrEqual(minCharts);
  for (const c of check.charts) {
    expect(c.shapes, c.label).toBeGreaterThan(2);
    expect(c.width, c.label).toBeGreaterThan(300);
    expect(c.height, c.label).toBeGreaterThan(40);
  }
  expect(check.emptyCharts).toEqual([]);
  expect(statSync(file).size).toBeLessThan(MAX_REPORT_BYTES);
}
