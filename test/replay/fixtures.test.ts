/** Replays of the traces captured from real programs (fixtures/*.parquet) must reproduce them. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayFile } from '../../src/replay/index.js';
import { readAllRows } from '../../src/trace/reader.js';
import { REPO, ensureBuilt, tempDir } from './helpers.js';

const FIXTURES = ['tar', 'git', 'sqlite3', 'fio'].filter((f) =>
  existsSync(join(REPO, 'fixtures', `${f}.parquet`)),
);
let tmp: ReturnType<typeof tempDir>;

beforeAll(() => {
  ensureBuilt();
  tmp = tempDir('replay-fixtures-');
}, 600_000);
afterAll(() => tmp?.cleanup());

describe.skipIf(FIXTURES.length === 0).each(FIXTURES)('fixtures/%s.parquet', (name) => {
  it('replays with every outcome and byte count as recorded (afap)', async () => {
    const out = join(tmp.dir, `${name}.replay.parquet`);
    const { report } = await replayFile({
      input: join(REPO, 'fixtures', `${name}.parquet`),
      target: join(tmp.dir, name),
      out,
      timing: 'afap',
    });
    expect(report.errors.differences).toEqual([]);
    expect(report.bytesDiffer).toBe(0);
    expect(report.bytes.replayedWritten).toBe(report.bytes.recordedWritten);
    expect(report.bytes.replayedRead).toBe(report.bytes.recordedRead);
    // Only ops without a Node.js equivalent are skipped, and they are named.
    for (const op of Object.keys(report.ops.skippedByOp)) {
      expect([
        'getxattr',
        'setxattr',
        'listxattr',
        'removexattr',
        'copy_file_range',
        'lseek',
        'event',
      ]).toContain(op);
    }
    expect(report.ops.replayed + report.ops.skipped).toBe(report.ops.recorded);
    expect((await readAllRows(out)).length).toBe(report.ops.replayed);
  });
});
