/**
 * A sqlite3 run recorded through the real mount, with an overlay delaying fsync and failing some
 * writes to a side file, then its report and fault report opened in Chromium: the numbers on the
 * page must be those of the run (the database file, the sqlite3 process, the injected faults).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeTrace } from '../../src/analyze/index.js';
import { cleanupMounts, sh, startMount, type RunningMount } from '../helpers/interposer-process.js';
import { ReportBrowser } from './browser.js';
import { cli, expectRendered } from './helpers.js';

describe('report of a sqlite3 run recorded through the mount', () => {
  let mount: RunningMount;
  let browser: ReportBrowser;
  let faultLog: string;

  beforeAll(async () => {
    mount = await startMount([
      '--delay',
      'op=fsync,fixed=2ms',
      '--fault',
      'op=write,path=**/side.log,errno=ENOSPC,first=3',
    ]);
    faultLog = `${mount.trace}.faults.jsonl`;
    const m = mount.mnt;
    const inserts = Array.from({ length: 300 }, (_, i) => `insert into t(v) values ('row${i}');`).join(' ');
    const steps = [
      `sqlite3 ${m}/app.db "create table t(k integer primary key, v text); begin; ${inserts} commit; ` +
        `update t set v = v || '!' where k % 3 = 0; pragma integrity_check;"`,
      `for i in 1 2 3 4 5; do sqlite3 ${m}/app.db "insert into t(v) values ('more$i');"; done`,
      `sqlite3 ${m}/app.db "select count(*) from t;"`,
    ];
    for (const step of steps) {
      const r = sh(step);
      expect(r.code, `${step}\n${r.err}`).toBe(0);
    }
    // The application sees the injected ENOSPC (3 times), then writes succeed.
    const failing = sh(`for i in 1 2 3 4; do echo line$i >> ${m}/side.log || echo failed$i; done`);
    expect(failing.out).toContain('failed1');
    expect(await mount.stop()).toBe(0);
    browser = await ReportBrowser.launch();
  });
  afterAll(async () => {
    await browser?.close();
    await cleanupMounts();
  });

  it('shows the run in every chart, with the faults marked', async () => {
    const out = join(mount.dir, 'report.html');
    const r = cli(['report', mount.trace, '-o', out]);
    expect(r.code).toBe(0);
    const page = await browser.check(out, 'recorded-sqlite3');
    expectRendered(page, out, 7);
    const report = await analyzeTrace(mount.trace);
    // Same numbers as the analyzer: calls, top file, process.
    expect(page.text).toContain(report.totals.calls.toLocaleString('en-US'));
    expect(page.text).toContain('/app.db');
    expect(page.text).toMatch(/sqlite3 \(\d+\)/);
    expect(page.text).toContain('application errors');
    expect(report.faults.rows).toBeGreaterThan(0);
    expect(page.text).toContain('injected faults');
  });

  it('shows the faults the overlay injected in that run', async () => {
    const out = join(mount.dir, 'faults.html');
    const r = cli(['faults', faultLog, '--trace', mount.trace, '--html', out]);
    expect(r.code).toBe(0);
    const page = await browser.check(out, 'recorded-sqlite3-faults');
    expectRendered(page, out, 4);
    expect(page.text).toContain('ENOSPC');
    expect(page.text).toMatch(/sqlite3|sh|bash/);
  });
});
