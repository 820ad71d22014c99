/**
 * End to end in local mode with the real interposer: kubelet-like gRPC publish of a volume, a
 * child process writing and reading through target_path, stats, unpublish; then the data is in
 * the backing directory, the Parquet trace holds the operations, and nothing is left mounted.
 *
 * Needs the built CLI and native addon (`npm run build`); skipped, saying why, when
 * `dist/bin/interposer.js mount` does not work on this machine.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { findMount, unmountAll } from '../../src/csi/host-mounts.js';
import { LocalMounter, type LocalHandle } from '../../src/csi/local-mounter.js';
import { isProcessAlive } from '../../src/csi/processes.js';
import { loadCsiServices } from '../../src/csi/proto.js';
import { StateStore } from '../../src/csi/state-store.js';
import { readAllRows } from '../../src/trace/reader.js';
import { MOUNT_CAPABILITY, podContext, removeDir, startDriver, type Driver } from './harness.js';

const CLI = fileURLToPath(new URL('../../dist/bin/interposer.js', import.meta.url));

/** Mounts a scratch dir with the real CLI and unmounts it; returns why it failed, if it did. */
async function whyMountDoesNotWork(): Promise<string | undefined> {
  if (!existsSync(CLI)) return `${CLI} is not built (npm run build)`;
  if (!existsSync('/dev/fuse')) return '/dev/fuse is missing';
  const dir = await mkdtemp(join(tmpdir(), 'csi-probe-'));
  const [backing, mountpoint] = [join(dir, 'b'), join(dir, 'm')];
  await mkdir(backing);
  await mkdir(mountpoint);
  const child = spawn(process.execPath, [CLI, 'mount', backing, mountpoint, '--no-trace'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 20_000;
    while (!/^mounted /m.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline)
        return `interposer mount did not come up: ${output.trim().slice(0, 300)}`;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    const code = await exited;
    return code === 0 ? undefined : `interposer mount exited ${code} on SIGTERM`;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await unmountAll(mountpoint).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

const skipReason = await whyMountDoesNotWork();
if (skipReason) console.warn(`local-e2e skipped: ${skipReason}`);

let dir: string;
let driver: Driver | undefined;
const target = () => join(dir, 'kubelet', 'pods', 'uid-1', 'volumes', 'kubernetes.io~csi', 'data', 'mount');

afterEach(async () => {
  await driver?.stop();
  driver = undefined;
  if (!dir) return;
  await unmountAll(target()).catch(() => undefined);
  await removeDir(dir);
});

describe.skipIf(skipReason !== undefined)('local mode with the real interposer mount', () => {
  it('publishes, serves I/O from another process, records a trace and unpublishes cleanly', async () => {
    dir = await mkdtemp(join(tmpdir(), 'csi-e2e-'));
    const backing = join(dir, 'backing');
    await mkdir(backing);
    const mounter = new LocalMounter({
      nodeId: 'node-a',
      workDir: join(dir, 'work'),
      traceDir: join(dir, 'traces'),
      command: [process.execPath, CLI],
      mountTimeoutMs: 30_000,
      stopTimeoutMs: 30_000,
    });
    driver = await startDriver(mounter, { dir });
    await driver.node('NodePublishVolume', {
      volume_id: 'e2e-volume',
      target_path: target(),
      volume_capability: MOUNT_CAPABILITY,
      volume_context: podContext({ backingDir: backing }),
    });
    expect((await findMount(target()))?.fsType).toMatch(/^fuse/);

    // The application: another process, as in a real pod (the driver never touches the mount).
    const script = `set -e; cd "$1"; mkdir objects; printf 'hello interposer' > objects/greeting.txt; cat objects/greeting.txt; ls objects`;
    const { stdout } = await promisify(execFile)('sh', ['-c', script, 'sh', target()]);
    expect(stdout).toBe('hello interposergreeting.txt\n');

    const stats = await driver.node('NodeGetVolumeStats', { volume_id: 'e2e-volume', volume_path: target() });
    expect(stats.volume_condition).toMatchObject({ abnormal: false });
    expect(
      (stats.usage as { unit: string; total: number }[]).find((u) => u.unit === 'BYTES')?.total,
    ).toBeGreaterThan(0);

    const record = await new StateStore<LocalHandle>(join(dir, 'state')).get('e2e-volume');
    const handle = record!.handle;
    await driver.node('NodeUnpublishVolume', { volume_id: 'e2e-volume', target_path: target() });

    expect(await findMount(target())).toBeUndefined();
    expect(existsSync(target())).toBe(false);
    expect(await isProcessAlive(handle.pid)).toBe(false);
    expect(await readFile(join(backing, 'objects', 'greeting.txt'), 'utf8')).toBe('hello interposer');

    expect(handle.tracePath).toMatch(
      /\/traces\/node=node-a\/namespace=bench\/pod=minio-0\/e2e-volume-\d{8}T\d{6}\.\d{3}Z\.parquet$/,
    );
    const rows = await readAllRows(handle.tracePath!);
    const writes = rows.filter((r) => r.op === 'write' && r.path.endsWith('greeting.txt'));
    expect(writes.reduce((sum, r) => sum + Number(r.bytes), 0)).toBe('hello interposer'.length);
    expect(rows.some((r) => r.op === 'mkdir' && r.path.endsWith('objects'))).toBe(true);
    expect(rows.some((r) => r.op === 'read' && r.path.endsWith('greeting.txt'))).toBe(true);
    // The helper's log goes with the volume.
    expect(existsSync(handle.logPath)).toBe(false);
  });
});

describe.skipIf(skipReason !== undefined)(
  'local mode: readonly and trace "false" with the real mount',
  () => {
    const mounter = () =>
      new LocalMounter({
        nodeId: 'node-a',
        workDir: join(dir, 'work'),
        traceDir: join(dir, 'traces'),
        command: [process.execPath, CLI],
        mountTimeoutMs: 30_000,
        stopTimeoutMs: 30_000,
      });

    it('refuses writes through a readonly publish (EROFS) and still serves reads', async () => {
      dir = await mkdtemp(join(tmpdir(), 'csi-ro-'));
      const backing = join(dir, 'backing');
      await mkdir(backing);
      await writeFile(join(backing, 'existing.txt'), 'read me');
      driver = await startDriver(mounter(), { dir });
      await driver.node('NodePublishVolume', {
        volume_id: 'ro-volume',
        target_path: target(),
        volume_capability: MOUNT_CAPABILITY,
        readonly: true,
        volume_context: podContext({ backingDir: backing }),
      });
      const attempt = await promisify(execFile)('sh', [
        '-c',
        'cat "$1/existing.txt"; echo x > "$1/new.txt"',
        'sh',
        target(),
      ]).catch((err: { stdout: string; stderr: string }) => err);
      expect(attempt.stdout).toBe('read me');
      expect(attempt.stderr).toMatch(/Read-only file system/);
      expect(existsSync(join(backing, 'new.txt'))).toBe(false);
      await driver.node('NodeUnpublishVolume', { volume_id: 'ro-volume', target_path: target() });
    });

    it('records nothing for trace: "false": no trace file anywhere, none in the working directory', async () => {
      dir = await mkdtemp(join(tmpdir(), 'csi-notrace-'));
      const backing = join(dir, 'backing');
      await mkdir(backing);
      const cwd = process.cwd();
      const sharedDefault = join(cwd, 'interposer-trace.parquet');
      const existedBefore = existsSync(sharedDefault);
      driver = await startDriver(mounter(), { dir });
      await driver.node('NodePublishVolume', {
        volume_id: 'untraced',
        target_path: target(),
        volume_capability: MOUNT_CAPABILITY,
        volume_context: podContext({ backingDir: backing, trace: 'false' }),
      });
      await promisify(execFile)('sh', ['-c', 'echo data > "$1/f"', 'sh', target()]);
      await driver.node('NodeUnpublishVolume', { volume_id: 'untraced', target_path: target() });
      expect(existsSync(join(dir, 'traces'))).toBe(false);
      if (!existedBefore) expect(existsSync(sharedDefault)).toBe(false);
      expect(await readFile(join(backing, 'f'), 'utf8')).toBe('data\n');
    });
  },
);

describe.skipIf(skipReason !== undefined)('`interposer csi --mode local` (the built CLI)', () => {
  it('serves kubelet over its socket, publishes into --base-dir and exits 0 on SIGTERM', async () => {
    dir = await mkdtemp(join(tmpdir(), 'csi-cli-'));
    const socket = join(dir, 'csi.sock');
    const driverProcess = spawn(
      process.execPath,
      [
        CLI,
        'csi',
        '--mode',
        'local',
        '--node-id',
        'node-1',
        '--endpoint',
        `unix://${socket}`,
        '--state-dir',
        join(dir, 'state'),
        '--trace-dir',
        join(dir, 'traces'),
        '--base-dir',
        join(dir, 'backing'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    driverProcess.stdout.on('data', (d: Buffer) => (output += d.toString()));
    driverProcess.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => driverProcess.on('exit', (code) => resolve(code)));
    const services = loadCsiServices();
    const node = new services.Node(`unix://${socket}`, grpc.credentials.createInsecure());
    const call = (method: string, request: object) =>
      new Promise<Record<string, unknown>>((resolve, reject) =>
        (
          node as unknown as Record<
            string,
            (r: object, o: object, cb: (e: Error | null, v: Record<string, unknown>) => void) => void
          >
        )[method]!.call(node, request, { deadline: Date.now() + 30_000 }, (e, v) =>
          e ? reject(e) : resolve(v),
        ),
      );
    try {
      while (!/serving on/.test(output)) {
        if (driverProcess.exitCode !== null) throw new Error(`driver exited: ${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await call('NodeGetInfo', {})).toMatchObject({ node_id: 'node-1' });
      await call('NodePublishVolume', {
        volume_id: 'cli-vol',
        target_path: target(),
        volume_capability: MOUNT_CAPABILITY,
      });
      expect((await findMount(target()))?.fsType).toMatch(/^fuse/);
      await call('NodeUnpublishVolume', { volume_id: 'cli-vol', target_path: target() });
      expect(await findMount(target())).toBeUndefined();
      expect(existsSync(join(dir, 'backing', 'cli-vol'))).toBe(true);
      const partition = join(dir, 'traces', 'node=node-1', 'namespace=_none_', 'pod=_none_');
      expect(readdirSync(partition)).toEqual([
        expect.stringMatching(/^cli-vol-\d{8}T\d{6}\.\d{3}Z\.parquet$/),
      ]);
    } finally {
      node.close();
      driverProcess.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
