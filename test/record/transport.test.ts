/**
 * The transport a mount serves on: the one the run asks for (INTERPOSER_TEST_TRANSPORT, see
 * interposer-process.ts) is really the one in use — libfuse's per-core "fuse-ring-N" threads exist
 * exactly when requests travel over io_uring — and the mount says so, and why. The choice
 * itself (auto/on/off against what the host offers) is checked without touching the host.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { chooseTransport, ioUringUnavailable, type TransportProbe } from '../../src/record/transport.js';
import { UserError } from '../../src/cli/errors.js';
import { CLI, cleanupMounts, sh, startMount } from '../helpers/interposer-process.js';

function ringThreads(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`)
    .map((tid) => readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim())
    .filter((name) => name.startsWith('fuse-ring-'));
}

/** Cpus_allowed_list of each of libfuse's ring threads. */
function ringAffinities(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`)
    .filter((tid) => readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').startsWith('fuse-ring-'))
    .map((tid) => allowedCpus(`/proc/${pid}/task/${tid}/status`));
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

  it.skipIf(process.env.INTERPOSER_TEST_TRANSPORT !== 'io_uring')(
    "lets ring threads run on any CPU the mount may use, or keeps libfuse's pinning with --io-uring-pin",
    async () => {
      for (const pin of [false, true]) {
        const mount = await startMount(pin ? ['--io-uring-pin'] : []);
        // A request from each CPU reaches that CPU's ring, whose thread then serves its first one.
        const n = cpus().length;
        const touch = sh(`for c in $(seq 0 ${n - 1}); do taskset -c $c touch ${mount.mnt}/f$c; done`);
        expect(touch.code).toBe(0);
        const pid = mount.child.pid!;
        const rings = ringAffinities(pid);
        expect(rings.length).toBeGreaterThan(0);
        if (pin) for (const cpu of rings) expect(cpu).toMatch(/^\d+$/);
        else for (const cpu of rings) expect(cpu).toBe(allowedCpus(`/proc/${pid}/status`));
        expect(await mount.stop()).toBe(0);
      }
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
