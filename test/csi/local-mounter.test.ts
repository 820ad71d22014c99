/**
 * LocalMounter's process and mount lifecycle, through the gRPC driver: spawn, readiness, SIGTERM,
 * SIGKILL and lazy-unmount fallbacks, failure cleanup, and unpublish after a driver restart. The
 * helper is a shell script that honours `interposer mount`'s contract with a tmpfs (see
 * fixtures/fake-interposer.sh); the real FUSE path is covered by local-e2e.test.ts.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findMount, unmountAll } from '../../src/csi/host-mounts.js';
import { LocalMounter, type LocalHandle } from '../../src/csi/local-mounter.js';
import { isProcessAlive } from '../../src/csi/processes.js';
import { StateStore } from '../../src/csi/state-store.js';
import {
  codeOf,
  makeTempDir,
  MOUNT_CAPABILITY,
  podContext,
  removeDir,
  startDriver,
  type Driver,
} from './harness.js';

const FAKE = fileURLToPath(new URL('./fixtures/fake-interposer.sh', import.meta.url));

let dir: string;
let driver: Driver | undefined;

function mounterFor(behaviour: string, mountTimeoutMs = 10_000): LocalMounter {
  process.env.FAKE_BEHAVIOUR = behaviour;
  return new LocalMounter({
    nodeId: 'node-a',
    workDir: join(dir, 'work'),
    traceDir: join(dir, 'traces'),
    baseDir: join(dir, 'backing'),
    command: ['/bin/bash', FAKE],
    mountTimeoutMs,
    stopTimeoutMs: 1_000,
    acceptMount: (e) => e.fsType === 'tmpfs' && e.source === 'fake-interposer',
  });
}

const target = () => join(dir, 'pods', 'uid-1', 'volumes', 'vol-1', 'mount');
const publishArgs = (context: Record<string, string> = podContext()) => ({
  volume_id: 'vol-1',
  target_path: target(),
  volume_capability: MOUNT_CAPABILITY,
  volume_context: context,
});

async function handleOf(): Promise<LocalHandle> {
  const record = await new StateStore<LocalHandle>(join(dir, 'state')).get('vol-1');
  if (!record) throw new Error('no state record for vol-1');
  return record.handle;
}

beforeEach(async () => {
  dir = await makeTempDir('csi-local-');
});

afterEach(async () => {
  await driver?.stop();
  driver = undefined;
  delete process.env.FAKE_BEHAVIOUR;
  // Never leave a mount behind, whatever the test did.
  await unmountAll(target()).catch(() => undefined);
  await removeDir(dir);
});

describe('LocalMounter', () => {
  it('spawns the helper with backing dir, target and a per-pod trace path, and waits for the mount', async () => {
    driver = await startDriver(mounterFor('ok'), { dir });
    const overlay = '{"throttle":{"readBytesPerSec":1048576}}';
    await driver.node('NodePublishVolume', publishArgs(podContext({ overlay })));
    expect((await findMount(target()))?.fsType).toBe('tmpfs');
    const handle = await handleOf();
    expect(await isProcessAlive(handle.pid, target())).toBe(true);
    expect(handle.backingDir).toBe(join(dir, 'backing', 'vol-1'));
    expect(existsSync(handle.backingDir)).toBe(true);
    // Hive-style: node=/namespace=/pod=/<volume>-<start time>.parquet, directories root-only.
    expect(handle.tracePath).toMatch(
      new RegExp(
        `^${join(dir, 'traces')}/node=node-a/namespace=bench/pod=minio-0/vol-1-\\d{8}T\\d{6}\\.\\d{3}Z\\.parquet$`,
      ),
    );
    expect(statSync(join(dir, 'traces', 'node=node-a', 'namespace=bench', 'pod=minio-0')).mode & 0o777).toBe(
      0o700,
    );
    const log = readFileSync(handle.logPath, 'utf8');
    expect(log).toContain(`args: --trace ${handle.tracePath} --overlay ${handle.overlayPath}`);
    expect(readFileSync(handle.overlayPath!, 'utf8')).toBe(overlay);

    await driver.node('NodeUnpublishVolume', { volume_id: 'vol-1', target_path: target() });
    expect(await isProcessAlive(handle.pid)).toBe(false);
    expect(await findMount(target())).toBeUndefined();
    expect(existsSync(target())).toBe(false);
    expect(existsSync(handle.overlayPath!)).toBe(false);
    // Nothing left behind: the helper's log, and the ephemeral volume's backing dir.
    expect(existsSync(handle.logPath)).toBe(false);
    expect(existsSync(handle.backingDir)).toBe(false);
  });

  it('passes --no-trace for trace: "false", so nothing records to a shared ./interposer-trace.parquet', async () => {
    driver = await startDriver(mounterFor('ok'), { dir });
    await driver.node('NodePublishVolume', publishArgs(podContext({ trace: 'false' })));
    const handle = await handleOf();
    expect(readFileSync(handle.logPath, 'utf8')).toMatch(/^args: --no-trace$/m);
    await driver.node('NodeUnpublishVolume', { volume_id: 'vol-1', target_path: target() });
  });

  it('mounts read-only for a readonly publish: the helper gets -o ro and writes fail', async () => {
    driver = await startDriver(mounterFor('ok'), { dir });
    await driver.node('NodePublishVolume', { ...publishArgs(), readonly: true });
    const handle = await handleOf();
    expect(readFileSync(handle.logPath, 'utf8')).toMatch(/^args: --trace \S+ -o ro$/m);
    expect(() => writeFileSync(join(target(), 'x'), 'no')).toThrow(/EROFS|read-only/i);
    await driver.node('NodeUnpublishVolume', { volume_id: 'vol-1', target_path: target() });
  });

  it('keeps the backing dir of a non-ephemeral volume at unpublish', async () => {
    driver = await startDriver(mounterFor('ok'), { dir });
    const context = podContext();
    delete context['csi.storage.k8s.io/ephemeral'];
    await driver.node('NodePublishVolume', publishArgs(context));
    const handle = await handleOf();
    writeFileSync(join(handle.backingDir, 'keep'), 'data');
    await driver.node('NodeUnpublishVolume', { volume_id: 'vol-1', target_path: target() });
    expect(readFileSync(join(handle.backingDir, 'keep'), 'utf8')).toBe('data');
  });

  it('uses the backingDir attribute and answers NOT_FOUND when it does not exist', async () => {
    driver = await startDriver(mounterFor('ok'), { dir });
    const missing = podContext({ backingDir: join(dir, 'nope') });
    expect(await codeOf(driver.node('NodePublishVolume', publishArgs(missing)))).toBe('NOT_FOUND');
    const backing = join(dir, 'data');
    await mkdir(backing);
    await driver.node('NodePublishVolume', publishArgs(podContext({ backingDir: backing, trace: 'false' })));
    const handle = await handleOf();
    expect(handle.backingDir).toBe(backing);
    expect(handle.tracePath).toBeNull();
    await driver.node('NodeUnpublishVolume', { volume_id: 'vol-1', target_path: target() });
  });

  it('reports a helper that exits at start as INTERNAL with its log, and cleans up', async () => {
    driver = await startDriver(mounterFor('fail'), { dir });
    const err = await driver.node('NodePublishVolume', publishArgs()).catch((e: Error) => e);
    expect(await codeOf(Promise.reject(err))).toBe('INTERNAL');
    expect(String((err as Error).message)).toContain('backing dir is unusable');
    expect(existsSync(target())).toBe(false);
  });

  it('times out with DEADLINE_EXCEEDED when no mount appears, and stops the helper', async () => {
    driver = await startDriver(mounterFor('never-mount', 500), { dir });
    expect(await codeOf(driver.node('NodePublishVolume', publishArgs()))).toBe('DEADLINE_EXCEEDED');
    expect(existsSync(target())).toBe(false);
    const err = await driver.node('NodePublishVolume', publishArgs()).catch((e: Error) => e);
    expect(String((err as Error).message)).toMatch(/no mount at .* after 500 ms; log: args:/);
  });

  it('kills a helper that ignores SIGTERM and still leaves nothing mounted', async () => {
    driver = await startDriver(mounterFor('ignore-term'), { dir });
    await driver.node('NodePublishVolume', publishArgs());
    const handle = await handleOf();
    await driver.node('NodeUnpublishVolume', { volume_id: 'vol-1', target_path: target() });
    expect(await isProcessAlive(handle.pid)).toBe(false);
    expect(await findMount(target())).toBeUndefined();
  });

  it('unpublishes from a restarted driver using the state dir', async () => {
    driver = await startDriver(mounterFor('ok'), { dir });
    await driver.node('NodePublishVolume', publishArgs());
    const handle = await handleOf();
    await driver.stop();
    driver = await startDriver(mounterFor('ok'), { dir });
    // Still mounted and served across the restart.
    expect(await isProcessAlive(handle.pid, target())).toBe(true);
    await driver.node('NodeUnpublishVolume', { volume_id: 'vol-1', target_path: target() });
    expect(await isProcessAlive(handle.pid)).toBe(false);
    expect(await findMount(target())).toBeUndefined();
  });

  it('republishes after the helper died and the mount was lost', async () => {
    driver = await startDriver(mounterFor('ok'), { dir });
    await driver.node('NodePublishVolume', publishArgs());
    const first = await handleOf();
    process.kill(first.pid, 'SIGKILL');
    await unmountAll(target());
    await driver.node('NodePublishVolume', publishArgs());
    const second = await handleOf();
    expect(second.pid).not.toBe(first.pid);
    // The crashed helper's trace stays; the new helper writes its own file.
    expect(second.tracePath).not.toBe(first.tracePath);
    expect(
      second.tracePath!.startsWith(join(dir, 'traces', 'node=node-a/namespace=bench/pod=minio-0/')),
    ).toBe(true);
    // The ephemeral volume's data survives the republish.
    expect(second.backingDir).toBe(first.backingDir);
    expect(existsSync(second.backingDir)).toBe(true);
    expect(await isProcessAlive(second.pid, target())).toBe(true);
    await driver.node('NodeUnpublishVolume', { volume_id: 'vol-1', target_path: target() });
    expect(await findMount(target())).toBeUndefined();
  });
});
