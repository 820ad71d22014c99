import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hiveKeys, parseSourceFilter, resolveTraceInputs, sourceMatches } from '../../src/analyze/inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'interposer-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trace inputs', () => {
  it('reads hive keys from a path', () => {
    expect(hiveKeys('/t/node=n1/namespace=shop/pod=db%2D0/volume=data/trace.parquet')).toEqual({
      node: 'n1',
      namespace: 'shop',
      pod: 'db-0',
      volume: 'data',
    });
    expect(hiveKeys('/tmp/plain/trace.parquet')).toEqual({});
  });

  it('expands directories and globs, sorted and without duplicates', async () => {
    for (const p of ['node=a/pod=x', 'node=a/pod=y', 'node=b/pod=x']) {
      mkdirSync(join(dir, p), { recursive: true });
      writeFileSync(join(dir, p, 'trace.parquet'), '');
      writeFileSync(join(dir, p, 'notes.txt'), '');
    }
    const all = await resolveTraceInputs([dir]);
    expect(all.map((f) => f.slice(dir.length))).toEqual([
      '/node=a/pod=x/trace.parquet',
      '/node=a/pod=y/trace.parquet',
      '/node=b/pod=x/trace.parquet',
    ]);
    const glob = await resolveTraceInputs([
      join(dir, 'node=*/pod=x/*.parquet'),
      join(dir, 'node=a/pod=x/trace.parquet'),
    ]);
    expect(glob.map((f) => f.slice(dir.length))).toEqual([
      '/node=a/pod=x/trace.parquet',
      '/node=b/pod=x/trace.parquet',
    ]);
    await expect(resolveTraceInputs([join(dir, 'node=z/**/*.parquet')])).rejects.toThrow(
      /no trace file matches/,
    );
    await expect(resolveTraceInputs([join(dir, 'missing')])).rejects.toThrow(/no such trace file/);
  });

  it('filters sources by key=glob terms, all of which must match', () => {
    const filter = parseSourceFilter(['pod=db-*', 'node=n1,namespace=shop']);
    expect(filter).toEqual({ pod: 'db-*', node: 'n1', namespace: 'shop' });
    expect(sourceMatches({ pod: 'db-0', node: 'n1', namespace: 'shop' }, filter)).toBe(true);
    expect(sourceMatches({ pod: 'web-0', node: 'n1', namespace: 'shop' }, filter)).toBe(false);
    expect(sourceMatches({ pod: 'db-0' }, filter)).toBe(false);
    expect(() => parseSourceFilter(['pod'])).toThrow(/not key=value/);
  });
});
