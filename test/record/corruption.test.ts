/**
 * Faults beyond errors: silently corrupted reads caught by a real checksum tool, with the exact
 * offsets and original bytes in the fault log; and a rule that kills the calling process.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readAllRows } from '../../src/trace/reader.js';
import { cleanupMounts, makeWorkDir, sh, startMount } from '../helpers/interposer-process.js';

describe('corruption and kill-the-caller faults', () => {
  afterAll(cleanupMounts);

  it('corrupts reads so sha256sum differs, and logs offsets and original bytes', async () => {
    const dir = makeWorkDir();
    sh(`mkdir -p ${dir}/backing && head -c 1048576 /dev/urandom > ${dir}/backing/blob.bin`);
    const mount = await startMount(
      ['--fault', 'op=read,path=/blob.bin,corrupt=3,corrupt-mode=flip,first=1'],
      { dir },
    );
    const seenPath = join(dir, 'seen.bin');
    const original = sh(`sha256sum < ${mount.backing}/blob.bin`).out;
    expect(sh(`cat ${mount.mnt}/blob.bin > ${seenPath}`).code).toBe(0);
    expect(sh(`sha256sum < ${seenPath}`).out).not.toBe(original);
    await mount.stop();

    const log = readFileSync(`${mount.trace}.faults.jsonl`, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as { kind: string; corrupt?: { offset: string; original: number; xor: number }[] },
      );
    const corrupt = log.filter((f) => f.kind === 'corrupt');
    expect(corrupt).toHaveLength(1);
    const bytes = corrupt[0]!.corrupt!;
    expect(bytes).toHaveLength(3);
    const file = readFileSync(join(mount.backing, 'blob.bin'));
    for (const b of bytes) {
      expect(b.original).toBe(file[Number(b.offset)]);
      expect(b.xor).toBe(0xff);
    }
    // The reader saw exactly the logged corruption: putting the original bytes back repairs it.
    const seen = readFileSync(seenPath);
    for (const b of bytes) {
      expect(seen[Number(b.offset)]).toBe(b.original ^ b.xor);
      seen[Number(b.offset)] = b.original;
    }
    expect(seen.equals(file)).toBe(true);
    const rows = await readAllRows(mount.trace);
    expect(rows.filter((r) => r.faultKind === 'corrupt')).toHaveLength(1);
  });

  it('kills the process whose operation matches a signal rule', async () => {
    const mount = await startMount(['--fault', 'op=write,path=/victim.txt,signal=SIGKILL']);
    const python = spawnSync('python3', ['-c', `open('${mount.mnt}/victim.txt','w').write('x')`]);
    expect(python.signal).toBe('SIGKILL');
    await mount.stop();
    const rows = await readAllRows(mount.trace);
    const killed = rows.filter((x) => x.faultKind === 'signal');
    expect(killed.length).toBeGreaterThanOrEqual(1);
    expect(killed.every((x) => x.op === 'write' && x.path === '/victim.txt')).toBe(true);
  });
});
