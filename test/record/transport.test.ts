/**
 * The transport a mount serves on: the one the run asks for (INTERPOSER_TEST_TRANSPORT, see
 * interposer-process.ts) is really the one in use — libfuse's per-core "fuse-ring-N" threads exist
 * exactly when requests travel over io_uring — and the mount says so, and why. The choice
 * itself (auto/on/off against what the host offers) is checked without touching the host.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { chooseTransport, ioUringUnavailable, type TransportProbe } from '../../src/record/transport.js';
import { UserError } from '../../src/cli/errors.js';
import { CLI, cleanupMounts, sh, startMount } from '../helpers/interposer-process.js';

function ringThreads(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`)
    .map((tid) => readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim())
    .filter((name) => name.startsWith('fuse-ring-'));
}

/** Cpus_allowed_list of the thread serving ring (CPU) `ring`. */
function ringAffinity(pid: number, ring: number): string {
  const tid = readdirSync(`/proc/${pid}/task`).find(
    (t) => readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim() === `fuse-ring-${ring}`,
  );
  if (!tid) throw new Error(`no fuse-ring-${ring} thread in ${pid}`);
  return allowedCpus(`/proc/${pid}/task/${tid}/status`);
}

/** Every affinity ring `ring`'s thread had while `command` ran (sampled each millisecond). */
async function affinitiesWhile(pid: number, ring: number, command: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const child = spawn('sh', ['-c', command], { stdio: 'ignore' });
  const done = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let running = true;
  void done.then(() => (running = false));
  while (running) {
    seen.add(ringAffinity(pid, ring));
    await new Promise((r) => setTimeout(r, 1));
  }
  expect(await done).toBe(0);
  return seen;
}

/** Runs a shell command without blocking the event loop (a child's exit is seen meanwhile). */
function run(command: string): Promise<{ code: number | null; out: string }> {
  const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

const allowedCpus = (statusPath: string): string =>
  /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(statusPath, 'utf8'))?.[1] ?? '';

const HOST: TransportProbe = {
  libfuseHasUring: true,
  kernelEnableUring: true,
  ioUringDisabled: 0,
  isRoot: true,
};

describe('choosing the transport', () => {
  it('auto takes io_uring when the host offers it, and says why not when it does not', () => {
    expect(chooseTransport('auto', HOST).ioUring).toBe(true);
    const off = chooseTransport('auto', { ...HOST, kernelEnableUring: false });
    expect(off.ioUring).toBe(false);
    expect(off.reason).toContain('enable_uring is N');
    expect(chooseTransport('auto', { ...HOST, kernelEnableUring: null }).reason).toContain('Linux >= 6.14');
    expect(chooseTransport('auto', { ...HOST, libfuseHasUring: false }).reason).toContain('libfuse < 3.18');
    expect(chooseTransport('auto', { ...HOST, ioUringDisabled: 2 }).reason).toContain('io_uring_disabled=2');
    expect(ioUringUnavailable({ ...HOST, ioUringDisabled: 1, isRoot: true })).toBeNull();
    expect(ioUringUnavailable({ ...HOST, ioUringDisabled: 1, isRoot: false })).toContain(
      'io_uring_disabled=1',
    );
  });

  it('on refuses a host without io_uring with the reason; off never uses it', () => {
    expect(() => chooseTransport('on', { ...HOST, kernelEnableUring: false })).toThrow(UserError);
    expect(() => chooseTransport('on', { ...HOST, kernelEnableUring: false })).toThrow(
      /--io-uring on: .*enable_uring/,
    );
    expect(chooseTransport('off', HOST)).toEqual({ ioUring: false, reason: '--io-uring off' });
  });
});

