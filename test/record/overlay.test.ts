/**
 * Overlays through a real mount: throttling measured on trace timestamps, injected errors seen
 * by real programs, short reads seen by a child process, every fault in the fault log and the
 * trace, and rule changes over the control socket taking effect on the very next operation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTrace, readAllRows } from '../../src/trace/reader.js';
import type { TraceRow } from '../../src/trace/schema.js';
import { sendControl } from '../../src/record/control-client.js';
import {
  cleanupMounts,
  makeWorkDir,
  sh,
  startMount,
  type RunningMount,
} from '../helpers/interposer-process.js';

const MiB = 1024 * 1024;

function faultLog(
  path: string,
): { kind: string; op: string; path: string; rule: string; errnoName?: string; timeNs: string }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('overlays through the mount', () => {
  afterAll(cleanupMounts);

  describe('with rules given on the command line', () => {
    let mount: RunningMount;
    let rows: TraceRow[];
    const rate = 16 * MiB;
    const results: Record<string, { code: number; out: string; err: string }> = {};

    beforeAll(async () => {
      const dir = makeWorkDir();
      sh(
        `mkdir -p ${dir}/backing && head -c ${64 * MiB} /dev/urandom > ${dir}/backing/big.bin && seq 1 2000 > ${dir}/backing/bad.txt && seq 1 2000 > ${dir}/backing/short.txt`,
      );
      mount = await startMount(
        [
          '--throttle-read',
          `${rate}B/s,path=/big.bin`,
          '--fault',
          'op=read,path=/bad.txt,errno=EIO',
          '--fault',
          'op=read,path=/short.txt,truncate=100,first=1',
          '--fault',
          'op=write,path=**/*.db-journal,errno=ENOSPC',
        ],
        { dir },
      );
      const m = mount.mnt;
      results.throttled = sh(`dd if=${m}/big.bin of=/dev/null bs=1M`);
      results.cat = sh(`cat ${m}/bad.txt`);
      results.short = sh(
        `python3 -c "import os; fd=os.open('${m}/short.txt', os.O_RDONLY); print(len(os.pread(fd, 4096, 0)))"`,
      );
      results.sqlite = sh(`sqlite3 ${m}/app.db "create table t(x); insert into t values (1);"`);
      expect(await mount.stop()).toBe(0);
      rows = await readAllRows(mount.trace);
    });

    it('throttles reads to the configured rate (measured on trace timestamps)', () => {
      expect(results.throttled!.code, results.throttled!.err).toBe(0);
      const reads = rows.filter((r) => r.op === 'read' && r.path === '/big.bin');
      const bytes = reads.reduce((a, r) => a + Number(r.bytes), 0);
      expect(bytes).toBe(64 * MiB);
      const seconds = Number(reads.at(-1)!.endNs - reads[0]!.startNs) / 1e9;
      const achieved = bytes / seconds;
      // Wide bounds: the burst lets the first slice through at once; scheduling adds slack.
      expect(achieved).toBeLessThan(rate * 1.15);
      expect(achieved).toBeGreaterThan(rate * 0.6);
      expect(reads.some((r) => (r.throttleWaitNs ?? 0n) > 0n)).toBe(true);
    });

    it('delivers injected EIO to cat and ENOSPC to sqlite3', () => {
      expect(results.cat!.code).not.toBe(0);
      expect(results.cat!.err).toMatch(/Input\/output error/);
      expect(results.sqlite!.code).not.toBe(0);
      expect(results.sqlite!.err).toMatch(/disk is full|database or disk is full|I\/O error/i);
    });

    it('gives a child process a short read', () => {
      expect(results.short!.out.trim()).toBe('100');
    });

    it('records every fault in the trace and in the fault log', () => {
      const faulted = rows.filter((r) => r.faultKind !== null && r.faultKind !== 'throttle');
      const eio = faulted.filter((r) => r.path === '/bad.txt');
      expect(eio.length).toBeGreaterThan(0);
      for (const r of eio) expect([r.faultKind, r.faultErrno, r.errno]).toEqual(['errno', 5, 5]);
      const short = faulted.filter((r) => r.path === '/short.txt');
      expect(short).toHaveLength(1);
      expect([short[0]!.faultKind, short[0]!.faultTruncatedTo, short[0]!.bytes]).toEqual([
        'truncate',
        100n,
        100n,
      ]);
      const log = faultLog(`${mount.trace}.faults.jsonl`).filter((f) => f.kind !== 'throttle');
      expect(log.length).toBe(faulted.length);
      for (const f of log) expect(Number(f.timeNs)).toBeGreaterThan(1.7e18);
      expect(log.filter((f) => f.path === '/bad.txt').every((f) => f.errnoName === 'EIO')).toBe(true);
      expect(log.some((f) => f.path.endsWith('.db-journal') && f.errnoName === 'ENOSPC')).toBe(true);
    });
  });

  it('applies control-socket rule changes to the very next operation', async () => {
    const dir = makeWorkDir();
    const socket = join(dir, 'ctl.sock');
    const mount = await startMount(['--control', socket], { dir });
    writeFileSync(join(mount.backing, 'f.txt'), 'content\n');
    const cat = (): number => sh(`cat ${mount.mnt}/f.txt`).code;
    expect(cat()).toBe(0);
    const added = await sendControl(socket, {
      cmd: 'add',
      flag: 'fault',
      spec: 'op=open,path=/f.txt,errno=EACCES',
    });
    expect(added.ok).toBe(true);
    expect(cat()).not.toBe(0);
    const rules = await sendControl(socket, { cmd: 'rules' });
    expect(rules.ok && (rules.rules as unknown[]).length).toBe(1);
    expect((await sendControl(socket, { cmd: 'remove', id: String(added.ok && added.id) })).ok).toBe(true);
    expect(cat()).toBe(0);
    const bad = await sendControl(socket, { cmd: 'add', flag: 'fault', spec: 'op=open,errno=ENOPE' });
    expect(bad).toMatchObject({ ok: false });
    expect((await sendControl(socket, { cmd: 'checkpoint' })).ok).toBe(true);
    // After the checkpoint the rows so far are readable while the mount still runs.
    const live = await readAllRows(mount.trace);
    expect(live.filter((r) => r.op === 'event').map((r) => r.path)).toEqual([
      'rule-add',
      'rule-remove',
      'checkpoint',
    ]);
    await mount.stop();
    const rows = await readAllRows(mount.trace);
    const opens = rows.filter((r) => r.op === 'open' && r.path === '/f.txt');
    expect(opens.map((r) => r.errno)).toEqual([0, 13, 0]);
  });

  it('with --control and no rules leaves no fault log, and counts operations apart from event rows', async () => {
    const dir = makeWorkDir();
    const socket = join(dir, 'ctl.sock');
    const before = BigInt(Date.now() - 2) * 1_000_000n;
    const mount = await startMount(['--control', socket], { dir });
    writeFileSync(join(mount.backing, 'h.txt'), 'h\n');
    expect(sh(`cat ${mount.mnt}/h.txt && ls ${mount.mnt}`).code).toBe(0);
    expect((await sendControl(socket, { cmd: 'checkpoint' })).ok).toBe(true);
    expect(await mount.stop()).toBe(0);
    const after = BigInt(Date.now() + 2) * 1_000_000n;
    expect(existsSync(`${mount.trace}.faults.jsonl`)).toBe(false);
    const rows = await readAllRows(mount.trace);
    const operations = rows.filter((r) => r.op !== 'event').length;
    expect(rows.length - operations).toBe(1);
    expect(mount.stderr()).toMatch(
      new RegExp(`; ${operations} operations recorded to .* \\(plus 1 event rows\\)`),
    );
    const anchor = (await openTrace(mount.trace)).metadata.wallClockAnchorNs;
    expect(anchor >= before && anchor <= after).toBe(true);
  });

  it('forgets paths cached as "no rule matches" as soon as a rule names them', async () => {
    const dir = makeWorkDir();
    const socket = join(dir, 'ctl.sock');
    const mount = await startMount(['--control', socket, '--fault', 'op=open,path=/other.txt,errno=EIO'], {
      dir,
    });
    writeFileSync(join(mount.backing, 'g.txt'), 'g\n');
    const cat = (): number => sh(`cat ${mount.mnt}/g.txt`).code;
    // The open rule never matches /g.txt: after the first answer the native side stops asking.
    expect(cat()).toBe(0);
    expect(cat()).toBe(0);
    const added = await sendControl(socket, {
      cmd: 'add',
      flag: 'fault',
      spec: 'op=open,path=/g.txt,errno=EACCES',
    });
    expect(added.ok).toBe(true);
    expect(cat()).not.toBe(0);
    await mount.stop();
    const opens = (await readAllRows(mount.trace)).filter((r) => r.op === 'open' && r.path === '/g.txt');
    expect(opens.map((r) => r.errno)).toEqual([0, 0, 13]);
  });

  it('never asks the overlay about ops no rule for that op can match, and follows rule changes', async () => {
    const dir = makeWorkDir();
    const socket = join(dir, 'ctl.sock');
    // The common shape: throttle every read, inject faults in one directory.
    const mount = await startMount(
      ['--control', socket, '--fault', 'path=/scoped/**,errno=EIO', '--throttle-read', '1GiB/s'],
      { dir },
    );
    sh(`mkdir -p ${mount.backing}/scoped ${mount.backing}/free && touch ${mount.backing}/scoped/s.txt`);
    const questions = async (): Promise<number> => {
      const stats = await sendControl(socket, { cmd: 'stats' });
      return Number(stats.ok && stats.overlayQuestions);
    };
    const before = await questions();
    // Fresh names every time: the per-path cache could not help here, the prefix check does.
    const created = sh(
      `cd ${mount.mnt}/free && for i in $(seq 1 40); do echo x > f$i && stat f$i >/dev/null; done`,
    );
    expect(created.code, created.err).toBe(0);
    expect(await questions()).toBe(before);
    // Reads are throttled everywhere, so they are asked about.
    expect(sh(`cat ${mount.mnt}/free/f1`).code).toBe(0);
    const afterRead = await questions();
    expect(afterRead).toBeGreaterThan(before);
    expect(sh(`cat ${mount.mnt}/scoped/s.txt`).code).not.toBe(0);
    expect(await questions()).toBeGreaterThan(afterRead);
    // A rule outside the old scope widens it at once.
    const added = await sendControl(socket, {
      cmd: 'add',
      flag: 'fault',
      spec: 'op=open,path=/free/f1,errno=EACCES',
    });
    expect(added.ok).toBe(true);
    expect(sh(`cat ${mount.mnt}/free/f1`).code).not.toBe(0);
    expect(sh(`cat ${mount.mnt}/free/f2`).code).toBe(0);
    await mount.stop();
  });

  it('survives rule changes racing with operations (each change swaps the native path scopes)', async () => {
    const dir = makeWorkDir();
    const socket = join(dir, 'ctl.sock');
    const mount = await startMount(['--control', socket], { dir });
    sh(`mkdir -p ${mount.backing}/free && for i in $(seq 1 20); do echo x > ${mount.backing}/free/f$i; done`);
    const workload = spawn('sh', [
      '-c',
      `for n in $(seq 1 150); do cat ${mount.mnt}/free/* >/dev/null || exit 1; done`,
    ]);
    const workloadExit = new Promise<number | null>((resolve) =>
      workload.on('exit', (code) => resolve(code)),
    );
    let changes = 0;
    let running = true;
    void workloadExit.then(() => (running = false));
    while (running) {
      const added = await sendControl(socket, {
        cmd: 'add',
        flag: 'fault',
        spec: `path=/other/${changes}/**,errno=EIO`,
      });
      expect(added.ok).toBe(true);
      expect((await sendControl(socket, { cmd: 'remove', id: String(added.ok && added.id) })).ok).toBe(true);
      changes++;
    }
    expect(await workloadExit).toBe(0);
    expect(changes).toBeGreaterThan(10);
    expect(await mount.stop()).toBe(0);
  });
});
