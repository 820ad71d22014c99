import { mkdtemp, rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIO_JOBS, fioArgs, parseFioJson } from '../../bench/fs/fio.mjs';
import { parseMetaStorm } from '../../bench/fs/meta-storm.mjs';
import { parseMountinfo } from '../../bench/fs/mounts.mjs';
import { compact, renderMarkdown } from '../../bench/fs/report.mjs';
import { processTree, readProcMemory, rssTrend } from '../../bench/fs/rss.mjs';

describe('parseMountinfo', () => {
  it('reads mountpoint, device and type, unescaping octal sequences', () => {
    const text = [
      '26 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard',
      '41 26 0:38 / /tmp/a\\040dir/mnt rw,nosuid,nodev,relatime - fuse c-passthrough rw,user_id=0,group_id=0',
      '',
    ].join('\n');
    expect(parseMountinfo(text)).toEqual([
      { mountpoint: '/', major: 254, minor: 0, fstype: 'ext4', source: '/dev/vda' },
      { mountpoint: '/tmp/a dir/mnt', major: 0, minor: 38, fstype: 'fuse', source: 'c-passthrough' },
    ]);
  });
});

describe('fio jobs', () => {
  it('cover 4k random and 1 MiB sequential reads and writes at numjobs 1 and 4, buffered and O_DIRECT', () => {
    const keys = FIO_JOBS.map((j) => `${j.rw}/${j.bs}/${j.numjobs}${j.direct ? '/direct' : ''}`).sort();
    expect(keys).toEqual(
      [
        'randread/4k/1',
        'randread/4k/4',
        'randwrite/4k/1',
        'randwrite/4k/4',
        'read/1M/1',
        'read/1M/4',
        'write/1M/1',
        'write/1M/4',
        'read/1M/1/direct',
        'read/1M/4/direct',
        'write/1M/1/direct',
        'write/1M/4/direct',
      ].sort(),
    );
    // O_DIRECT writes drop the data files from the page cache the buffered jobs rely on.
    const firstDirect = FIO_JOBS.findIndex((j) => j.direct);
    expect(FIO_JOBS.slice(firstDirect).every((j) => j.direct)).toBe(true);
  });

  it('use the documented caching settings', () => {
    const args = fioArgs(FIO_JOBS[0]!, '/x', { sizeMiB: 8, runtimeS: 3 });
    expect(args).toEqual(
      expect.arrayContaining([
        '--directory=/x',
        '--ioengine=psync',
        '--direct=0',
        '--invalidate=0',
        '--size=8M',
        '--runtime=3',
        '--output-format=json',
      ]),
    );
    expect(args).not.toContain('--time_based');
    const direct = FIO_JOBS.find((j) => j.direct)!;
    expect(fioArgs(direct, '/x', { sizeMiB: 8, runtimeS: 3 })).toContain('--direct=1');
  });
});

describe('parseFioJson on a real fio run', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-fio-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the bytes fio moved and a consistent rate', () => {
    const job = FIO_JOBS.find((j) => j.rw === 'write' && j.numjobs === 1)!;
    const res = spawnSync('fio', fioArgs(job, dir, { sizeMiB: 4, runtimeS: 10 }), { encoding: 'utf8' });
    expect(res.status).toBe(0);
    const r = parseFioJson(res.stdout);
    expect(r.ioBytes).toBe(4 * 1024 * 1024);
    expect(r.mbps).toBeCloseTo(r.ioBytes / 1e6 / (r.runtimeMs / 1000), -1);
    expect(r.iops).toBeGreaterThan(0);
    expect(r.clatUs.p50).not.toBeNull();
  });

  it('rejects output without JSON or without I/O', () => {
    expect(() => parseFioJson('fio: something went wrong')).toThrow(/no JSON/);
    const idle = JSON.stringify({ jobs: [{ read: { io_bytes: 0 }, write: { io_bytes: 0 } }] });
    expect(() => parseFioJson(idle)).toThrow(/no bytes/);
  });
});

describe('parseMetaStorm', () => {
  it('counts three ops per file', () => {
    const r = parseMetaStorm(
      '{"files":1000,"bytes":100,"create_s":0.3,"stat_s":0.1,"unlink_s":0.1,"total_s":0.5}\n',
    );
    expect(r.opsPerSec).toBeCloseTo(6000);
    expect(r.secondsPer1000).toBeCloseTo(0.5);
  });
});