describe('the transport in use', () => {
  afterAll(cleanupMounts);

  it('serves on the transport the run asks for, and says which at mount time', async () => {
    const uring = process.env.INTERPOSER_TEST_TRANSPORT === 'io_uring';
    const mount = await startMount();
    expect(mount.stderr()).toContain(uring ? 'transport io_uring:' : 'transport /dev/fuse: --io-uring off');
    expect(
      sh(
        `dd if=/dev/zero of=${mount.mnt}/f bs=64k count=16 status=none && cat ${mount.mnt}/f | wc -c`,
      ).out.trim(),
    ).toBe(String(16 * 65536));
    const rings = ringThreads(mount.child.pid!);
    if (uring) expect(rings.length).toBeGreaterThan(0);
    else expect(rings).toEqual([]);
    expect(await mount.stop()).toBe(0);
  });

  it.skipIf(process.env.INTERPOSER_TEST_TRANSPORT !== 'io_uring' || cpus().length < 2)(
    "keeps a ring thread on its CPU, spreads it to the mount's CPUs while it serves readahead, and never with --io-uring-pin",
    async () => {
      for (const pin of [false, true]) {
        // No kernel caching: the stat below reaches the server, and the reads are not served
        // from pages an earlier open left.
        const mount = await startMount([
          '--cache-timeout',
          '0',
          '--no-keep-cache',
          ...(pin ? ['--io-uring-pin'] : []),
        ]);
        const pid = mount.child.pid!;
        const all = allowedCpus(`/proc/${pid}/status`);
        // The kernel queues a caller's request on the ring of the caller's CPU: ring 0 here.
        expect(sh(`taskset -c 0 touch ${mount.mnt}/small`).code).toBe(0);
        expect(ringAffinity(pid, 0)).toBe('0');
        writeFileSync(join(mount.backing, 'big'), Buffer.alloc(128 << 20, 1));
        const seen = await affinitiesWhile(pid, 0, `taskset -c 0 cat ${mount.mnt}/big > /dev/null`);
        if (pin) expect([...seen]).toEqual(['0']);
        else expect(seen).toContain(all);
        // Past the hold after the last large read, the next small request pins it back.
        await new Promise((r) => setTimeout(r, 50));
        expect(sh(`taskset -c 0 stat ${mount.mnt}/big`).code).toBe(0);
        expect(ringAffinity(pid, 0)).toBe('0');
        expect(await mount.stop()).toBe(0);
      }
    },
  );

  // Over io_uring one thread serves each CPU's ring, and every caller here runs on CPU 0: before
  // such requests left the ring thread, the stat and ls below waited for the delayed one.
  const delayed = [
    {
      op: 'fsync',
      setup: () => undefined,
      command: (mnt: string) => `dd if=/dev/zero of=${mnt}/f bs=4k count=1 conv=fsync status=none`,
    },
    {
      op: 'unlink',
      setup: (mnt: string) => writeFileSync(join(mnt, 'f'), Buffer.alloc(4096)),
      // In a directory of its own: the kernel holds the parent's lock through an unlink.
      command: (mnt: string) => `mkdir ${mnt}/d && touch ${mnt}/d/g && rm ${mnt}/d/g`,
    },
  ];
  it.each(delayed)(
    'a $op the overlay delays does not hold up the other requests from its CPU',
    async ({ op, setup, command }) => {
      const mount = await startMount(['--cache-timeout', '0', '--delay', `op=${op},fixed=5s`], {
        env: { INTERPOSER_IO_URING_OFFLOAD: '1' },
      });
      setup(mount.mnt);
      const faultLog = `${mount.trace}.faults.jsonl`;
      const slow = spawn('taskset', ['-c', '0', 'sh', '-c', command(mount.mnt)], { stdio: 'ignore' });
      const slowDone = new Promise<number | null>((resolve) => slow.on('exit', resolve));
      // The overlay logs the delay when it decides it, before the request starts to wait.
      while (!(existsSync(faultLog) && readFileSync(faultLog, 'utf8').includes(`"${op}"`))) {
        expect(slow.exitCode).toBeNull();
        await new Promise((r) => setTimeout(r, 20));
      }
      const look = run(`taskset -c 0 stat -c %s ${mount.mnt}/f && taskset -c 0 ls ${mount.mnt}`);
      const first = await Promise.race([look.then(() => 'stat and ls'), slowDone.then(() => op)]);
      expect(first).toBe('stat and ls');
      expect((await look).code).toBe(0);
      expect((await look).out.split('\n')[0]).toBe('4096');
      expect(await slowDone).toBe(0);
      expect(await mount.stop()).toBe(0);
    },
  );

  it('--io-uring off keeps /dev/fuse even when the kernel offers io_uring', async () => {
    const mount = await startMount(['--io-uring', 'off']);
    expect(mount.stderr()).toContain('transport /dev/fuse: --io-uring off');
    expect(ringThreads(mount.child.pid!)).toEqual([]);
    expect(await mount.stop()).toBe(0);
  });

  it('rejects an unknown --io-uring mode with one line and exit 2', () => {
    const r = sh(`node ${CLI} mount /tmp /tmp --io-uring sometimes`);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('--io-uring: expected one of auto, on, off');
  });
});
