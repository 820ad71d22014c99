/**
 * csi-sanity style checks of the Identity and Node services over the real gRPC socket, with a
 * recording mounter so only the protocol behaviour is under test.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DRIVER_NAME } from '../../src/csi/constants.js';
import { codeOf, MOUNT_CAPABILITY, podContext, removeDir, startDriver, type Driver } from './harness.js';
import { RecordingMounter } from './recording-mounter.js';

let mounter: RecordingMounter;
let driver: Driver;

beforeEach(async () => {
  mounter = new RecordingMounter();
  driver = await startDriver(mounter);
});

afterEach(async () => {
  await driver.stop();
  await removeDir(driver.dir);
});

const target = () => join(driver.dir, 'pods', 'uid-1', 'volumes', 'vol-1', 'mount');
const publishArgs = (overrides: Record<string, unknown> = {}) => ({
  volume_id: 'vol-1',
  target_path: target(),
  volume_capability: MOUNT_CAPABILITY,
  readonly: false,
  volume_context: podContext({ persistentVolumeClaimName: 'backing' }),
  ...overrides,
});

describe('Identity', () => {
  it('reports the plugin name and a version', async () => {
    const info = await driver.identity('GetPluginInfo');
    expect(info.name).toBe(DRIVER_NAME);
    expect(info.vendor_version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('offers no controller service where only the node plugin runs, and topology constraints', async () => {
    const caps = await driver.identity('GetPluginCapabilities');
    const types = (caps.capabilities as { service?: { type: string } }[]).map((c) => c.service?.type);
    expect(types).not.toContain('CONTROLLER_SERVICE');
    expect(types).toContain('VOLUME_ACCESSIBILITY_CONSTRAINTS');
  });

  it('is ready on Probe', async () => {
    expect(await driver.identity('Probe')).toMatchObject({ ready: { value: true } });
  });
});

describe('Node info and capabilities', () => {
  it('returns the node id', async () => {
    expect(await driver.node('NodeGetInfo')).toMatchObject({
      node_id: 'test-node',
      accessible_topology: { segments: { 'topology.interposer.csi.example.com/node': 'test-node' } },
    });
  });

  it('advertises GET_VOLUME_STATS but not STAGE_UNSTAGE_VOLUME', async () => {
    const caps = await driver.node('NodeGetCapabilities');
    const types = (caps.capabilities as { rpc: { type: string } }[]).map((c) => c.rpc.type);
    expect(types).toContain('GET_VOLUME_STATS');
    expect(types).not.toContain('STAGE_UNSTAGE_VOLUME');
  });

  it('answers UNIMPLEMENTED for RPCs it does not support', async () => {
    expect(await codeOf(driver.node('NodeStageVolume', { volume_id: 'v' }))).toBe('UNIMPLEMENTED');
    expect(await codeOf(driver.node('NodeUnstageVolume', { volume_id: 'v' }))).toBe('UNIMPLEMENTED');
    expect(await codeOf(driver.node('NodeExpandVolume', { volume_id: 'v' }))).toBe('UNIMPLEMENTED');
    expect(await codeOf(driver.raw('/csi.v1.Controller/CreateVolume'))).toBe('UNIMPLEMENTED');
  });
});

describe('NodePublishVolume argument validation', () => {
  it.each([
    ['no volume_id', { volume_id: '' }],
    ['no target_path', { target_path: '' }],
    ['a relative target_path', { target_path: 'relative/dir' }],
    ['no volume_capability', { volume_capability: null }],
    ['block access', { volume_capability: { block: {}, access_mode: { mode: 'SINGLE_NODE_WRITER' } } }],
    ['no access mode', { volume_capability: { mount: {} } }],
  ])('rejects %s with INVALID_ARGUMENT before touching anything', async (_name, overrides) => {
    expect(await codeOf(driver.node('NodePublishVolume', publishArgs(overrides)))).toBe('INVALID_ARGUMENT');
    expect(mounter.published).toHaveLength(0);
    expect(existsSync(target())).toBe(false);
  });
});

describe('NodePublishVolume idempotency', () => {
  it('publishes once for repeated identical calls', async () => {
    await driver.node('NodePublishVolume', publishArgs());
    await driver.node('NodePublishVolume', publishArgs());
    expect(mounter.published).toHaveLength(1);
    expect(mounter.published[0]).toMatchObject({
      volumeId: 'vol-1',
      targetPath: target(),
      ephemeral: true,
      pod: { name: 'minio-0', namespace: 'bench', serviceAccountName: 'default' },
    });
  });

  it('treats a different key order of volume_context as the same call', async () => {
    await driver.node('NodePublishVolume', publishArgs());
    const reversed = Object.fromEntries(Object.entries(publishArgs().volume_context).reverse());
    expect(await codeOf(driver.node('NodePublishVolume', publishArgs({ volume_context: reversed })))).toBe(
      'OK',
    );
    expect(mounter.published).toHaveLength(1);
  });

  it('answers ALREADY_EXISTS for the same volume and target with different arguments', async () => {
    await driver.node('NodePublishVolume', publishArgs());
    expect(await codeOf(driver.node('NodePublishVolume', publishArgs({ readonly: true })))).toBe(
      'ALREADY_EXISTS',
    );
    const otherContext = podContext({ persistentVolumeClaimName: 'other' });
    expect(
      await codeOf(driver.node('NodePublishVolume', publishArgs({ volume_context: otherContext }))),
    ).toBe('ALREADY_EXISTS');
  });

  it('answers FAILED_PRECONDITION for the same volume at another target', async () => {
    await driver.node('NodePublishVolume', publishArgs());
    const elsewhere = join(driver.dir, 'elsewhere');
    expect(await codeOf(driver.node('NodePublishVolume', publishArgs({ target_path: elsewhere })))).toBe(
      'FAILED_PRECONDITION',
    );
  });

  it('answers ABORTED while another call for the same volume is in flight', async () => {
    let release!: () => void;
    mounter.stall = new Promise<void>((r) => (release = r));
    const first = driver.node('NodePublishVolume', publishArgs());
    // Wait until the first call reached the mounter (its target dir exists).
    while (!existsSync(target())) await new Promise((r) => setTimeout(r, 10));
    expect(await codeOf(driver.node('NodePublishVolume', publishArgs()))).toBe('ABORTED');
    release();
    await first;
    expect(mounter.published).toHaveLength(1);
  });

  it('republishes a volume whose mount died', async () => {
    await driver.node('NodePublishVolume', publishArgs());
    mounter.healthy = false;
    await driver.node('NodePublishVolume', publishArgs());
    expect(mounter.unpublished).toHaveLength(1);
    expect(mounter.published).toHaveLength(2);
  });

  it('passes the mounter error code through and records nothing on failure', async () => {
    mounter.failNextPublish = true;
    expect(await codeOf(driver.node('NodePublishVolume', publishArgs()))).toBe('DEADLINE_EXCEEDED');
    expect(
      await codeOf(driver.node('NodeGetVolumeStats', { volume_id: 'vol-1', volume_path: target() })),
    ).toBe('NOT_FOUND');
    // kubelet retries: the retry is a fresh publish.
    expect(await codeOf(driver.node('NodePublishVolume', publishArgs()))).toBe('OK');
  });
});

describe('NodeUnpublishVolume', () => {
  it('validates volume_id and target_path', async () => {
    expect(await codeOf(driver.node('NodeUnpublishVolume', { target_path: target() }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await codeOf(driver.node('NodeUnpublishVolume', { volume_id: 'vol-1' }))).toBe('INVALID_ARGUMENT');
  });

  it('unpublishes, and repeated or unknown unpublishes succeed', async () => {
    await driver.node('NodePublishVolume', publishArgs());
    await driver.node('NodeUnpublishVolume', { volume_id: 'vol-1', target_path: target() });
    expect(mounter.unpublished).toHaveLength(1);
    expect(existsSync(target())).toBe(false);
    expect(
      await codeOf(driver.node('NodeUnpublishVolume', { volume_id: 'vol-1', target_path: target() })),
    ).toBe('OK');
    expect(
      await codeOf(driver.node('NodeUnpublishVolume', { volume_id: 'never', target_path: target() })),
    ).toBe('OK');
    expect(mounter.unpublished).toHaveLength(1);
  });

  it('lets a restarted driver unpublish what the previous one published', async () => {
    await driver.node('NodePublishVolume', publishArgs());
    await driver.stop();
    const restartedMounter = new RecordingMounter();
    driver = await startDriver(restartedMounter, { dir: driver.dir });
    await driver.node('NodeUnpublishVolume', { volume_id: 'vol-1', target_path: target() });
    expect(restartedMounter.unpublished).toEqual([
      { targetPath: target(), handle: { serial: 1, targetPath: target() } },
    ]);
  });
});

describe('NodeGetVolumeStats', () => {
  it('validates volume_id and volume_path', async () => {
    expect(await codeOf(driver.node('NodeGetVolumeStats', { volume_path: target() }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await codeOf(driver.node('NodeGetVolumeStats', { volume_id: 'vol-1' }))).toBe('INVALID_ARGUMENT');
  });

  it('answers NOT_FOUND for unknown volumes and wrong paths', async () => {
    expect(
      await codeOf(driver.node('NodeGetVolumeStats', { volume_id: 'nope', volume_path: target() })),
    ).toBe('NOT_FOUND');
    await driver.node('NodePublishVolume', publishArgs());
    expect(
      await codeOf(driver.node('NodeGetVolumeStats', { volume_id: 'vol-1', volume_path: '/elsewhere' })),
    ).toBe('NOT_FOUND');
    // csi-sanity's "volume does not exist on the specified path" uses a relative path.
    expect(
      await codeOf(driver.node('NodeGetVolumeStats', { volume_id: 'vol-1', volume_path: 'some/path' })),
    ).toBe('NOT_FOUND');
    expect(
      await codeOf(driver.node('NodeGetVolumeStats', { volume_id: 'nope', volume_path: 'some/path' })),
    ).toBe('NOT_FOUND');
  });

  it('reports byte and inode usage of a published volume', async () => {
    await driver.node('NodePublishVolume', publishArgs());
    const stats = await driver.node('NodeGetVolumeStats', { volume_id: 'vol-1', volume_path: target() });
    const usage = stats.usage as { unit: string; total: number; available: number; used: number }[];
    const bytes = usage.find((u) => u.unit === 'BYTES');
    expect(bytes?.total).toBeGreaterThan(0);
    expect(bytes!.available).toBeLessThanOrEqual(bytes!.total);
    expect(usage.find((u) => u.unit === 'INODES')?.total).toBeGreaterThan(0);
    expect(stats.volume_condition).toMatchObject({ abnormal: false });
  });

  it('reports an abnormal condition instead of statting a dead mount', async () => {
    await driver.node('NodePublishVolume', publishArgs());
    mounter.healthy = false;
    const stats = await driver.node('NodeGetVolumeStats', { volume_id: 'vol-1', volume_path: target() });
    expect(stats.volume_condition).toMatchObject({ abnormal: true });
    expect(stats.usage).toEqual([]);
  });
});
