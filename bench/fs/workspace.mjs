// Temp directories for a bench run and the fio data files in the backing dir. The harness only
// touches the backing dir (a plain directory) itself; mounts are driven from child processes.
import { mkdtemp, mkdir, open, rm, stat } from 'node:fs/promises';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataFileName } from './fio.mjs';
import { isFuseMounted } from './mounts.mjs';

const CHUNK = 1024 * 1024;

/**
 * @returns {Promise<{ root: string, backing: string, mnt: string, scratch: string, tools: string,
 *   remove: () => Promise<void> }>}
 */
export async function createWorkspace(prefix = 'interposer-bench-') {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const ws = {
    root,
    backing: join(root, 'backing'),
    mnt: join(root, 'mnt'),
    scratch: join(root, 'scratch'),
    tools: join(root, 'tools'),
    // Never recurse into a mount that is still there (it could hang, or delete through it).
    remove: async () => {
      if (isFuseMounted(ws.mnt)) throw new Error(`${ws.mnt} is still mounted; leaving ${root} in place`);
      await rm(root, { recursive: true, force: true });
    },
  };
  for (const d of [ws.backing, ws.mnt, ws.scratch, ws.tools]) await mkdir(d);
  return ws;
}

/** Writes `count` files of sizeMiB of random bytes (incompressible, no holes). */
export async function layOutDataFiles(dir, count, sizeMiB) {
  const buf = randomFillSync(Buffer.alloc(CHUNK));
  for (let n = 0; n < count; n++) {
    const path = join(dir, dataFileName(n));
    const existing = await stat(path).catch(() => null);
    if (existing?.size === sizeMiB * CHUNK) continue;
    const fh = await open(path, 'w');
    try {
      for (let i = 0; i < sizeMiB; i++) await fh.write(buf, 0, CHUNK, i * CHUNK);
    } finally {
      await fh.close();
    }
  }
}

/** Reads the data files once so every row starts from a warm backing page cache. */
export async function prewarm(dir, count) {
  const buf = Buffer.alloc(CHUNK);
  for (let n = 0; n < count; n++) {
    const fh = await open(join(dir, dataFileName(n)), 'r');
    try {
      while ((await fh.read(buf, 0, CHUNK, null)).bytesRead > 0);
    } finally {
      await fh.close();
    }
  }
}
