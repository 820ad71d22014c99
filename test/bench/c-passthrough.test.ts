// End-to-end: builds the C libfuse3 passthrough, mounts it, and drives it from child processes
// (never from this process: a FUSE client and the test share no event loop with the server, but
// a hung mount must not hang vitest either). Every test unmounts in finally.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTools } from '../../bench/fs/build-tools.mjs';
import { runMetaStorm, runMetaStormParallel } from '../../bench/fs/meta-storm.mjs';
import { forceUnmount, isFuseMounted } from '../../bench/fs/mounts.mjs';
import { cPassthroughSpec, type MountHandle } from '../../bench/fs/specs.mjs';
import { createWorkspace, type Workspace } from '../../bench/fs/workspace.mjs';

let ws: Workspace;
let tools: { cPassthrough: string; metaStorm: string };

beforeAll(async () => {
  ws = await createWorkspace('bench-cpt-test-');
  tools = await buildTools(ws.tools);
});

afterAll(async () => {
  if (ws) {
    await forceUnmount(ws.mnt);
    await ws.remove();
  }
});

async function withMount(fn: (h: MountHandle) => Promise<void>): Promise<void> {
  const handle = await cPassthroughSpec(tools.cPassthrough).mount(ws.backing, ws.mnt, ws.scratch);
  try {
    await fn(handle);
  } finally {
    await handle.unmount();
    expect(isFuseMounted(ws.mnt)).toBe(false);
  }
}

// The child cds into the mount itself: spawn's cwd option would chdir between fork and exec,
// while the parent waits synchronously for the exec (a hung mount would hang this process).
function sh(script: string): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync('bash', ['-euo', 'pipefail', '-c', `cd "$1"\n${script}`, 'sh', ws.mnt], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('c-passthrough', () => {
  it('passes file, directory, link, attribute and xattr operations through to the backing dir', async () => {
    await withMount(async () => {
      const res = sh(`
        printf 'hello world' > a.txt
        cat a.txt; echo
        mkdir -p d/e
        mv a.txt d/b.txt
        ln -s d/b.txt sym
        readlink sym
        ln d/b.txt hard
        stat -c '%h' hard
        chmod 640 d/b.txt
        truncate -s 5 d/b.txt
        cat d/b.txt; echo
        touch -m -d '2020-01-02 03:04:05' d/b.txt
        setfattr -n user.bench -v yes d/b.txt
        getfattr --only-values -n user.bench d/b.txt; echo
        fallocate -l 65536 big
        printf 'keep' > target
        printf 'other' > src
        mv -n src target || true
        cat target; echo
        ls d
        rmdir d/e
        df --output=fstype . | tail -1
        dd if=/dev/urandom of=blob bs=1M count=3 status=none
        sha256sum blob | cut -d' ' -f1
      `);
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      const out = res.stdout.trim().split('\n');
      expect(out.slice(0, 5)).toEqual(['hello world', 'd/b.txt', '2', 'hello', 'yes']);
      // RENAME_NOREPLACE (mv -n) must not replace an existing target.
      expect(out[5]).toBe('keep');
      expect(out[6]).toBe('b.txt');

      const b = join(ws.backing, 'd', 'b.txt');
      expect(readFileSync(b, 'utf8')).toBe('hello');
      expect(statSync(b).mode & 0o777).toBe(0o640);
      expect(statSync(b).mtime.toISOString()).toMatch(/^2020-01-02T/);
      expect(readlinkSync(join(ws.backing, 'sym'))).toBe('d/b.txt');
      expect(statSync(join(ws.backing, 'big')).size).toBe(65536);
      expect(existsSync(join(ws.backing, 'src'))).toBe(true);
      expect(existsSync(join(ws.backing, 'd', 'e'))).toBe(false);
      const sum = spawnSync('sha256sum', [join(ws.backing, 'blob')], { encoding: 'utf8' }).stdout.split(
        ' ',
      )[0];
      expect(out.at(-1)).toBe(sum);
      sh('rm -rf d sym hard big target src blob');
    });
    expect(readdirSync(ws.backing)).toEqual([]);
  });

  it('lists directories larger than one readdir reply', async () => {
    await withMount(async () => {
      const res = sh('mkdir many && (cd many && seq 1 3000 | xargs touch) && ls many | wc -l && rm -r many');
      expect(res.status).toBe(0);
      expect(res.stdout.trim()).toBe('3000');
    });
  });

  it('runs the metadata storm and leaves nothing behind', async () => {
    await withMount(async (h) => {
      const r = await runMetaStorm(tools.metaStorm, join(h.root, 'storm'), { files: 300, bytes: 100 });
      expect(r.files).toBe(300);
      expect(r.opsPerSec).toBeGreaterThan(0);
    });
    expect(readdirSync(ws.backing)).toEqual([]);
  });

  it('runs four storms at once, each in its own directory, and sums their files', async () => {
    await withMount(async (h) => {
      const r = await runMetaStormParallel(tools.metaStorm, join(h.root, 'storm'), {
        clients: 4,
        files: 200,
        bytes: 100,
      });
      expect(r.clients).toBe(4);
      expect(r.files).toBe(800);
      expect(r.opsPerSec).toBeCloseTo((3 * 800) / r.totalS, 6);
      // Wall time covers the slowest client, so it is at least each client's own total.
      expect(r.totalS).toBeGreaterThanOrEqual(r.createS);
    });
    expect(readdirSync(ws.backing)).toEqual([]);
  });

  it('gets a mount with a stopped server and a busy client off the mountpoint', async () => {
    const handle = await cPassthroughSpec(tools.cPassthrough).mount(ws.backing, ws.mnt, ws.scratch);
    const clients: ReturnType<typeof spawn>[] = [];
    try {
      process.kill(handle.pid!, 'SIGSTOP');
      // One client keeps its cwd in the mount (umount -> EBUSY), one hangs in a request.
      clients.push(spawn('sh', ['-c', 'cd "$1" && exec sleep 60', 'sh', ws.mnt], { stdio: 'ignore' }));
      const hung = spawn('cat', [join(ws.mnt, 'nothing-here')], { stdio: 'ignore' });
      clients.push(hung);
      const hungExit = new Promise<number | null>((resolve) => hung.on('exit', (code) => resolve(code)));
      await new Promise((r) => setTimeout(r, 300));

      const steps = await forceUnmount(ws.mnt);
      expect(isFuseMounted(ws.mnt)).toBe(false);
      expect(steps.join('\n')).toMatch(/aborted connection/);
      // The aborted request fails instead of hanging forever.
      expect(await hungExit).not.toBe(0);
    } finally {
      for (const c of clients) c.kill('SIGKILL');
      process.kill(handle.pid!, 'SIGCONT');
      await handle.unmount();
      expect(isFuseMounted(ws.mnt)).toBe(false);
    }
  });
});
