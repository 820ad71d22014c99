/**
 * A Mounter for testing the gRPC layer without mounts: it creates and removes the target
 * directory like a real mounter would, records every call, and can be told to fail or stall.
 */
import { mkdir, rm } from 'node:fs/promises';
import { access } from 'node:fs/promises';
import { deadlineExceeded } from '../../src/csi/errors.js';
import type { Mounter, PublishRequest } from '../../src/csi/types.js';

export interface RecordingHandle {
  serial: number;
  targetPath: string;
}

export class RecordingMounter implements Mounter<RecordingHandle> {
  readonly mode = 'recording';
  readonly published: PublishRequest[] = [];
  readonly unpublished: { targetPath: string; handle: RecordingHandle }[] = [];
  /** Set to make publish fail (after creating, then removing, the target dir). */
  failNextPublish = false;
  /** Set to make publish wait until released, to test concurrent calls. */
  stall: Promise<void> | undefined;
  /** Set to simulate a crashed helper. */
  healthy = true;
  private serial = 0;

  async publish(request: PublishRequest): Promise<RecordingHandle> {
    await mkdir(request.targetPath, { recursive: true });
    if (this.stall) await this.stall;
    if (this.failNextPublish) {
      this.failNextPublish = false;
      await rm(request.targetPath, { recursive: true, force: true });
      throw deadlineExceeded('mount did not appear in time');
    }
    this.published.push(request);
    return { serial: ++this.serial, targetPath: request.targetPath };
  }

  async unpublish(targetPath: string, handle: RecordingHandle): Promise<void> {
    this.unpublished.push({ targetPath, handle });
    await rm(targetPath, { recursive: true, force: true });
  }

  async isHealthy(targetPath: string): Promise<boolean> {
    return (
      this.healthy &&
      (await access(targetPath).then(
        () => true,
        () => false,
      ))
    );
  }
}
