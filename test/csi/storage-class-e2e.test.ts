/**
 * StorageClass volumes end to end, the way a cluster drives them: external-provisioner's
 * CreateVolume (with the scheduler's node, as for WaitForFirstConsumer), kubelet's NodePublish
 * for a StatefulSet replica, I/O through the mount, a driver restart in the middle, unpublish and
 * DeleteVolume. The driver is the built CLI; its sidecar pods run as real `interposer mount`
 * processes under the process kubelet; the API is the fake API server.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { findMount } from '../../src/csi/host-mounts.js';
import { loadCsiServices } from '../../src/csi/proto.js';
import { readAllRows } from '../../src/trace/reader.js';
import { builtCliMissing, DRIVER_NAMESPACE, startFakeCluster, type FakeCluster } from './fake-cluster.js';
import { codeOf, MOUNT_CAPABILITY, podContext, removeDir } from './harness.js';

const TOPOLOGY_KEY = 'topology.interposer.csi.example.com/node';
const skipReason = builtCliMissing() ?? (existsSync('/dev/fuse') ? undefined : '/dev/fuse is missing');
if (skipReason) console.warn(`storage-class-e2e skipped: ${skipReason}`);

type Reply = Record<string, unknown>;
type Unary = (r: object, o: object, cb: (e: grpc.ServiceError | null, v: Reply) => void) => void;

let cluster: FakeCluster | undefined;
let clients: grpc.Client[] = [];

afterEach(async () => {
  clients.forEach((c) => c.close());
  clients = [];
  await cluster?.teardown();
  if (cluster) await removeDir(cluster.dir);
  cluster = undefined;
});

function connect(socketPath: string) {
  const services = loadCsiServices();
  const controller = new services.Controller(`unix://${socketPath}`, grpc.credentials.createInsecure());
  const node = new services.Node(`unix://${socketPath}`, grpc.credentials.createInsecure());
  clients.push(controller, node);
  const call = (client: grpc.Client) => (method: string, request: object) =>
    new Promise<Reply>((resolve, reject) =>
      (client as unknown as Record<string, Unary>)[method]!.call(
        client,
        request,
        { deadline: Date.now() + 60_000 },
        (e, v) => (e ? reject(e) : resolve(v)),
      ),
    );
  return { controller: call(controller), node: call(node) };
}

const createRequest = (extra: object = {}) => ({
  name: 'pvc-6b1e2c3d-0000-4000-8000-000000000001',
  capacity_range: { required_bytes: 64 * 1024 * 1024 },
  volume_capabilities: [MOUNT_CAPABILITY],
  parameters: {
    backingStorageClass: 'local-path',
    'csi.storage.k8s.io/pvc/name': 'data-minio-0',
    'csi.storage.k8s.io/pvc/namespace': 'bench',
  },
  accessibility_requirements: { preferred: [{ segments: { [TOPOLOGY_KEY]: 'node-a' } }] },
  ...extra,
});

// Each test starts the built driver (one or two times) and real mounts: slow on a loaded machine.
describe.skipIf(skipReason !== undefined)(
  'StorageClass volumes through the built driver',
  { timeout: 240_000 },
  () => {
    it('provisions a backing PVC, publishes a recorded volume per replica, survives a driver restart, deletes', async () => {
      cluster = await startFakeCluster(await mkdtemp(join(tmpdir(), 'csi-sc-')));
      await cluster.startDriver();
      let csi = connect(cluster.socketPath);

      // external-provisioner, WaitForFirstConsumer: the scheduler picked node-a.
      const { volume } = (await csi.controller('CreateVolume', createRequest())) as {
        volume: {
          volume_id: string;
          capacity_bytes: number;
          volume_context: Record<string, string>;
          accessible_topology: unknown;
        };
      };
      expect(volume.volume_id).toBe(`${DRIVER_NAMESPACE}/pvc-6b1e2c3d-0000-4000-8000-000000000001`);
      expect(volume.capacity_bytes).toBe(64 * 1024 * 1024);
      expect(volume.accessible_topology).toEqual([{ segments: { [TOPOLOGY_KEY]: 'node-a' } }]);
      const claim = cluster.api.claims.get(volume.volume_id)!;
      expect(claim.spec?.storageClassName).toBe('local-path');
      expect(claim.spec?.accessModes).toEqual(['ReadWriteOnce']);
      expect(claim.metadata?.annotations?.['volume.kubernetes.io/selected-node']).toBe('node-a');
      expect(claim.metadata?.annotations?.['interposer.csi.example.com/claim']).toBe('bench/data-minio-0');
      // Idempotent: the same call returns the same volume and creates nothing new.
      const again = (await csi.controller('CreateVolume', createRequest())) as {
        volume: { volume_id: string };
      };
      expect(again.volume.volume_id).toBe(volume.volume_id);
      expect(cluster.api.claims.size).toBe(1);

      // kubelet publishes it for the StatefulSet's pod minio-0 (not ephemeral: podInfoOnMount keys only).
      const context = podContext(volume.volume_context);
      delete context['csi.storage.k8s.io/ephemeral'];
      const target = join(
        cluster.dir,
        'kubelet',
        'pods',
        'uid-1',
        'volumes',
        'kubernetes.io~csi',
        'pvc',
        'mount',
      );
      const publish = {
        volume_id: volume.volume_id,
        target_path: target,
        volume_capability: MOUNT_CAPABILITY,
        volume_context: context,
      };
      await csi.node('NodePublishVolume', publish);
      expect((await findMount(target))?.fsType).toMatch(/^fuse/);
      const sidecar = [...cluster.api.pods.values()][0]!;
      expect(sidecar.metadata?.namespace).toBe(DRIVER_NAMESPACE);

      // The application writes through the mount (another process); data lands in the backing claim.
      const run = promisify(execFile);
      await run('sh', [
        '-c',
        'mkdir -p "$1/bucket" && printf object-bytes > "$1/bucket/part.1" && cat "$1/bucket/part.1"',
        'sh',
        target,
      ]);
      const backingDir = cluster.kubelet.claimDir(
        DRIVER_NAMESPACE,
        'pvc-6b1e2c3d-0000-4000-8000-000000000001',
      );
      expect(await readFile(join(backingDir, 'bucket', 'part.1'), 'utf8')).toBe('object-bytes');

      // The driver restarts: the volume stays served, and the new instance still unpublishes it.
      await cluster.stopDriver();
      expect((await findMount(target))?.fsType).toMatch(/^fuse/);
      await cluster.startDriver();
      clients.forEach((c) => c.close());
      csi = connect(cluster.socketPath);
      await csi.node('NodePublishVolume', publish); // kubelet's periodic re-publish: a no-op
      expect(cluster.api.pods.size).toBe(1);
      await csi.node('NodeUnpublishVolume', { volume_id: volume.volume_id, target_path: target });
      expect(await findMount(target)).toBeUndefined();
      expect(cluster.api.pods.size).toBe(0);

      // One trace for the replica, named after its pod, in the hive layout, root-only.
      const partition = join(cluster.traceRoot, 'node=node-a', 'namespace=bench', 'pod=minio-0');
      expect(statSync(partition).mode & 0o777).toBe(0o700);
      const files = readdirSync(partition);
      expect(files).toEqual([
        expect.stringMatching(/^pvc-6b1e2c3d-0000-4000-8000-000000000001-\d{8}T\d{6}\.\d{3}Z\.parquet$/),
      ]);
      const rows = await readAllRows(join(partition, files[0]!));
      expect(rows.some((r) => r.op === 'write' && r.path.endsWith('bucket/part.1'))).toBe(true);

      await csi.controller('DeleteVolume', { volume_id: volume.volume_id });
      expect(cluster.api.claims.size).toBe(0);
      await csi.controller('DeleteVolume', { volume_id: volume.volume_id }); // idempotent
    });

    it('follows a node-local backing PV when no node was chosen, and validates parameters first', async () => {
      cluster = await startFakeCluster(await mkdtemp(join(tmpdir(), 'csi-sc-')));
      cluster.api.binding = { mode: 'bind', node: 'node-b' };
      await cluster.startDriver();
      const csi = connect(cluster.socketPath);
      const immediate = createRequest({ accessibility_requirements: null });
      const { volume } = (await csi.controller('CreateVolume', immediate)) as {
        volume: { accessible_topology: unknown };
      };
      expect(volume.accessible_topology).toEqual([{ segments: { [TOPOLOGY_KEY]: 'node-b' } }]);

      const bad = (parameters: Record<string, string>) =>
        codeOf(csi.controller('CreateVolume', createRequest({ name: 'other', parameters })));
      expect(await bad({ backingStorageClas: 'typo' })).toBe('INVALID_ARGUMENT');
      expect(await bad({ trace: 'maybe' })).toBe('INVALID_ARGUMENT');
      expect(await bad({ overlay: '{not json' })).toBe('INVALID_ARGUMENT');
      expect(
        await codeOf(
          csi.controller(
            'CreateVolume',
            createRequest({ name: 'x', capacity_range: { required_bytes: 10, limit_bytes: 5 } }),
          ),
        ),
      ).toBe('OUT_OF_RANGE');
      expect(cluster.api.claims.size).toBe(1);
    });

    it('explains a WaitForFirstConsumer backing class under an Immediate interposer class', async () => {
      cluster = await startFakeCluster(await mkdtemp(join(tmpdir(), 'csi-sc-')));
      cluster.api.binding = { mode: 'pending' };
      await cluster.startDriver();
      const csi = connect(cluster.socketPath);
      const err = await csi
        .controller('CreateVolume', createRequest({ accessibility_requirements: null }))
        .catch((e: grpc.ServiceError) => e);
      expect((err as grpc.ServiceError).code).toBe(grpc.status.DEADLINE_EXCEEDED);
      expect((err as grpc.ServiceError).details).toMatch(
        /not bound after 5000 ms.*volumeBindingMode: WaitForFirstConsumer/,
      );
    });
  },
);
