import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { defineCommand, parseCommandLine } from '../../src/cli/args/index.js';
import { OVERLAY_OPTIONS, overlayFlagsFromOptions } from '../../src/cli/options/overlay.js';
import {
  mergeOverlayConfigs,
  overlayConfigFromFlags,
  overlayFromFlags,
  parseOverlayConfig,
  resolveOverlayConfig,
} from '../../src/overlay/index.js';
import { splitSpec } from '../../src/overlay/flags.js';

const MiB = 1024 ** 2;

const SPEC = defineCommand({
  name: 'test',
  summary: '',
  description: '',
  positionals: [],
  options: OVERLAY_OPTIONS,
});

/** The overlay flags a command line gives, parsed the way mount and replay parse them. */
function flagsOf(argv: string[]) {
  const parsed = parseCommandLine(SPEC, argv);
  if (parsed.help) throw new Error('unexpected --help');
  return overlayFlagsFromOptions(parsed.options);
}

describe('overlay flag shorthands', () => {
  it('turns throttle flags into rules with default bursts', () => {
    const config = overlayConfigFromFlags({
      throttleRead: '10MiB/s',
      throttleWrite: '5MB/s,burst=64KiB,path=/db/**',
      throttleIops: '1000',
      throttleReadIops: '500/s,burst=5',
    });
    expect(config.throttle).toEqual([
      {
        id: 'cli-throttle-read',
        ops: ['read'],
        path: null,
        bytesPerSec: 10 * MiB,
        burstBytes: MiB,
        opsPerSec: null,
        burstOps: 0,
      },
      {
        id: 'cli-throttle-write',
        ops: ['write'],
        path: 'db/**',
        bytesPerSec: 5e6,
        burstBytes: 65536,
        opsPerSec: null,
        burstOps: 0,
      },
      {
        id: 'cli-throttle-iops',
        ops: ['read', 'write'],
        path: null,
        bytesPerSec: null,
        burstBytes: 0,
        opsPerSec: 1000,
        burstOps: 100,
      },
      {
        id: 'cli-throttle-read-iops',
        ops: ['read'],
        path: null,
        bytesPerSec: null,
        burstBytes: 0,
        opsPerSec: 500,
        burstOps: 5,
      },
    ]);
  });

  it('parses --fault and --delay specs like the config file', () => {
    const config = overlayConfigFromFlags({
      fault: [
        'op=write,path=**/*.db,errno=EIO,p=0.01',
        'op=read,truncate=512,first=3',
        'op=read|write,path=*.{db,wal},errno=ENOSPC,uid=0|1000',
      ],
      delay: ['op=fsync,lognormal=5ms:1.0,p=0.5', 'delay=2ms,when=after,every=4'],
    });
    expect(config.faults.map((f) => f.id)).toEqual([
      'cli-fault-1',
      'cli-fault-2',
      'cli-fault-3',
      'cli-delay-1',
      'cli-delay-2',
    ]);
    expect(config.faults[0]).toMatchObject({ ops: ['write'], path: '**/*.db', p: 0.01, errno: { errno: 5 } });
    expect(config.faults[1]).toMatchObject({
      ops: ['read'],
      first: 3,
      truncate: { to: 512, fraction: null },
    });
    expect(config.faults[2]).toMatchObject({ ops: ['read', 'write'], path: '*.{db,wal}', uids: [0, 1000] });
    expect(config.faults[3]).toMatchObject({
      ops: ['fsync'],
      p: 0.5,
      delay: { distribution: { kind: 'lognormal', medianNs: 5e6, sigma: 1 }, when: 'before' },
    });
    expect(config.faults[4]).toMatchObject({
      ops: null,
      every: 4,
      delay: { distribution: { kind: 'fixed', ns: 2e6 }, when: 'after' },
    });
  });

  it('reports bad flags with the flag text', () => {
    expect(() => overlayConfigFromFlags({ fault: ['op=write,errno=EIOO'] })).toThrow(
      `--fault 'op=write,errno=EIOO': errno: unknown errno "EIOO" (did you mean EIO?)`,
    );
    expect(() => overlayConfigFromFlags({ throttleRead: '10 furlongs/s' })).toThrow(
      /^--throttle-read '10 furlongs\/s': bytes: expected a byte rate/,
    );
    expect(() => overlayConfigFromFlags({ delay: ['op=fsync,p=0.5'] })).toThrow(UsageError);
    expect(() => overlayConfigFromFlags({ fault: ['op=read,EIO'] })).toThrow(`expected key=value, got "EIO"`);
    expect(() => overlayConfigFromFlags({ throttleRead: '1MiB/s,size=2' })).toThrow(/unknown key "size"/);
    expect(() => overlayConfigFromFlags({ seed: 'abc' })).toThrow(UsageError);
  });

  it('splits specs on commas outside braces', () => {
    expect(splitSpec('path=**/*.{db,wal},errno=EIO, p=0.5 ,')).toEqual([
      'path=**/*.{db,wal}',
      'errno=EIO',
      'p=0.5',
    ]);
  });

  it('reads its flags through parseArgs', () => {
    const flags = flagsOf([
      '--throttle-write',
      '1MiB/s',
      '--fault',
      'op=write,errno=EIO',
      '--fault',
      'op=read,errno=EIO',
      '--overlay-seed',
      '9',
    ]);
    expect(flags).toMatchObject({
      throttleWrite: '1MiB/s',
      fault: ['op=write,errno=EIO', 'op=read,errno=EIO'],
      seed: '9',
    });
    expect(overlayConfigFromFlags(flags).faults).toHaveLength(2);
  });

  it('merges file rules first, then flag rules; a flag seed overrides the file', async () => {
    const file = parseOverlayConfig('seed: 5\nfaults:\n  - id: f\n    errno: EIO\n', 'o.yaml');
    const flags = overlayConfigFromFlags({ fault: ['errno=EROFS'] });
    const merged = mergeOverlayConfigs(file, flags);
    expect(merged.seed).toBe(5);
    expect(merged.faults.map((f) => f.id)).toEqual(['f', 'cli-fault-1']);
    expect(mergeOverlayConfigs(file, flags, 11).seed).toBe(11);
    const clash = parseOverlayConfig('faults:\n  - id: cli-fault-1\n    errno: EIO\n', 'o.yaml');
    expect(() => mergeOverlayConfigs(clash, flags)).toThrow(/rule id "cli-fault-1" is used twice/);

    const dir = await mkdtemp(join(tmpdir(), 'overlay-flags-'));
    try {
      await writeFile(join(dir, 'o.yaml'), 'seed: 5\nthrottle:\n  - direction: write\n    bytes: 1MiB/s\n');
      const resolved = await resolveOverlayConfig({
        overlay: join(dir, 'o.yaml'),
        throttleRead: '2MiB/s',
        seed: '0',
      });
      expect(resolved.seed).toBe(0);
      expect(resolved.throttle.map((t) => t.id)).toEqual(['throttle-1', 'cli-throttle-read']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('overlayFromFlags', () => {
  it('builds an overlay with its fault log from flags', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overlay-setup-'));
    try {
      const logPath = join(dir, 'faults.jsonl');
      const setup = await overlayFromFlags(
        flagsOf(['--fault', 'op=write,errno=EROFS', '--fault-log', logPath]),
      );
      expect([...setup.overlay.interestedOps]).toEqual(['write']);
      const verdict = setup.overlay.decide({
        op: 'write',
        path: '/f',
        size: 1,
        offset: 0n,
        pid: 1,
        uid: 0,
        gid: 0,
        nowNs: 0n,
      });
      expect(verdict.errno).toBe(30);
      await setup.close();
      const line = JSON.parse(await readFile(logPath, 'utf8')) as { rule: string; errnoName: string };
      expect(line).toMatchObject({ rule: 'cli-fault-1', errnoName: 'EROFS' });
      await expect(overlayFromFlags({ faultLog: join(dir, 'no/such/dir.jsonl') })).rejects.toThrow(
        /--fault-log .*cannot open/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
