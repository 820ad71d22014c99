import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/cli/errors.js';
import { loadOverlayConfig, parseOverlayConfig } from '../../src/overlay/index.js';

function errorOf(text: string, file = 'overlay.yaml'): string {
  try {
    parseOverlayConfig(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected a validation error');
}

const FULL = `# shaping for the db test
seed: 42
log:
  throttleThreshold: 50ms
throttle:
  - id: reads
    direction: read
    bytes: 10MiB/s
    burst: 1MiB
  - ops: [write, fsync]
    path: /data/**
    iops: 200/s
faults:
  - id: db-eio
    op: write
    path: "**/*.db"
    errno: EIO
    p: 1%
  - op: [read]
    truncate: 50%
    first: 3
  - ops: fsync
    delay:
      lognormal: { median: 5ms, sigma: 1.0 }
    when: after
    after: 30
    before: 2m
    uid: [0, 1000]
  - op: open
    errno: 13
    delay: { uniform: [1ms, 10ms] }
    every: 10
    max: 5
`;

describe('overlay config file', () => {
  it('parses every field into base units', () => {
    const config = parseOverlayConfig(FULL, 'overlay.yaml');
    expect(config.seed).toBe(42);
    expect(config.log.throttleThresholdNs).toBe(50e6);
    expect(config.throttle).toEqual([
      {
        id: 'reads',
        ops: ['read'],
        path: null,
        bytesPerSec: 10 * 1024 ** 2,
        burstBytes: 1024 ** 2,
        opsPerSec: null,
        burstOps: 0,
      },
      {
        id: 'throttle-2',
        ops: ['write', 'fsync'],
        path: 'data/**',
        bytesPerSec: null,
        burstBytes: 0,
        opsPerSec: 200,
        burstOps: 20,
      },
    ]);
    const [eio, trunc, delay, open] = config.faults;
    expect(eio).toMatchObject({
      id: 'db-eio',
      ops: ['write'],
      path: '**/*.db',
      p: 0.01,
      errno: { errno: 5, name: 'EIO' },
    });
    expect(trunc).toMatchObject({
      id: 'fault-2',
      ops: ['read'],
      first: 3,
      truncate: { to: null, fraction: 0.5 },
    });
    expect(delay).toMatchObject({
      ops: ['fsync'],
      afterNs: 30e9,
      beforeNs: 120e9,
      uids: [0, 1000],
      delay: { distribution: { kind: 'lognormal', medianNs: 5e6, sigma: 1 }, when: 'after' },
    });
    expect(open).toMatchObject({
      errno: { errno: 13, name: 'EACCES' },
      delay: { distribution: { kind: 'uniform', minNs: 1e6, maxNs: 10e6 }, when: 'before' },
      every: 10,
      max: 5,
    });
  });

  it('accepts JSON and an empty file', () => {
    const config = parseOverlayConfig(
      '{"faults": [{"op": "write", "errno": "ENOSPC"}], "throttle": [{"direction": "both", "bytes": 1000}]}',
      'o.json',
    );
    expect(config.faults[0]!.errno).toEqual({ errno: 28, name: 'ENOSPC' });
    expect(config.throttle[0]!.ops).toEqual(['read', 'write']);
    expect(parseOverlayConfig('', 'empty.yaml').faults).toEqual([]);
  });

  it('names line, field and the problem, with a did-you-mean for errno', () => {
    const text = `faults:
  - op: write
    errno: EIO
  - op: write
    path: "*.db"
    errno: EIOO
`;
    expect(errorOf(text)).toBe('overlay.yaml:6: faults[1].errno: unknown errno "EIOO" (did you mean EIO?)');
  });

  it('reports unknown fields at their key, with suggestions', () => {
    const text = `throttle:
  - direction: read
    bytes: 1MiB/s
    brust: 1KiB
faults:
  - op: read
    errno: EIO
    probability: 0.5
`;
    expect(errorOf(text).split('\n')).toEqual([
      'overlay.yaml:4: throttle[0].brust: unknown field (did you mean burst?)',
      'overlay.yaml:8: faults[0].probability: unknown field',
    ]);
  });

  it('explains bad units, ops, probabilities and windows', () => {
    const text = `throttle:
  - direction: read
    bytes: 10MiBs
faults:
  - op: wirte
    errno: EIO
  - op: fsync
    delay: 5
  - op: read
    p: 1.5
    errno: EIO
  - op: read
    after: 10s
    before: 5s
    errno: EIO
`;
    expect(errorOf(text).split('\n')).toEqual([
      'overlay.yaml:3: throttle[0].bytes: expected a byte rate > 0 like 10MiB/s (units B, KiB, MiB, GiB, KB, MB, GB), got "10MiBs"',
      'overlay.yaml:5: faults[0].op: unknown op "wirte" (did you mean write?)',
      'overlay.yaml:8: faults[1].delay: expected a duration like 5ms, 250us, 2s (units ns, us, ms, s, m) (a unit is required), got 5',
      'overlay.yaml:10: faults[2].p: expected a probability between 0 and 1 (or a percentage), got 1.5',
      'overlay.yaml:14: faults[3].before: must be later than after (the window would be empty)',
    ]);
  });

  it('requires an action, rejects errno with truncate, and truncate on non-data ops', () => {
    const text = `faults:
  - op: read
    p: 0.5
  - op: read
    errno: EIO
    truncate: 10
  - op: [read, fsync]
    truncate: 10
`;
    expect(errorOf(text).split('\n')).toEqual([
      'overlay.yaml:2: faults[0]: needs an action: errno, truncate, corrupt, signal or delay',
      'overlay.yaml:6: faults[1].truncate: cannot combine errno and truncate (an op that fails moves no bytes)',
      'overlay.yaml:7: faults[2].op: truncate applies to read and write only, not fsync',
    ]);
  });

  it('rejects duplicate rule ids and structural mistakes', () => {
    expect(errorOf('faults:\n  - id: a\n    errno: EIO\n  - id: a\n    errno: EIO\n')).toBe(
      'overlay.yaml:4: faults[1].id: duplicate rule id "a"',
    );
    expect(errorOf('faults:\n  op: read\n')).toBe('overlay.yaml:2: faults: expected a list, got a mapping');
    expect(errorOf('- 1\n')).toMatch(/^overlay\.yaml:1: expected a mapping of seed, throttle, faults, log/);
    expect(errorOf('throttle:\n  - direction: read\n')).toBe(
      'overlay.yaml:2: throttle[0]: needs bytes (a byte rate) or iops (or both)',
    );
  });

  it('reports YAML syntax errors with their line', () => {
    expect(errorOf('faults:\n  - op: read\n   errno: EIO\n')).toBe(
      'overlay.yaml:3: Sequence item without - indicator',
    );
    expect(errorOf('seed: 1\nseed: 2\n')).toBe('overlay.yaml:2: Map keys must be unique');
  });

  it('loads from disk and names the file in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'overlay-config-'));
    try {
      const file = join(dir, 'shape.yaml');
      await writeFile(file, 'faults:\n  - op: write\n    errno: EDQUOT\n');
      expect((await loadOverlayConfig(file)).faults[0]!.errno!.name).toBe('EDQUOT');
      await writeFile(file, 'seed: -3\n');
      await expect(loadOverlayConfig(file)).rejects.toThrow(
        'shape.yaml:1: seed: expected a non-negative integer, got -3',
      );
      await expect(loadOverlayConfig(join(dir, 'missing.yaml'))).rejects.toThrow(
        /cannot read overlay config .*no such file/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
