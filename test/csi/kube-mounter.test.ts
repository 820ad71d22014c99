/**
 * Kubernetes mode against a fake API server on loopback HTTP (the real @kubernetes/client-node
 * talks to it through a kubeconfig). The fake plays kubelet: it starts the sidecar pod and, like
 * the real sidecar, makes a mount appear at the staging path (a tmpfs standing in for FUSE),
 * which the driver must then really bind-mount onto target_path.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findMount, unmountAll } from '../../src/csi/host-mounts.js';
import { KubeMounter, type KubeMounterOptions } from '../../src/csi/kube-mounter.js';
import {
  codeOf,
  makeTempDir,
  MOUNT_CAPABILITY,
  podContext,
  removeDir,
  startDriver,
  type Driver,
} from './harness.js';
import { FakeApiServer } from './fake-apiserver.js';

let dir: string;
let api: FakeApiServer;
let driver: Driver | undefined;

const VOLUME_ID = 'csi-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const target = () => join(dir, 'kubelet', 'pods', 'uid-1', 'volumes', 'kubernetes.io~csi', 'data', 'mount');
const stagingRoot = () => join(dir, 'staging');
const traceRoot = () => join(dir, 'traces');
const publishArgs = (extra: Record<string, string> = {}, readonly = false) => ({
  volume_id: VOLUME_ID,
  target_path: target(),
  volume_capability: MOUNT_CAPABILITY,
  readonly,
  volume_context: podContext({ persistentVolumeClaimName: 'minio-backing', ...extra }),
});

const sidecarMountPath = (pod: V1Pod) => pod.spec!.containers[0]!.args![2]!;

/** What a healthy sidecar does: become Running and mount at its staging path; unmount on delete. */
function healthySidecar(): void {
  api.lifecycle = {
    onGet: (pod, gets) => {
      if (gets < 2 || pod.status?.phase === 'Running') return;
      pod.status = { phase: 'Running' };
      execFileSync('mount', ['-t', 'tmpfs', 'fake-sidecar', sidecarMountPath(pod)]);
      writeFileSync(join(sidecarMountPath(pod), 'served-by-sidecar'), 'yes');
    },
    onDelete: async (pod) => {
      await unmountAll(sidecarMountPath(pod));
    },
  };
}

async function startKubeDriver(overrides: Partial<KubeMounterOptions> = {}): Promise<void> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(await api.writeKubeconfig(dir));
  const mounter = new KubeMounter({
    kubeConfig,
    nodeName: 'node-a',
    image: 'registry.example.com/interposer:test',
    stagingRoot: stagingRoot(),
    trace: { kind: 'hostPath', path: traceRoot() },
    sidecarResources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } },
    podRunningTimeoutMs: 5_000,
    mountTimeoutMs: 5_000,
    podDeleteTimeoutMs: 5_000,
    pollMs: 20,
    acceptMount: (e) => e.fsType === 'tmpfs' && e.source === 'fake-sidecar',
    ...overrides,
  });
  driver = await startDriver(mounter, { dir, nodeId: 'node-a' });
}

const createdPods = () => api.requests.filter((r) => r.method === 'POST').map((r) => r.body as V1Pod);
const deletes = () => api.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);

beforeEach(async () => {
  dir = await makeTempDir('csi-kube-');
  api = new FakeApiServer();
  await api.start();
  api.pvcs.add('bench/minio-backing');
});

afterEach(async () => {
  await driver?.stop();
  driver = undefined;
  await api.stop();
  await unmountAll(target()).catch(() => undefined);
  for (const pod of api.pods.values()) await unmountAll(sidecarMountPath(pod)).catch(() => undefined);
  await removeDir(dir);
});

