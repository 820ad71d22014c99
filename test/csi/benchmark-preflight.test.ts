/**
 * The cluster preflight (`interposer csi check`) and deploy/benchmark/run.sh against the fake API
 * server, up to where a real cluster is needed: a misconfigured cluster fails in seconds with one
 * clear line per problem (exit 1, no stack trace); a healthy one passes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DRIVER_NAME } from '../../src/csi/constants.js';
import { FakeApiServer } from './fake-apiserver.js';
import { builtCliMissing, CLI } from './fake-cluster.js';
import { removeDir } from './harness.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const skipReason = builtCliMissing();

let dir: string;
let api: FakeApiServer;
let kubeconfig: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csi-check-'));
  api = new FakeApiServer();
  await api.start();
  kubeconfig = await api.writeKubeconfig(dir);
});

afterEach(async () => {
  await api.stop();
  await removeDir(dir);
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: REPO, env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const check = (...args: string[]) =>
  run(process.execPath, [CLI, 'csi', 'check', `--kubeconfig=${kubeconfig}`, ...args]);

function storageClass(name: string, provisioner: string, mode: string, parameters?: Record<string, string>) {
  api.objects.set(`/apis/storage.k8s.io/v1/storageclasses/${name}`, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner,
    volumeBindingMode: mode,
    ...(parameters ? { parameters } : {}),
  });
}

function healthyInstall(): void {
  storageClass('standard', 'rancher.io/local-path', 'WaitForFirstConsumer');
  storageClass('interposer-standard', DRIVER_NAME, 'WaitForFirstConsumer', {
    backingStorageClass: 'standard',
  });
  api.objects.set('/api/v1/namespaces/interposer-system', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'interposer-system' },
  });
  api.objects.set(`/apis/storage.k8s.io/v1/csidrivers/${DRIVER_NAME}`, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIDriver',
    metadata: { name: DRIVER_NAME },
    spec: {},
  });
  api.objects.set('/apis/apps/v1/namespaces/interposer-system/daemonsets/interposer-csi-node', {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'interposer-csi-node', namespace: 'interposer-system' },
    status: { numberReady: 3, desiredNumberScheduled: 3, currentNumberScheduled: 3, numberMisscheduled: 0 },
  });
  api.objects.set('/apis/apps/v1/namespaces/interposer-system/deployments/interposer-csi-controller', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'interposer-csi-controller', namespace: 'interposer-system' },
    status: { availableReplicas: 1 },
  });
}

describe.skipIf(skipReason !== undefined)('interposer csi check', { timeout: 120_000 }, () => {
  it('passes on a healthy install', async () => {
    healthyInstall();
    const result = await check('--backing-class=standard', '--installed');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(6);
    expect(result.stdout).toMatch(/^ok {3}node plugin \(DaemonSet interposer-csi-node\): 3\/3 ready$/m);
  });

  it('names each missing piece, one line each, and exits 1', async () => {
    const result = await check('--backing-class=standard', '--installed');
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^FAIL backing StorageClass standard: not found/),
      'FAIL namespace interposer-system: not found: run deploy/install.sh',
      `FAIL CSIDriver ${DRIVER_NAME}: not found: run deploy/install.sh`,
      'FAIL StorageClass interposer-standard: not found: kubectl apply -f deploy/storageclass.yaml',
      'FAIL node plugin (DaemonSet interposer-csi-node): not found: run deploy/install.sh',
      'FAIL controller (Deployment interposer-csi-controller): not found: run deploy/install.sh',
    ]);
  });

  it('refuses an Immediate interposer class over a WaitForFirstConsumer backing class', async () => {
    healthyInstall();
    storageClass('interposer-standard', DRIVER_NAME, 'Immediate', { backingStorageClass: 'standard' });
    const result = await check('--installed');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /backing class standard is WaitForFirstConsumer: give interposer-standard volumeBindingMode: WaitForFirstConsumer too/,
    );
  });

  it('says the API is unreachable in one line', async () => {
    await api.stop();
    const result = await check('--backing-class=standard');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/cannot reach the Kubernetes API at http:\/\/127\.0\.0\.1:\d+/),
    ]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.skipIf(skipReason !== undefined)(
  'deploy/benchmark/run.sh against the fake API server',
  { timeout: 120_000 },
  () => {
    it('stops at the preflight with a clear message when the backing class is missing', async () => {
      const result = await run('bash', ['deploy/benchmark/run.sh'], {
        KUBECONFIG: kubeconfig,
        BACKING_CLASS: 'fast-ssd',
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/FAIL backing StorageClass fast-ssd: not found/);
      expect(result.stderr).toMatch(/run\.sh: fix the cluster first/);
      expect(result.stdout).not.toMatch(/== 1\./);
    });

    it('gets past the preflight on a good cluster (PREFLIGHT_ONLY stops before building anything)', async () => {
      storageClass('standard', 'rancher.io/local-path', 'WaitForFirstConsumer');
      const result = await run('bash', ['deploy/benchmark/run.sh'], {
        KUBECONFIG: kubeconfig,
        PREFLIGHT_ONLY: '1',
      });
      expect(result.stdout).toMatch(
        /ok {3}backing StorageClass standard: provisioner rancher\.io\/local-path, WaitForFirstConsumer/,
      );
      expect(result.stdout).toMatch(/preflight passed/);
      expect(result.code).toBe(0);
    });
  },
);
