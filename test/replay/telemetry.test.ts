/**
 * A replay emits the same telemetry as a live mount, so a replay in CI shows up on the same
 * dashboards: here the metric snapshots (the no-server store) must count every replayed op.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAllRows } from '../../src/trace/reader.js';
import type { SnapshotLine } from '../../src/telemetry/snapshot-file.js';
import { CLI, ROOT, makeWorkDir, requireBuild, sh } from '../helpers/interposer-process.js';

describe('replay telemetry', () => {
  it('counts every replayed operation in the exported metrics', async () => {
    requireBuild();
    const dir = makeWorkDir();
    const out = join(dir, 'replay.parquet');
    const metrics = join(dir, 'metrics.jsonl');
    const r = sh(
      `node ${CLI} replay ${join(ROOT, 'fixtures/tar.parquet')} --target ${dir}/target --out ${out} ` +
        `--timing afap --metrics-file ${metrics}`,
    );
    expect(r.code, r.err).toBe(0);
    const rows = await readAllRows(out);
    const lines = readFileSync(metrics, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as SnapshotLine);
    const opsLines = lines.filter((l) => l.metric === 'interposer.ops');
    expect(opsLines.length).toBeGreaterThan(0);
    // The last snapshot holds the cumulative totals.
    const lastTime = opsLines.at(-1)!.time;
    const total = opsLines.filter((l) => l.time === lastTime).reduce((a, l) => a + (l.value ?? 0), 0);
    expect(total).toBe(rows.length);
  });
});
