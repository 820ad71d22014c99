/**
 * Local mode: the backing volume is a host directory, and the interposer runs as a child process
 * of the driver (`interposer mount <backing> <target> --trace ...`). Used on a single machine and
 * in CI, where there is no cluster, and by the same gRPC code path as Kubernetes mode.
 */
import { spawn } from 'node:child_process';
import { closeSync, fchmodSync, openSync } from 'node:fs';
import { access, mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VOLUME_ATTRIBUTES } from './constants.js';
import { deadlineExceeded, internal, invalidArgument, notFound } from './errors.js';
import { findMount, isFuseMount, unmountAll, waitForMount, type MountEntry } from './host-mounts.js';
import { isProcessAlive, stopProcess } from './processes.js';
import type { Mounter, PublishRequest, UnpublishOptions } from './types.js';
import { ensureTraceDir, traceLocation } from './trace-layout.js';
import { shortVolumeId } from './volume-request.js';
import { cacheTimeoutArgs } from './cache-timeout.js';

export interface LocalMounterOptions {
  /** This node's name: the node=<name> partition of trace paths. */
  nodeId: string;
  /** Driver-private directory for the helpers' logs and overlay files. */
  workDir: string;
  /** Trace root: <traceDir>/node=<n>/namespace=<ns>/pod=<p>/<volume>-<start>.parquet. */
  traceDir: string;
  /** Backing directory for volumes without a backingDir attribute: <baseDir>/<volume id>. */
  baseDir?: string;
  /** How to run the interposer CLI, e.g. [process.execPath, 'dist/bin/interposer.js']. */
  command: readonly string[];
  mountTimeoutMs: number;
  stopTimeoutMs: number;
  /** Which mounts count as the interposer's (default: FUSE). */
  acceptMount?: (entry: MountEntry) => boolean;
}

export interface LocalHandle {
  kind: 'local';
  pid: number;
  backingDir: string;
  /** The backing dir was made by this publish (an ephemeral volume): the last unpublish removes it. */
  ownsBackingDir?: boolean;
  readonly?: boolean;
  tracePath: string | null;
  logPath: string;
  overlayPath: string | null;
}

/** How much of the helper's log to put in an error message. */
const LOG_TAIL_CHARS = 2000;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function logTail(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.slice(-LOG_TAIL_CHARS).trim();
}

/** <baseDir>/<volume id, made name-safe>: also where the local Controller creates volumes. */
export function localVolumeDir(baseDir: string, volumeId: string): string {
  return join(baseDir, volumeId.replace(/[^A-Za-z0-9._-]+/g, '_'));
}

export class LocalMounter implements Mounter<LocalHandle> {
  readonly mode = 'local';

  constructor(private readonly options: LocalMounterOptions) {}

  private async backingDirOf(request: PublishRequest): Promise<{ dir: string; owned: boolean }> {
    const explicit = request.volumeContext[VOLUME_ATTRIBUTES.backingDir];
    if (explicit) {
      if (!explicit.startsWith('/'))
        throw invalidArgument(`${VOLUME_ATTRIBUTES.backingDir} must be absolute`);
      if (!(await exists(explicit))) throw notFound(`backing directory ${explicit} does not exist`);
      return { dir: explicit, owned: false };
    }
    if (!this.options.baseDir) {
      throw invalidArgument(
        `volume attribute ${VOLUME_ATTRIBUTES.backingDir} is required (the driver has no --base-dir)`,
      );
    }
    const dir = localVolumeDir(this.options.baseDir, request.volumeId);
    await mkdir(dir, { recursive: true });
    // Only an inline ephemeral volume lives and dies with its pod; anything else is kept.
    return { dir, owned: request.ephemeral };
  }

