/**
 * Large reads travel from the backing file to the kernel as spliced pages over /dev/fuse (and
 * through the ring's buffer over io_uring). Whatever the path, the reader must see the backing
 * file's bytes exactly, at unaligned offsets, across and past the end of the file, and the trace
 * must carry the byte count each read really returned.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAllRows } from '../../src/trace/reader.js';
import { cleanupMounts, makeWorkDir, sh, startMount } from '../helpers/interposer-process.js';

const SIZE = 3_000_001; // not a multiple of any page or request size

/** Python: preads (offset, length) pairs and writes what each returned, back to back. */
const PREADS = `
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
out = open(sys.argv[2], 'wb')
for spec in sys.argv[3:]:
    off, n = map(int, spec.split(':'))
    out.write(os.pread(fd, n, off))
`;

describe('large reads', () => {
  afterAll(cleanupMounts);

  it('return the backing bytes at any offset and size, and the trace records what each returned', async () => {
    const dir = makeWorkDir();
    sh(`mkdir -p ${dir}/backing && head -c ${SIZE} /dev/urandom > ${dir}/backing/odd.bin`);
    // No kernel caching: every read below reaches the server.
    const mount = await startMount(['--cache-timeout', '0', '--no-keep-cache'], { dir });
    const reads: [number, number][] = [
      [0, 1 << 20],
      [4097, 1 << 20], // unaligned: spans one page more than its length
      [65_535, 65_537],
      [SIZE - 100_000, 1 << 20], // crosses the end of the file: a short read
      [SIZE, 1 << 20], // at the end: nothing
      [SIZE + 5000, 200_000], // past the end: nothing
      [123_456, 2_000_000],
    ];
    const script = join(dir, 'preads.py');
    sh(`cat > ${script} <<'EOF'\n${PREADS}\nEOF`);
    const specs = reads.map(([off, n]) => `${off}:${n}`).join(' ');
    const got = join(dir, 'got.bin');
    const run = sh(`python3 ${script} ${mount.mnt}/odd.bin ${got} ${specs}`);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(sh(`cat ${mount.mnt}/odd.bin | cmp - ${dir}/backing/odd.bin`).code).toBe(0);
    await mount.stop();

    const file = readFileSync(join(dir, 'backing', 'odd.bin'));
    const expected = Buffer.concat(reads.map(([off, n]) => file.subarray(off, off + n)));
    expect(readFileSync(got).equals(expected)).toBe(true);

    const rows = (await readAllRows(mount.trace)).filter((r) => r.op === 'read' && r.path === '/odd.bin');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.errno).toBe(0);
      const offset = Number(r.offset);
      // Exactly what the file holds at that offset: the request's size, or less at the end.
      expect(Number(r.bytes)).toBe(Math.max(0, Math.min(Number(r.size), SIZE - offset)));
    }
    // Reads big enough to be spliced, and one that ended short at the end of the file.
    expect(rows.some((r) => Number(r.size) >= 1 << 17 && Number(r.bytes) === Number(r.size))).toBe(true);
    expect(rows.some((r) => Number(r.offset) + Number(r.bytes) === SIZE && r.bytes < r.size!)).toBe(true);
  });
});
