/**
 * A cluster without a cluster, for the driver's Kubernetes mode end to end: the fake API server,
 * a ProcessKubelet that runs sidecar pods as real `interposer mount` processes, and the built
 * driver CLI (`interposer csi --services node,controller`) as a separate process on a unix
 * socket, as external-provisioner, kubelet and csi-sanity see it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMountTable, unmountAll } from '../../src/csi/host-mounts.js';
import { FakeApiServer } from './fake-apiserver.js';
import { ProcessKubelet } from './process-kubelet.js';

export const CLI = fileURLToPath(new URL('../../dist/bin/interposer.js', import.meta.url));
export const DRIVER_NAMESPACE = 'interposer-system';

export interface FakeCluster {
  dir: string;
  api: FakeApiServer;
  kubelet: ProcessKubelet;
  socketPath: string;
  traceRoot: string;
  stagingRoot: string;
  /** Starts (or restarts) the driver process; resolves once it serves. */
  startDriver(): Promise<void>;
  /** Stops the driver process (volumes stay mounted, as with a real restart). */
  stopDriver(): Promise<void>;
  /** Driver output so far (for failure messages). */
  driverOutput(): string;
  /** Stops everything and unmounts whatever is left under dir. */
  teardown(): Promise<void>;
}

export async function startFakeCluster(dir: string, nodeId = 'node-a'): Promise<FakeCluster> {
  const api = new FakeApiServer();
  await api.start();
  const kubelet = new ProcessKubelet({
    command: [process.execPath, CLI],
    claimsRoot: join(dir, 'claims'),
    logDir: join(dir, 'pod-logs'),
  });
  api.lifecycle = kubelet.lifecycle;
  const kubeconfig = await api.writeKubeconfig(dir);
  const socketPath = join(dir, 'csi.sock');
  const traceRoot = join(dir, 'traces');
  const stagingRoot = join(dir, 'staging');
  await mkdir(stagingRoot, { recursive: true });
  let driver: ChildProcess | undefined;
  let output = '';

  const startDriver = async (): Promise<void> => {
    output = '';
    driver = spawn(
      process.execPath,
      [
        CLI,
        'csi',
        '--services=node,controller',
        '--mode=kubernetes',
        `--node-id=${nodeId}`,
        `--endpoint=unix://${socketPath}`,
        `--kubeconfig=${kubeconfig}`,
        '--image=interposer:test',
        `--namespace=${DRIVER_NAMESPACE}`,
        `--state-dir=${join(dir, 'state')}`,
        `--staging-dir=${stagingRoot}`,
        `--trace-host-path=${traceRoot}`,
        '--bind-timeout=5s',
        '--pod-timeout=30s',
        '--mount-timeout=30s',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    driver.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    driver.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!/serving on/.test(output)) {
      if (driver.exitCode !== null) throw new Error(`driver exited: ${output}`);
      if (Date.now() > deadline) throw new Error(`driver did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stopDriver = async (): Promise<void> => {
    const child = driver;
    driver = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  };

  return {
    dir,
    api,
    kubelet,
    socketPath,
    traceRoot,
    stagingRoot,
    startDriver,
    stopDriver,
    driverOutput: () => output,
    teardown: async () => {
      await stopDriver();
      await kubelet.stopAll();
      await api.stop();
      // Deepest first: bind mounts over staging mounts.
      const leftovers = (await readMountTable())
        .map((m) => m.mountPoint)
        .filter((p) => p.startsWith(`${dir}/`))
        .sort((a, b) => b.length - a.length);
      for (const path of leftovers) await unmountAll(path).catch(() => undefined);
    },
  };
}

export const builtCliMissing = (): string | undefined =>
  existsSync(CLI) ? undefined : `${CLI} is not built (npm run build)`;
