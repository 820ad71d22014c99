/**
 * stress-ng (Debian package) file-system stressors through the mount, each with --verify: data
 * written and read back (hdd, fallocate, seek), and the name operations that move inodes around
 * (rename, link, dentry). Every stressor must finish without a failure, and the trace must hold
 * the operations they did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StringColumn } from '../../src/trace/batch.js';
import { openTrace } from '../../src/trace/reader.js';
import { cleanupMounts, sh, startMount, type RunningMount } from '../helpers/interposer-process.js';

/** Stressor, its size option, and seconds: about 40 s in all. */
const STRESSORS: [string, string, number][] = [
  ['hdd', '--hdd-bytes 16M', 8],
  ['fallocate', '--fallocate-bytes 16M', 6],
  ['seek', '--seek-size 16M', 6],
  ['rename', '', 6],
  ['link', '', 6],
  ['dentry', '', 6],
];

describe('stress-ng through the mount', () => {
  let mount: RunningMount;
  const results = new Map<string, { code: number; out: string }>();
  /** Ops seen under each stressor's directory: the trace holds millions of rows, so streamed. */
  const opsUnder = new Map<string, Set<string>>(STRESSORS.map(([name]) => [name, new Set<string>()]));

  beforeAll(async () => {
    mount = await startMount();
    for (const [name, sizeOption, seconds] of STRESSORS) {
      const dir = join(mount.mnt, name);
      mkdirSync(dir);
      const r = sh(
        `stress-ng --temp-path ${dir} --${name} 2 ${sizeOption} --verify -t ${seconds}s --metrics-brief 2>&1`,
      );
      results.set(name, { code: r.code, out: r.out });
    }
    expect(await mount.stop()).toBe(0);
    const trace = await openTrace(mount.trace);
    for await (const batch of trace.batches({ columns: ['op', 'path'] })) {
      const op = batch.columns.op as StringColumn;
      const path = batch.columns.path as StringColumn;
      for (let i = 0; i < batch.length; i++) {
        const p = path.indices[i]! < 0 ? '' : path.dictionary[path.indices[i]!]!;
        opsUnder.get(p.split('/')[1] ?? '')?.add(op.dictionary[op.indices[i]!]!);
      }
    }
  }, 180_000);
  afterAll(cleanupMounts);

  it.each(STRESSORS.map(([name]) => name))('%s passes with --verify', (name) => {
    const r = results.get(name)!;
    expect(r.out, r.out).toContain('successful run completed');
    expect(r.out).not.toMatch(/\bfail(ed|ure)?\b/i);
    expect(r.code, r.out).toBe(0);
  });

  it('recorded what the stressors did, under their own directories', () => {
    const ops = (dir: string) => [...opsUnder.get(dir)!];
    expect(ops('hdd')).toEqual(expect.arrayContaining(['create', 'write', 'read']));
    expect(ops('fallocate')).toContain('fallocate');
    expect(ops('seek')).toEqual(expect.arrayContaining(['write', 'read']));
    expect(ops('rename')).toContain('rename');
    expect(ops('link')).toEqual(expect.arrayContaining(['link', 'unlink']));
    expect(ops('dentry')).toEqual(expect.arrayContaining(['create', 'unlink']));
  });
});
