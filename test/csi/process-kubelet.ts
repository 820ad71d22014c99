/**
 * A kubelet for the fake API server that really runs the driver's sidecar pods: each created pod
 * becomes a local `interposer mount` process with the pod's own arguments, its PVC volume mapped
 * to a directory per claim and its trace hostPath/subPath to a directory, so the driver's
 * Kubernetes mode can be exercised end to end (real FUSE, real traces) without a cluster.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import type { PodLifecycle } from './fake-apiserver.js';

export interface ProcessKubeletOptions {
  /** How to run the interposer CLI, e.g. [process.execPath, 'dist/bin/interposer.js']. */
  command: readonly string[];
  /** Claims' data: <claimsRoot>/<namespace>/<claim>. */
  claimsRoot: string;
  /** Containers' output: <logDir>/<pod>.log. */
  logDir: string;
}

export class ProcessKubelet {
  private readonly running = new Map<string, ChildProcess>();

  constructor(private readonly options: ProcessKubeletOptions) {
    mkdirSync(options.logDir, { recursive: true });
  }

  /** The directory that holds a claim's data (what its PV would be). */
  claimDir(namespace: string, claim: string): string {
    return join(this.options.claimsRoot, namespace, claim);
  }

  /** Starts a pod's container: its mounts mapped to host directories, as a kubelet would. */
  private start(pod: V1Pod): void {
    const spec = pod.spec!;
    const container = spec.containers[0]!;
    const namespace = pod.metadata!.namespace!;
    const hostDirOf = new Map<string, string>();
    for (const volume of spec.volumes ?? []) {
      if (volume.persistentVolumeClaim) {
        hostDirOf.set(volume.name, this.claimDir(namespace, volume.persistentVolumeClaim.claimName));
      } else if (volume.hostPath) {
        hostDirOf.set(volume.name, volume.hostPath.path);
      }
    }
    const rewrites: [string, string][] = [];
    for (const mount of container.volumeMounts ?? []) {
      const host = hostDirOf.get(mount.name);
      if (!host || mount.mountPath === host) continue;
      const source = mount.subPath ? join(host, mount.subPath) : host;
      mkdirSync(source, { recursive: true });
      rewrites.push([mount.mountPath, source]);
    }
    const args = (container.args ?? []).map((arg) => {
      for (const [inPod, onHost] of rewrites) {
        if (arg === inPod || arg.startsWith(`${inPod}/`)) return onHost + arg.slice(inPod.length);
      }
      return arg;
    });
    const log = openSync(join(this.options.logDir, `${pod.metadata!.name}.log`), 'a');
    const child = spawn(this.options.command[0]!, [...this.options.command.slice(1), ...args], {
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.running.set(`${namespace}/${pod.metadata!.name}`, child);
    pod.status = { phase: 'Running', containerStatuses: [] };
    child.on('exit', (code, signal) => {
      if (pod.metadata?.deletionTimestamp) return;
      pod.status = {
        phase: code === 0 ? 'Succeeded' : 'Failed',
        containerStatuses: [
          {
            name: container.name,
            image: container.image ?? '',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: code ?? 137, reason: signal ?? 'Error' } },
          },
        ],
      };
    });
  }

  /** SIGTERM and wait, like a pod deletion with its grace period. */
  private async stop(pod: V1Pod): Promise<void> {
    const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
    const child = this.running.get(key);
    this.running.delete(key);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  get lifecycle(): PodLifecycle {
    return { onCreate: (pod) => this.start(pod), onDelete: (pod) => this.stop(pod) };
  }

  /** Stops every container still running (test teardown). */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.running.entries()].map(async ([key]) => {
        const [namespace, name] = key.split('/');
        await this.stop({ metadata: { namespace: namespace!, name: name! } });
      }),
    );
  }
}