describe('RSS sampling', () => {
  it('reads this process and finds it in its own tree', () => {
    const m = readProcMemory(process.pid);
    expect(m!.rss).toBeGreaterThan(0);
    expect(m!.hwm).toBeGreaterThanOrEqual(m!.rss);
    expect(processTree(process.pid)[0]).toBe(process.pid);
    expect(readProcMemory(2 ** 22 + 1)).toBeNull();
  });

  it('calls a steady series flat and a growing one not', () => {
    const MiB = 1024 * 1024;
    expect(rssTrend([100, 101, 99, 100, 102, 100].map((x) => x * MiB)).flat).toBe(true);
    const growing = Array.from({ length: 30 }, (_, i) => (100 + 10 * i) * MiB);
    expect(rssTrend(growing)).toMatchObject({ flat: false });
    // Warm-up and garbage-collection swings are not growth; a plateau after warm-up is flat.
    const settling = [
      56, 127, 131, 133, 134, 130, 139, 143, 144, 131, 140, 141, 142, 146, 150, 150, 150, 150,
    ];
    expect(rssTrend(settling.map((x) => x * MiB))).toMatchObject({ flat: true, growthBytes: 6 * MiB });
    expect(rssTrend([1, 2]).flat).toBeNull();
  });
});

describe('renderMarkdown', () => {
  const cell = (iops: number, mbps: number) => ({
    iops,
    mbps,
    ioBytes: 1,
    runtimeMs: 1,
    clatUs: { mean: 1, p50: 2, p99: 3, p999: 4 },
  });
  const meta = (opsPerSec: number) => ({ opsPerSec, secondsPer1000: 3000 / opsPerSec, totalS: 1 });
  const results = {
    startedAt: '2026-01-01T00:00:00.000Z',
    host: { cpus: 2, kernel: 'k', loadBefore: [0, 0, 0], loadAfter: [0, 0, 0] },
    settings: { sizeMiB: 1, runtimeS: 1, metaFiles: 1, metaBytes: 0, repeat: 1, fio: 'f', fuse: 'u' },
    jobs: [{ id: 'w', label: '4k randwrite j1', unit: 'iops' }],
    rows: [
      {
        name: 'direct',
        status: 'ok',
        fio: { w: cell(200_000, 800) },
        meta: meta(30_000),
        meta4: meta(60_000),
      },
      {
        name: 'c-passthrough',
        status: 'ok',
        fio: { w: cell(40_000, 160) },
        meta: meta(10_000),
        meta4: meta(15_000),
      },
      {
        name: 'fuse-native',
        status: 'ok',
        fio: { w: cell(10_000, 40) },
        meta: meta(5_000),
        meta4: { error: 'boom' },
      },
      { name: 'interposer-record', status: 'skipped', reason: 'not built', fio: {}, meta: null },
    ],
  };

  it('shows values, % of direct and multiple of the C passthrough, and skipped rows', () => {
    const md = renderMarkdown(results);
    expect(md).toContain('| workload | direct | c-passthrough | fuse-native |');
    expect(md).toContain('| 4k randwrite j1 (IOPS) | 200k | 40.0k | 10.0k |');
    expect(md).toContain('| 4k randwrite j1 | 100% · 5.00× | 20% · 1.00× | 5.0% · 0.25× |');
    expect(md).toContain('| metadata storm j1 | 100% · 3.00× | 33% · 1.00× | 17% · 0.50× |');
    expect(md).toContain('- **interposer-record** skipped: not built');
  });

  it('shows the four-client storm, its errors, and omits it for results that lack it', () => {
    const md = renderMarkdown(results);
    expect(md).toContain('| metadata storm j4 (ops/s) | 60.0k | 15.0k | – |');
    expect(md).toContain('| metadata storm j4 | 100% · 4.00× | 25% · 1.00× | – · – |');
    expect(md).toContain('- **fuse-native** metadata storm j4: boom');
    const older = { ...results, rows: results.rows.map(({ meta4: _meta4, ...row }) => row) };
    expect(renderMarkdown(older)).not.toContain('metadata storm j4');
  });

  it('names the backing file system, and a temp directory for results that predate it', () => {
    expect(renderMarkdown(results)).toContain('Backing: a directory in the temp dir.');
    const onExt4 = { ...results, settings: { ...results.settings, backing: 'a fresh ext4' } };
    expect(renderMarkdown(onExt4)).toContain('Backing: a fresh ext4.');
  });

  it('names the unmeasured warm-up storm when there was one', () => {
    expect(renderMarkdown(results)).not.toContain('Warm-up');
    const warmed = { ...results, settings: { ...results.settings, warmupFiles: 8000 } };
    expect(renderMarkdown(warmed)).toContain('Warm-up: an unmeasured 8000-file storm first in each row.');
  });

  it('formats compact numbers', () => {
    expect(compact(1_234_567)).toBe('1.23M');
    expect(compact(12_345)).toBe('12.3k');
    expect(compact(1234)).toBe('1234');
    expect(compact(3.14159)).toBe('3.14');
    expect(compact(Number.NaN)).toBe('–');
  });
});
