/**
 * CSI Node service. Each RPC validates its arguments first (INVALID_ARGUMENT before any side
 * effect), then serializes per volume id (a concurrent call for the same volume gets ABORTED, as
 * the spec recommends), then delegates the mounting to a Mounter.
 */
import { rmdir, statfs } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import {
  aborted,
  alreadyExists,
  asCsiError,
  failedPrecondition,
  invalidArgument,
  notFound,
  unimplemented,
} from './errors.js';
import { findMount, unmountAll } from './host-mounts.js';
import { TOPOLOGY_NODE_KEY } from './constants.js';
import type { StateStore } from './state-store.js';
import type { Mounter } from './types.js';
import {
  parsePublishRequest,
  requireAbsolutePath,
  requireVolumeId,
  type RawPublishRequest,
} from './volume-request.js';

export interface NodeOptions<H extends object> {
  nodeId: string;
  mounter: Mounter<H>;
  state: StateStore<H>;
  /** Reported as max_volumes_per_node; 0 means no limit. */
  maxVolumesPerNode?: number;
}

export class NodeServer<H extends object> {
  private readonly busy = new Set<string>();

  constructor(private readonly options: NodeOptions<H>) {}

  private async exclusive<T>(volumeId: string, work: () => Promise<T>): Promise<T> {
    if (this.busy.has(volumeId)) throw aborted(`an operation on volume ${volumeId} is already in progress`);
    this.busy.add(volumeId);
    try {
      return await work();
    } catch (err) {
      throw asCsiError(err);
    } finally {
      this.busy.delete(volumeId);
    }
  }

  async NodeGetInfo(): Promise<object> {
    return {
      node_id: this.options.nodeId,
      max_volumes_per_node: this.options.maxVolumesPerNode ?? 0,
      accessible_topology: { segments: { [TOPOLOGY_NODE_KEY]: this.options.nodeId } },
    };
  }

  async NodeGetCapabilities(): Promise<object> {
    return {
      capabilities: [{ rpc: { type: 'GET_VOLUME_STATS' } }, { rpc: { type: 'VOLUME_CONDITION' } }],
    };
  }

  async NodeStageVolume(): Promise<object> {
    throw unimplemented('NodeStageVolume: the plugin does not have STAGE_UNSTAGE_VOLUME');
  }

  async NodeUnstageVolume(): Promise<object> {
    throw unimplemented('NodeUnstageVolume: the plugin does not have STAGE_UNSTAGE_VOLUME');
  }

  async NodeExpandVolume(): Promise<object> {
    throw unimplemented('NodeExpandVolume: the plugin does not have EXPAND_VOLUME');
  }

  async NodePublishVolume(raw: RawPublishRequest): Promise<object> {
    const request = parsePublishRequest(raw);
    const { mounter, state } = this.options;
    return this.exclusive(request.volumeId, async () => {
      const existing = await state.get(request.volumeId);
      if (existing) {
        if (existing.targetPath !== request.targetPath) {
          throw failedPrecondition(
            `volume ${request.volumeId} is already published at ${existing.targetPath}`,
          );
        }
        if (existing.fingerprint !== request.fingerprint) {
          throw alreadyExists(
            `volume ${request.volumeId} is published at ${request.targetPath} with different arguments`,
          );
        }
        if (await mounter.isHealthy(existing.targetPath, existing.handle)) return {};
        // Same request, dead mount (helper crashed): tear down and publish again.
        await mounter.unpublish(existing.targetPath, existing.handle, { final: false });
        await state.remove(request.volumeId);
      }
      const handle = await mounter.publish(request);
      await state.put({
        volumeId: request.volumeId,
        targetPath: request.targetPath,
        fingerprint: request.fingerprint,
        mode: mounter.mode,
        publishedAt: new Date().toISOString(),
        handle,
      });
      return {};
    });
  }

  async NodeUnpublishVolume(raw: { volume_id?: string; target_path?: string }): Promise<object> {
    const volumeId = requireVolumeId(raw.volume_id);
    const targetPath = requireAbsolutePath(raw.target_path, 'target_path');
    const { mounter, state } = this.options;
    return this.exclusive(volumeId, async () => {
      const existing = await state.get(volumeId);
      if (existing && existing.targetPath === targetPath) {
        await mounter.unpublish(targetPath, existing.handle);
        await state.remove(volumeId);
        return {};
      }
      // Unknown here (already unpublished, or published before the state was lost): kubelet
      // still expects target_path gone, so unpublish is idempotent and cleans what it can.
      if (!existing && (await findMount(targetPath))) await unmountAll(targetPath);
      if (!existing) await rmdir(targetPath).catch(() => undefined);
      return {};
    });
  }

  async NodeGetVolumeStats(raw: { volume_id?: string; volume_path?: string }): Promise<object> {
    const volumeId = requireVolumeId(raw.volume_id);
    if (!raw.volume_path) throw invalidArgument('volume_path is required');
    // A path we never published at (relative ones included) is an unknown volume path: the
    // spec's NOT_FOUND, not a malformed request.
    const volumePath = isAbsolute(raw.volume_path)
      ? requireAbsolutePath(raw.volume_path, 'volume_path')
      : raw.volume_path;
    const existing = await this.options.state.get(volumeId);
    if (!existing) throw notFound(`volume ${volumeId} is not published on this node`);
    if (existing.targetPath !== volumePath) {
      throw notFound(`volume ${volumeId} is not published at ${volumePath}`);
    }
    // Never statfs a dead FUSE mount: it fails or hangs; report the condition instead.
    if (!(await this.options.mounter.isHealthy(volumePath, existing.handle))) {
      return {
        usage: [],
        volume_condition: { abnormal: true, message: 'the interposer mount is not serving requests' },
      };
    }
    const fs = await statfs(volumePath);
    return {
      usage: [
        {
          unit: 'BYTES',
          total: fs.blocks * fs.bsize,
          available: fs.bavail * fs.bsize,
          used: (fs.blocks - fs.bfree) * fs.bsize,
        },
        { unit: 'INODES', total: fs.files, available: fs.ffree, used: fs.files - fs.ffree },
      ],
      volume_condition: { abnormal: false, message: 'mounted' },
    };
  }
}