  async publish(request: PublishRequest): Promise<LocalHandle> {
    const backing = await this.backingDirOf(request);
    const backingDir = backing.dir;
    const { workDir, traceDir } = this.options;
    const short = shortVolumeId(request.volumeId);
    await mkdir(workDir, { recursive: true });
    await mkdir(request.targetPath, { recursive: true });
    // A leftover mount (a driver that died mid-publish) would make the new mount stack on it.
    await unmountAll(request.targetPath);

    const tracing = request.volumeContext[VOLUME_ATTRIBUTES.trace] !== 'false';
    const location = traceLocation(this.options.nodeId, request, new Date());
    const tracePath = tracing ? join(traceDir, location.relativeDir, location.fileName) : null;
    // Traces hold every path and size the pod touched: root-only directories on the host.
    if (tracePath) await ensureTraceDir(traceDir, location.relativeDir);

    const overlay = request.volumeContext[VOLUME_ATTRIBUTES.overlay];
    const overlayPath = overlay ? join(workDir, `${short}.overlay.json`) : null;
    if (overlayPath && overlay) await writeFile(overlayPath, overlay);

    const logPath = join(workDir, `${short}.log`);
    const args = [
      ...this.options.command.slice(1),
      'mount',
      backingDir,
      request.targetPath,
      // Without --trace the helper would record to ./interposer-trace.parquet: say no explicitly.
      ...(tracePath ? ['--trace', tracePath] : ['--no-trace']),
      ...(overlayPath ? ['--overlay', overlayPath] : []),
      // The kernel refuses writes on a read-only FUSE mount (EROFS), whatever the helper does.
      ...(request.readonly ? ['-o', 'ro'] : []),
      ...cacheTimeoutArgs(
        request.volumeContext,
        request.volumeContext[VOLUME_ATTRIBUTES.backingDir] !== undefined,
      ),
    ];
    // The helper logs to a file, not a pipe: it must outlive a driver restart without SIGPIPE.
    // Appended, so a republish after a crash keeps the crashed helper's last words. It names the
    // volume's paths: root-only, like the trace (an old log keeps its mode: reset it).
    const logFd = openSync(logPath, 'a', 0o600);
    fchmodSync(logFd, 0o600);
    const child = spawn(this.options.command[0]!, args, {
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    child.unref();
    let exited: string | undefined;
    child.on('exit', (code, sig) => {
      exited = `interposer mount exited (${sig ?? `code ${code}`})`;
    });
    child.on('error', (err) => {
      exited = `interposer mount could not start: ${err.message}`;
    });
    const pid = child.pid ?? -1;
    const handle: LocalHandle = {
      kind: 'local',
      pid,
      backingDir,
      ownsBackingDir: backing.owned,
      readonly: request.readonly,
      tracePath,
      logPath,
      overlayPath,
    };

    const ready = await waitForMount(request.targetPath, {
      timeoutMs: this.options.mountTimeoutMs,
      accept: this.options.acceptMount ?? isFuseMount,
      failFast: () => exited,
    });
    // The helper prints "mounted <path>" once it serves requests; the kernel mount comes first.
    const announced = ready.ok && (await this.waitForAnnouncement(logPath, () => exited));
    if (!ready.ok || !announced) {
      // Read before cleanup: stopping the helper below sets `exited` too.
      const exitedEarly = exited;
      const reason = ready.ok ? (exitedEarly ?? 'no "mounted" line from interposer mount') : ready.reason;
      const detail = `${reason}; log: ${await logTail(logPath)}`;
      await this.unpublish(request.targetPath, handle, { final: false }).catch(() => undefined);
      throw exitedEarly
        ? internal(`mount of ${request.targetPath} failed: ${detail}`)
        : deadlineExceeded(`mount of ${request.targetPath} timed out: ${detail}`);
    }
    return handle;
  }

  private async waitForAnnouncement(logPath: string, exited: () => string | undefined): Promise<boolean> {
    const deadline = Date.now() + this.options.mountTimeoutMs;
    for (;;) {
      if (/^mounted /m.test(await readFile(logPath, 'utf8').catch(() => ''))) return true;
      if (exited() || Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async unpublish(targetPath: string, handle: LocalHandle, options: UnpublishOptions = {}): Promise<void> {
    if (handle.pid > 0) {
      await stopProcess(handle.pid, { marker: targetPath, graceMs: this.options.stopTimeoutMs });
    }
    // The helper unmounts on SIGTERM; this covers a helper that crashed or was killed.
    await unmountAll(targetPath);
    await rmdir(targetPath).catch((err: NodeJS.ErrnoException) => {
      // Not ours to delete: something wrote under the mount point while nothing was mounted.
      if (err.code === 'ENOTEMPTY') console.warn(`csi: leaving non-empty ${targetPath} in place`);
      else if (err.code !== 'ENOENT') throw internal(`cannot remove ${targetPath}: ${err.message}`);
    });
    if (handle.overlayPath) await rm(handle.overlayPath, { force: true });
    // A republish (crashed helper) or failed publish keeps the data and the log for the next try.
    if (options.final === false) return;
    await rm(handle.logPath, { force: true });
    if (handle.ownsBackingDir) await rm(handle.backingDir, { recursive: true, force: true });
  }

  async isHealthy(targetPath: string, handle: LocalHandle): Promise<boolean> {
    const accept = this.options.acceptMount ?? isFuseMount;
    const entry = await findMount(targetPath);
    return entry !== undefined && accept(entry) && (await isProcessAlive(handle.pid, targetPath));
  }
}