describe('KubeMounter sidecar pod', () => {
  it('creates a privileged sidecar on the same node over the backing PVC and bind-mounts its FUSE mount', async () => {
    healthySidecar();
    await startKubeDriver();
    await driver!.node('NodePublishVolume', publishArgs({ overlay: '{"delay":{"ms":5}}' }));

    const [pod] = createdPods();
    expect(pod?.metadata?.name).toMatch(/^minio-0-interposer-[0-9a-f]{8}$/);
    expect(pod?.metadata?.namespace).toBe('bench');
    expect(pod?.metadata?.annotations?.['interposer.csi.example.com/volume-id']).toBe(VOLUME_ID);
    expect(pod?.metadata?.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Pod', name: 'minio-0', uid: podContext()['csi.storage.k8s.io/pod.uid'] },
    ]);
    const spec = pod!.spec!;
    // Scheduled (so WaitForFirstConsumer backing PVCs bind), but only onto this node.
    expect(spec.nodeName).toBeUndefined();
    expect(spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] }],
    });
    expect(spec.containers[0]?.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '1Gi' },
    });
    const container = spec.containers[0]!;
    expect(container.image).toBe('registry.example.com/interposer:test');
    expect(container.securityContext?.privileged).toBe(true);
    const volumes = Object.fromEntries((spec.volumes ?? []).map((v) => [v.name, v]));
    const mounts = Object.fromEntries((container.volumeMounts ?? []).map((m) => [m.name, m]));
    expect(volumes.backing?.persistentVolumeClaim).toEqual({ claimName: 'minio-backing', readOnly: false });
    expect(volumes['dev-fuse']?.hostPath).toEqual({ path: '/dev/fuse', type: 'CharDevice' });
    expect(mounts['dev-fuse']?.mountPath).toBe('/dev/fuse');
    expect(volumes.staging?.hostPath?.path).toBe(stagingRoot());
    expect(mounts.staging).toMatchObject({ mountPath: stagingRoot(), mountPropagation: 'Bidirectional' });
    expect(volumes.traces?.hostPath?.path).toBe(traceRoot());
    // Hive-style partition, made root-only by the driver before the sidecar starts.
    const partition = 'node=node-a/namespace=bench/pod=minio-0';
    expect(mounts.traces).toMatchObject({ mountPath: '/traces', subPath: partition });
    expect(statSync(join(traceRoot(), partition)).mode & 0o777).toBe(0o700);
    expect(statSync(join(traceRoot(), 'node=node-a')).mode & 0o777).toBe(0o700);
    for (const mount of container.volumeMounts ?? []) expect(volumes[mount.name]).toBeDefined();

    const mountPath = sidecarMountPath(pod!);
    expect(mountPath.startsWith(`${stagingRoot()}/`)).toBe(true);
    expect(container.args).toEqual([
      'mount',
      '/backing',
      mountPath,
      '--trace',
      expect.stringMatching(/^\/traces\/[0-9a-f]{10}-\d{8}T\d{6}\.\d{3}Z\.parquet$/),
      '--overlay',
      join(mountPath, '..', 'overlay.json'),
      // The backing PVC may be shared: no kernel caching unless the volume asks for it.
      '--cache-timeout',
      '0',
    ]);
    expect(await readFile(join(mountPath, '..', 'overlay.json'), 'utf8')).toBe('{"delay":{"ms":5}}');

    // target_path now shows what the sidecar serves.
    expect((await findMount(target()))?.source).toBe('fake-sidecar');
    expect(await readFile(join(target(), 'served-by-sidecar'), 'utf8')).toBe('yes');

    await driver!.node('NodeUnpublishVolume', { volume_id: VOLUME_ID, target_path: target() });
    expect(deletes()).toEqual([`/api/v1/namespaces/bench/pods/${pod!.metadata!.name}`]);
    expect(api.pods.size).toBe(0);
    expect(await findMount(target())).toBeUndefined();
    expect(await findMount(mountPath)).toBeUndefined();
    expect(existsSync(target())).toBe(false);
    expect(existsSync(join(mountPath, '..'))).toBe(false);
  });

  it('is idempotent: a repeated publish creates no second pod', async () => {
    healthySidecar();
    await startKubeDriver();
    await driver!.node('NodePublishVolume', publishArgs());
    await driver!.node('NodePublishVolume', publishArgs());
    expect(createdPods()).toHaveLength(1);
    await driver!.node('NodeUnpublishVolume', { volume_id: VOLUME_ID, target_path: target() });
  });

  it('mounts the PVC read-only and makes target_path read-only for readonly publishes', async () => {
    healthySidecar();
    await startKubeDriver();
    await driver!.node('NodePublishVolume', publishArgs({}, true));
    expect(createdPods()[0]?.spec?.volumes?.[0]?.persistentVolumeClaim?.readOnly).toBe(true);
    expect(() => writeFileSync(join(target(), 'x'), 'no')).toThrow(/EROFS|read-only/i);
    await driver!.node('NodeUnpublishVolume', { volume_id: VOLUME_ID, target_path: target() });
  });

  it('passes --no-trace to the sidecar for trace: "false" (no shared ./interposer-trace.parquet)', async () => {
    healthySidecar();
    await startKubeDriver();
    await driver!.node('NodePublishVolume', publishArgs({ trace: 'false' }));
    const container = createdPods()[0]!.spec!.containers[0]!;
    expect(container.args).toContain('--no-trace');
    expect(container.args).not.toContain('--trace');
    expect(container.volumeMounts?.some((m) => m.name === 'traces')).toBe(false);
    await driver!.node('NodeUnpublishVolume', { volume_id: VOLUME_ID, target_path: target() });
  });

  it('passes --no-trace to the sidecar when the driver runs with --no-trace', async () => {
    healthySidecar();
    await startKubeDriver({ trace: { kind: 'none' } });
    await driver!.node('NodePublishVolume', publishArgs());
    expect(createdPods()[0]!.spec!.containers[0]!.args).toContain('--no-trace');
    await driver!.node('NodeUnpublishVolume', { volume_id: VOLUME_ID, target_path: target() });
  });

  it('a republish after the sidecar died writes a new trace file instead of overwriting the crashed one', async () => {
    healthySidecar();
    await startKubeDriver();
    await driver!.node('NodePublishVolume', publishArgs());
    const [first] = createdPods();
    // The sidecar crashes: its mount goes away; kubelet publishes again.
    await unmountAll(sidecarMountPath(first!));
    api.pods.delete(`bench/${first!.metadata!.name}`);
    await driver!.node('NodePublishVolume', publishArgs());
    const [, second] = createdPods();
    const traceArg = (pod: V1Pod) =>
      pod.spec!.containers[0]!.args![pod.spec!.containers[0]!.args!.indexOf('--trace') + 1];
    expect(second).toBeDefined();
    expect(traceArg(second!)).not.toBe(traceArg(first!));
    await driver!.node('NodeUnpublishVolume', { volume_id: VOLUME_ID, target_path: target() });
  });

  it('serves a StorageClass volume from a backing PVC in the controller namespace, without pod info', async () => {
    healthySidecar();
    api.pvcs.add('interposer-system/pvc-1234');
    await startKubeDriver();
    await driver!.node('NodePublishVolume', {
      volume_id: 'interposer-system/pvc-1234',
      target_path: target(),
      volume_capability: MOUNT_CAPABILITY,
      volume_context: { persistentVolumeClaimName: 'pvc-1234', backingClaimNamespace: 'interposer-system' },
    });
    const pod = createdPods()[0]!;
    expect(pod.metadata?.namespace).toBe('interposer-system');
    expect(pod.metadata?.name).toMatch(/^volume-interposer-[0-9a-f]{8}$/);
    // Owners must share the namespace: no ownerReference across namespaces.
    expect(pod.metadata?.ownerReferences).toBeUndefined();
    const mounts = pod.spec!.containers[0]!.volumeMounts!;
    expect(mounts.find((m) => m.name === 'traces')?.subPath).toBe(
      'node=node-a/namespace=interposer-system/pod=_none_',
    );
    expect(pod.spec!.containers[0]!.args).toContainEqual(expect.stringMatching(/^\/traces\/pvc-1234-\d{8}T/));
    await driver!.node('NodeUnpublishVolume', {
      volume_id: 'interposer-system/pvc-1234',
      target_path: target(),
    });
    expect(deletes()).toEqual([`/api/v1/namespaces/interposer-system/pods/${pod.metadata!.name}`]);
  });

  it('answers NOT_FOUND for a missing backing PVC and creates nothing', async () => {
    await startKubeDriver();
    const args = publishArgs({ persistentVolumeClaimName: 'no-such-pvc' });
    expect(await codeOf(driver!.node('NodePublishVolume', args))).toBe('NOT_FOUND');
    expect(createdPods()).toHaveLength(0);
  });

  it('answers INVALID_ARGUMENT without persistentVolumeClaimName or pod info', async () => {
    await startKubeDriver();
    const noPvc = { ...publishArgs(), volume_context: podContext() };
    expect(await codeOf(driver!.node('NodePublishVolume', noPvc))).toBe('INVALID_ARGUMENT');
    const noPod = { ...publishArgs(), volume_context: { persistentVolumeClaimName: 'minio-backing' } };
    expect(await codeOf(driver!.node('NodePublishVolume', noPod))).toBe('INVALID_ARGUMENT');
    expect(api.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('deletes the sidecar and answers DEADLINE_EXCEEDED when the pod never runs', async () => {
    api.lifecycle = {}; // stays Pending, e.g. the image cannot be pulled
    await startKubeDriver({ podRunningTimeoutMs: 300 });
    expect(await codeOf(driver!.node('NodePublishVolume', publishArgs()))).toBe('DEADLINE_EXCEEDED');
    expect(createdPods()).toHaveLength(1);
    expect(deletes()).toHaveLength(1);
    expect(api.pods.size).toBe(0);
    expect(existsSync(target())).toBe(false);
    expect(existsSync(join(sidecarMountPath(createdPods()[0]!), '..'))).toBe(false);
  });

  it('deletes the sidecar and answers INTERNAL with the container exit when it fails', async () => {
    api.lifecycle = {
      onGet: (pod) => {
        pod.status = {
          phase: 'Failed',
          containerStatuses: [
            {
              name: 'interposer',
              image: 'x',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { terminated: { exitCode: 1, reason: 'Error', message: 'fuse: device not found' } },
            },
          ],
        };
      },
    };
    await startKubeDriver();
    const err = await driver!.node('NodePublishVolume', publishArgs()).catch((e: Error) => e);
    expect(await codeOf(Promise.reject(err))).toBe('INTERNAL');
    expect((err as Error).message).toContain('fuse: device not found');
    expect(deletes()).toHaveLength(1);
  });

  it('deletes the sidecar when it runs but no mount appears', async () => {
    api.lifecycle = { onGet: (pod) => void (pod.status = { phase: 'Running' }) };
    await startKubeDriver({ mountTimeoutMs: 300 });
    expect(await codeOf(driver!.node('NodePublishVolume', publishArgs()))).toBe('DEADLINE_EXCEEDED');
    expect(deletes()).toHaveLength(1);
    expect(existsSync(target())).toBe(false);
  });

  it('tolerates a sidecar that is already gone at unpublish, and cleans its dead mount', async () => {
    healthySidecar();
    await startKubeDriver();
    await driver!.node('NodePublishVolume', publishArgs());
    const pod = createdPods()[0]!;
    // The pod vanished (evicted, deleted by hand) without unmounting the staging path.
    api.pods.clear();
    await driver!.node('NodeUnpublishVolume', { volume_id: VOLUME_ID, target_path: target() });
    expect(await findMount(sidecarMountPath(pod))).toBeUndefined();
    expect(await findMount(target())).toBeUndefined();
  });

  it('adopts its own sidecar left by an interrupted publish (409 on create)', async () => {
    healthySidecar();
    await startKubeDriver();
    await driver!.node('NodePublishVolume', publishArgs());
    const pod = createdPods()[0]!;
    // Simulate a driver that lost its state after the sidecar came up: state gone, pod still there.
    await removeDir(join(dir, 'state'));
    await unmountAll(target());
    await driver!.node('NodePublishVolume', publishArgs());
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(api.pods.get(`bench/${pod.metadata!.name}`)).toBeDefined();
    expect((await findMount(target()))?.source).toBe('fake-sidecar');
    await driver!.node('NodeUnpublishVolume', { volume_id: VOLUME_ID, target_path: target() });
  });
});
