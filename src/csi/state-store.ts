/**
 * One JSON file per published volume, so a restarted driver (or a new DaemonSet pod) still
 * knows which processes or sidecar pods to stop when kubelet unpublishes.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shortVolumeId } from './volume-request.js';
import type { VolumeRecord } from './types.js';

export class StateStore<H extends object = object> {
  constructor(readonly dir: string) {}

  private fileOf(volumeId: string): string {
    // Hash plus a readable prefix: volume ids may hold any characters.
    return join(
      this.dir,
      `${shortVolumeId(volumeId)}-${volumeId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)}.json`,
    );
  }

  async get(volumeId: string): Promise<VolumeRecord<H> | undefined> {
    try {
      const record = JSON.parse(await readFile(this.fileOf(volumeId), 'utf8')) as VolumeRecord<H>;
      return record.volumeId === volumeId ? record : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Written to a temporary file and renamed, so a crash never leaves half a record. */
  async put(record: VolumeRecord<H>): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.fileOf(record.volumeId);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
    await rename(tmp, file);
  }

  async remove(volumeId: string): Promise<void> {
    await rm(this.fileOf(volumeId), { force: true });
  }

  async list(): Promise<VolumeRecord<H>[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const records: VolumeRecord<H>[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      records.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as VolumeRecord<H>);
    }
    return records;
  }
}
