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
import type { Mounter, PublishRequest } from './types.js';
import { shortVolumeId, traceBaseName } from './volume-request.js';
import { cacheTimeoutArgs } from './cache-timeout.js';

export interface LocalMounterOptions {
  /** Driver-private directory for the helpers' logs and overlay files. */
  workDir: string;
  /** Where traces go: <traceDir>/<namespace>-<pod>-<volume>.parquet. */
  traceDir: string;
  /** Backing directory for volumes without a backingDir attribute: <baseDir>/<volume id>. */
  baseDir?: string;
  /** How to run the interposer CLI, e.g. [process.execPath, 'dist/cli/interposer.js']. */
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

export class LocalMounter implements Mounter<LocalHandle> {
  readonly mode = 'local';

  constructor(private readonly options: LocalMounterOptions) {}

  private async backingDirOf(request: PublishRequest): Promise<string> {
    const explicit = request.volumeContext[VOLUME_ATTRIBUTES.backingDir];
    if (explicit) {
      if (!explicit.startsWith('/'))
        throw invalidArgument(`${VOLUME_ATTRIBUTES.backingDir} must be absolute`);
      if (!(await exists(explicit))) throw notFound(`backing directory ${explicit} does not exist`);
      return explicit;
    }
    if (!this.options.baseDir) {
      throw invalidArgument(
        `volume attribute ${VOLUME_ATTRIBUTES.backingDir} is required (the driver has no --base-dir)`,
      );
    }
    const dir = join(this.options.baseDir, request.volumeId.replace(/[^A-Za-z0-9._-]+/g, '_'));
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async publish(request: PublishRequest): Promise<LocalHandle> {
    const backingDir = await this.backingDirOf(request);
    const { workDir, traceDir } = this.options;
    const short = shortVolumeId(request.volumeId);
    await mkdir(workDir, { recursive: true });
    await mkdir(request.targetPath, { recursive: true });
    // A leftover mount (a driver that died mid-publish) would make the new mount stack on it.
    await unmountAll(request.targetPath);

    const tracing = request.volumeContext[VOLUME_ATTRIBUTES.trace] !== 'false';
    const traceName = request.volumeContext[VOLUME_ATTRIBUTES.traceName] ?? traceBaseName(request);
    const tracePath = tracing
      ? join(traceDir, `${traceName.replace(/[^A-Za-z0-9._-]+/g, '_')}.parquet`)
      : null;
    if (tracePath) await mkdir(traceDir, { recursive: true });

    const overlay = request.volumeContext[VOLUME_ATTRIBUTES.overlay];
    const overlayPath = overlay ? join(workDir, `${short}.overlay.json`) : null;
    if (overlayPath && overlay) await writeFile(overlayPath, overlay);

    const logPath = join(workDir, `${short}.log`);
    const args = [
      ...this.options.command.slice(1),
      'mount',
      backingDir,
      request.targetPath,
      ...(tracePath ? ['--trace', tracePath] : []),
      ...(overlayPath ? ['--overlay', overlayPath] : []),
      ...cacheTimeoutArgs(
        request.volumeContext,
        request.volumeContext[VOLUME_ATTRIBUTES.backingDir] !== undefined,
      ),
    ];
    // The helper logs to a file, not a pipe: it must outlive a driver restart without SIGPIPE.
    // It names the volume's paths: root-only, like the trace (an old log keeps its mode: reset it).
    const logFd = openSync(logPath, 'w', 0o600);
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
    const handle: LocalHandle = { kind: 'local', pid, backingDir, tracePath, logPath, overlayPath };

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
      await this.unpublish(request.targetPath, handle).catch(() => undefined);
      const detail = `${reason}; log: ${await logTail(logPath)}`;
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

  async unpublish(targetPath: string, handle: LocalHandle): Promise<void> {
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
  }

  async isHealthy(targetPath: string, handle: LocalHandle): Promise<boolean> {
    const accept = this.options.acceptMount ?? isFuseMount;
    const entry = await findMount(targetPath);
    return entry !== undefined && accept(entry) && (await isProcessAlive(handle.pid, targetPath));
  }
}
