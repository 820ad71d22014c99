import fc from 'fast-check';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { UsageError, UserError } from '../../src/cli/errors.js';
import {
  CORRUPT_SET_ZERO,
  FakeClock,
  MAX_CORRUPT_BYTES,
  MemoryFaultLog,
  NO_EFFECT,
  Overlay,
  applyCorruption,
  overlayConfigFromFlags,
  parseOverlayConfig,
  sampleCorruption,
  type CorruptAction,
  type CorruptMode,
  type OpContext,
  type OverlayConfig,
  type Verdict,
} from '../../src/overlay/index.js';
import { kindMismatches, renderFaultReport, summarizeFaultLog } from '../../src/overlay/fault-report.js';
import { Prng } from '../../src/overlay/prng.js';
import { EIO, configOf, ctx, faultRule } from './helpers.js';

const MODES: CorruptMode[] = ['flip', 'zero', 'random'];

function errorOf(text: string): string {
  try {
    parseOverlayConfig(text, 'overlay.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected a validation error');
}

/** A read of `size` bytes at `offset` of /data/f.bin. */
function readAt(offset: number, size: number, extra: Partial<OpContext> = {}): OpContext {
  return ctx('read', '/data/f.bin', { offset: BigInt(offset), size, ...extra });
}

function corruptRule(id: string, corrupt: CorruptAction, extra: Parameters<typeof faultRule>[1] = {}) {
  return faultRule(id, { ops: ['read'], corrupt, ...extra });
}

describe('sampleCorruption', () => {
  it('picks min(bytes, size) distinct ascending positions below size, with valid masks (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: MAX_CORRUPT_BYTES }),
        fc.constantFrom(...MODES),
        (seed, size, bytes, mode) => {
          const picked = sampleCorruption({ bytes, mode }, size, new Prng(seed));
          expect(picked.length).toBe(Math.min(bytes, size));
          for (let i = 0; i < picked.length; i++) {
            const { index, xor } = picked[i]!;
            expect(Number.isInteger(index) && index >= 0 && index < size).toBe(true);
            if (i > 0) expect(index).toBeGreaterThan(picked[i - 1]!.index);
            if (mode === 'flip') expect(xor).toBe(0xff);
            else if (mode === 'zero') expect(xor).toBe(CORRUPT_SET_ZERO);
            else expect(xor >= 1 && xor <= 255 && Number.isInteger(xor)).toBe(true);
          }
          // Same seed, same positions and masks.
          expect(sampleCorruption({ bytes, mode }, size, new Prng(seed))).toEqual(picked);
        },
      ),
    );
  });

  it('covers the whole transfer when asked for as many bytes as it has', () => {
    const picked = sampleCorruption({ bytes: 5, mode: 'flip' }, 5, new Prng(7));
    expect(picked.map((b) => b.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('never picks more than MAX_CORRUPT_BYTES, even from a hand-built action', () => {
    expect(sampleCorruption({ bytes: 1000, mode: 'flip' }, 1 << 20, new Prng(1))).toHaveLength(
      MAX_CORRUPT_BYTES,
    );
  });
});

describe('applyCorruption', () => {
  it('flips, zeroes and xors in place, skipping positions past what the op moved', () => {
    const data = Uint8Array.from([0x0f, 0x22, 0x33, 0x44]);
    const changed = applyCorruption(
      data,
      [
        { index: 0, xor: 0xff },
        { index: 1, xor: CORRUPT_SET_ZERO },
        { index: 2, xor: 0x01 },
        { index: 3, xor: 0xff },
      ],
      3,
    );
    expect(changed).toBe(3);
    expect([...data]).toEqual([0xf0, 0x00, 0x32, 0x44]);
  });
});

describe('Overlay.decide: corrupt', () => {
  it('returns positions inside the transfer and kind corrupt; NO_EFFECT has none', () => {
    expect(NO_EFFECT.corrupt).toBeNull();
    expect(NO_EFFECT.signal).toBeNull();
    const overlay = Overlay.fromConfig(
      configOf({ faults: [corruptRule('rot', { bytes: 3, mode: 'flip' })] }),
    );
    const v = overlay.decide(readAt(8192, 4096));
    expect(v).toMatchObject({ errno: 0, truncateTo: -1, faultKind: 'corrupt', ruleId: 'rot' });
    expect(v.corrupt).toHaveLength(3);
    for (const b of v.corrupt!) {
      expect(b.index).toBeLessThan(4096);
      expect(b.xor).toBe(0xff);
    }
  });

  it('gives the same positions for the same seed and op sequence (property)', () => {
    const run = (seed: number, sizes: number[]): (Verdict['corrupt'] | undefined)[] => {
      const overlay = Overlay.fromConfig(
        configOf({ seed, faults: [corruptRule('rot', { bytes: 4, mode: 'random' }, { p: 0.5 })] }),
      );
      return sizes.map((size, i) => overlay.decide(readAt(i * 4096, size)).corrupt);
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.array(fc.integer({ min: 0, max: 65536 }), { maxLength: 50 }),
        (seed, sizes) => {
          expect(run(seed, sizes)).toEqual(run(seed, sizes));
        },
      ),
    );
    const sizes = Array.from({ length: 40 }, () => 65536);
    expect(run(1, sizes)).not.toEqual(run(2, sizes));
  });

  it('lets errno win over corrupt, but still advances the corrupt rule as if alone', () => {
    const rot = corruptRule('rot', { bytes: 2, mode: 'random' });
    const alone = Overlay.fromConfig(configOf({ faults: [rot] }));
    const withErrno = Overlay.fromConfig(
      configOf({ faults: [faultRule('fail', { ops: ['read'], errno: EIO, first: 1 }), rot] }),
    );
    const first = withErrno.decide(readAt(0, 1000));
    expect(first).toMatchObject({ errno: 5, faultKind: 'errno', ruleId: 'fail' });
    expect(first.corrupt ?? null).toBeNull();
    alone.decide(readAt(0, 1000));
    // The second op: the errno rule is spent; both overlays drew the same positions.
    expect(withErrno.decide(readAt(1000, 1000)).corrupt).toEqual(alone.decide(readAt(1000, 1000)).corrupt);
  });

  it('drops positions at or beyond a truncated length, and the fault when none are left', () => {
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [
          faultRule('short', { ops: ['read'], truncate: { to: 100, fraction: null } }),
          corruptRule('rot', { bytes: 64, mode: 'zero' }),
        ],
      }),
    );
    const v = overlay.decide(readAt(0, 200));
    expect(v.truncateTo).toBe(100);
    expect(v.faultKind).toBe('corrupt');
    expect(v.corrupt!.length).toBeGreaterThan(0);
    expect(v.corrupt!.length).toBeLessThan(64);
    expect(v.corrupt!.every((b) => b.index < 100 && b.xor === CORRUPT_SET_ZERO)).toBe(true);

    const toZero = Overlay.fromConfig(
      configOf({
        faults: [
          faultRule('empty', { ops: ['read'], truncate: { to: 0, fraction: null } }),
          corruptRule('rot', { bytes: 3, mode: 'flip' }),
        ],
      }),
    );
    const w = toZero.decide(readAt(0, 200));
    expect(w).toMatchObject({ truncateTo: 0, faultKind: 'truncate', ruleId: 'empty' });
    expect(w.corrupt ?? null).toBeNull();
  });

  it('uses the first firing corrupt rule', () => {
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [corruptRule('a', { bytes: 1, mode: 'flip' }), corruptRule('b', { bytes: 5, mode: 'flip' })],
      }),
    );
    const v = overlay.decide(readAt(0, 4096));
    expect(v.ruleId).toBe('a');
    expect(v.corrupt).toHaveLength(1);
    expect(overlay.rules().map((r) => (r.kind === 'fault' ? r.fired : -1))).toEqual([1, 1]);
  });

  it('reads the original bytes only when a corruption fires, and logs file offsets, bytes and masks', () => {
    const file = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) & 0xff);
    const calls: [string, bigint, number][] = [];
    const log = new MemoryFaultLog();
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [corruptRule('rot', { bytes: 4, mode: 'random' }, { path: '**/*.bin', every: 2 })],
      }),
      {
        faultLog: log,
        clock: new FakeClock(1_700_000_000_000_000_000n),
        readOriginal: (path, offset, length) => {
          calls.push([path, offset, length]);
          return file.subarray(Number(offset), Number(offset) + length);
        },
      },
    );
    expect(overlay.decide(readAt(1000, 512))).toBe(NO_EFFECT); // 1st match: every=2 skips it
    expect(overlay.decide(ctx('read', '/data/f.txt', { offset: 0n, size: 512 }))).toBe(NO_EFFECT);
    expect(calls).toHaveLength(0);

    const v = overlay.decide(readAt(2000, 512));
    expect(calls).toHaveLength(1);
    const positions = v.corrupt!;
    const [path, offset, length] = calls[0]!;
    expect(path).toBe('/data/f.bin');
    expect(offset).toBe(2000n + BigInt(positions[0]!.index));
    expect(length).toBe(positions[positions.length - 1]!.index - positions[0]!.index + 1);

    expect(log.records).toHaveLength(1);
    const rec = log.records[0]!;
    expect(rec).toMatchObject({ kind: 'corrupt', rule: 'rot', op: 'read', size: 512, corruptMode: 'random' });
    expect(rec.corrupt).toEqual(
      positions.map((b) => ({
        offset: String(2000 + b.index),
        original: file[2000 + b.index],
        xor: b.xor,
      })),
    );
  });

  it('logs null originals beyond end of file, for writes, and without readOriginal', () => {
    const log = new MemoryFaultLog();
    let calls = 0;
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [faultRule('rot', { ops: ['read', 'write'], corrupt: { bytes: 8, mode: 'flip' } })],
      }),
      {
        faultLog: log,
        readOriginal: () => {
          calls++;
          return new Uint8Array(0); // the file ends before the read
        },
      },
    );
    overlay.decide(readAt(0, 16));
    overlay.decide(ctx('write', '/data/f.bin', { offset: 4096n, size: 16 }));
    expect(calls).toBe(1); // not for the write: the file does not hold the bytes being written
    expect(log.records.map((r) => r.corrupt!.every((b) => b.original === null))).toEqual([true, true]);
    expect(log.records[1]!.corrupt!.every((b) => BigInt(b.offset!) >= 4096n)).toBe(true);

    const bare = new MemoryFaultLog();
    Overlay.fromConfig(configOf({ faults: [corruptRule('rot', { bytes: 2, mode: 'flip' })] }), {
      faultLog: bare,
    }).decide(readAt(0, 16));
    expect(bare.records[0]!.corrupt!.map((b) => b.original)).toEqual([null, null]);
  });

  it('does not call readOriginal without a fault log', () => {
    let calls = 0;
    const overlay = Overlay.fromConfig(
      configOf({ faults: [corruptRule('rot', { bytes: 2, mode: 'flip' })] }),
      {
        readOriginal: () => {
          calls++;
          return null;
        },
      },
    );
    expect(overlay.decide(readAt(0, 16)).corrupt).toHaveLength(2);
    expect(calls).toBe(0);
  });
});

describe('Overlay.decide: signal', () => {
  const sigkill = { signal: constants.signals.SIGKILL, name: 'SIGKILL' };

  it('returns the signal with kind signal, combined with errno and delay', () => {
    const log = new MemoryFaultLog();
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [
          faultRule('kill', {
            ops: ['fsync'],
            signal: sigkill,
            errno: EIO,
            delay: { distribution: { kind: 'fixed', ns: 1000 }, when: 'before' },
          }),
        ],
      }),
      { faultLog: log },
    );
    expect(overlay.decide(ctx('write', '/f'))).toBe(NO_EFFECT);
    const v = overlay.decide(ctx('fsync', '/f', { pid: 4242 }));
    expect(v).toMatchObject({
      signal: 9,
      errno: 5,
      delayBeforeNs: 1000,
      faultKind: 'signal',
      ruleId: 'kill',
    });
    expect(log.records.map((r) => [r.kind, r.signal ?? r.errno ?? r.delayNs])).toEqual([
      ['signal', 9],
      ['errno', 5],
      ['delay', 1000],
    ]);
    expect(log.records[0]).toMatchObject({ signalName: 'SIGKILL', pid: 4242 });
  });

  it('honours the counters like any fault: first=1 kills once', () => {
    const overlay = Overlay.fromConfig(
      configOf({ faults: [faultRule('kill', { signal: sigkill, first: 1 })] }),
    );
    expect(overlay.decide(ctx('open', '/f')).signal).toBe(9);
    expect(overlay.decide(ctx('open', '/f'))).toBe(NO_EFFECT);
  });

  it('keeps the first firing signal rule', () => {
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [
          faultRule('term', { signal: { signal: constants.signals.SIGTERM, name: 'SIGTERM' } }),
          faultRule('kill', { signal: sigkill }),
        ],
      }),
    );
    expect(overlay.decide(ctx('read', '/f'))).toMatchObject({ signal: 15, ruleId: 'term' });
  });
});

describe('config and flags: corrupt and signal', () => {
  it('parses both actions from a file, with defaults', () => {
    const config: OverlayConfig = parseOverlayConfig(
      `faults:
  - id: bitrot
    path: "**/*.bin"
    corrupt: { bytes: 3, mode: random }
    first: 1
  - op: write
    corrupt: 2
  - op: fsync
    signal: sigkill
  - op: write
    signal: TERM
    errno: EIO
`,
      'overlay.yaml',
    );
    expect(config.faults.map((f) => [f.ops, f.corrupt, f.signal?.name ?? null])).toEqual([
      [['read'], { bytes: 3, mode: 'random' }, null],
      [['write'], { bytes: 2, mode: 'flip' }, null],
      [['fsync'], null, 'SIGKILL'],
      [['write'], null, 'SIGTERM'],
    ]);
    expect(config.faults[2]!.signal!.signal).toBe(constants.signals.SIGKILL);
  });

  it('reports bad modes, counts, ops, combinations and signals with their line', () => {
    const text = `faults:
  - corrupt: { bytes: 3, mode: flp }
  - corrupt: 0
  - corrupt: { bytes: 65 }
  - op: fsync
    corrupt: 1
  - op: read
    errno: EIO
    corrupt: 1
  - signal: SIGKIL
  - signal: 0
  - signal: { name: SIGKILL }
  - corrupt: { mode: zero }
`;
    expect(errorOf(text).split('\n')).toEqual([
      'overlay.yaml:2: faults[0].corrupt.mode: expected flip, zero, random, got "flp" (did you mean flip?)',
      'overlay.yaml:3: faults[1].corrupt: expected a byte count from 1 to 64, got 0',
      'overlay.yaml:4: faults[2].corrupt.bytes: expected a byte count from 1 to 64, got 65',
      'overlay.yaml:5: faults[3].op: corrupt applies to read and write only, not fsync',
      'overlay.yaml:9: faults[4].corrupt: cannot combine errno and corrupt (an op that fails moves no bytes)',
      'overlay.yaml:10: faults[5].signal: unknown signal "SIGKIL" (did you mean SIGKILL?)',
      'overlay.yaml:11: faults[6].signal: unknown signal number 0',
      'overlay.yaml:12: faults[7].signal: expected a signal name like SIGKILL or a number, got a mapping',
      'overlay.yaml:13: faults[8].corrupt: needs bytes (how many bytes to corrupt per op)',
    ]);
  });

  it('turns --fault shorthands into the same rules', () => {
    const config = overlayConfigFromFlags({
      fault: [
        'op=read,path=**/*.bin,corrupt=3,corrupt-mode=zero,first=1',
        'corrupt=5',
        'op=fsync,signal=SIGKILL,first=1',
      ],
    });
    expect(
      config.faults.map((f) => [f.id, f.ops, f.path, f.first, f.corrupt, f.signal?.name ?? null]),
    ).toEqual([
      ['cli-fault-1', ['read'], '**/*.bin', 1, { bytes: 3, mode: 'zero' }, null],
      ['cli-fault-2', ['read'], null, null, { bytes: 5, mode: 'flip' }, null],
      ['cli-fault-3', ['fsync'], null, 1, null, 'SIGKILL'],
    ]);
  });

  it('reports flag mistakes with the flag text', () => {
    expect(() => overlayConfigFromFlags({ fault: ['op=read,corrupt-mode=flip'] })).toThrow(UsageError);
    expect(() => overlayConfigFromFlags({ fault: ['op=read,corrupt-mode=flip'] })).toThrow(
      "--fault 'op=read,corrupt-mode=flip': corrupt-mode needs corrupt=N",
    );
    expect(() => overlayConfigFromFlags({ fault: ['corrupt=2,corrupt-mode=smash'] })).toThrow(
      '--fault \'corrupt=2,corrupt-mode=smash\': corrupt.mode: expected flip, zero, random, got "smash"',
    );
    expect(() => overlayConfigFromFlags({ fault: ['signal=SIGSEGF'] })).toThrow(
      `--fault 'signal=SIGSEGF': signal: unknown signal "SIGSEGF" (did you mean SIGSEGV?)`,
    );
  });
});

describe('interposer faults report: corrupt and signal', () => {
  it('counts corrupted bytes and signals by rule, kind and process, and compares them with the trace', () => {
    const log = new MemoryFaultLog();
    const overlay = Overlay.fromConfig(
      configOf({
        faults: [
          corruptRule('rot', { bytes: 3, mode: 'random' }, { first: 2 }),
          faultRule('kill', {
            ops: ['fsync'],
            errno: EIO,
            signal: { signal: constants.signals.SIGKILL, name: 'SIGKILL' },
          }),
        ],
      }),
      { faultLog: log, clock: new FakeClock(1_700_000_000_000_000_000n) },
    );
    const verdicts = [
      overlay.decide(readAt(0, 4096, { pid: 10 })),
      overlay.decide(readAt(4096, 4096, { pid: 10 })),
      overlay.decide(readAt(8192, 4096, { pid: 10 })), // first=2: left alone
      overlay.decide(ctx('fsync', '/data/f.bin', { pid: 20 })),
    ];
    expect(verdicts.map((v) => v.faultKind)).toEqual(['corrupt', 'corrupt', null, 'signal']);

    const report = summarizeFaultLog('run.jsonl', { records: log.records, skipped: [] });
    expect(report.byKind).toEqual([
      { key: 'corrupt', count: 2 },
      { key: 'errno', count: 1 },
      { key: 'signal', count: 1 },
    ]);
    expect(report.bySignal).toEqual([{ key: 'SIGKILL', count: 1 }]);
    expect(report.corruptedBytes).toBe(6);
    // One row per rule and kind: the kill rule's fsync counts once as errno and once as signal.
    expect(report.byRule.map((r) => [r.rule, r.kind, r.count, r.detail])).toEqual([
      ['rot', 'corrupt', 2, '6 B changed (random)'],
      ['kill', 'errno', 1, 'EIO'],
      ['kill', 'signal', 1, 'SIGKILL'],
    ]);
    expect(report.byProcess.find((p) => p.pid === 20)!.signals).toEqual([{ key: 'SIGKILL', count: 1 }]);
    const text = renderFaultReport(report);
    expect(text).toContain('By signal: SIGKILL 1');
    expect(text).toContain('Corrupted: 6 B');

    // The trace shows the fsync as one signal row that still carries its errno: no mismatch.
    const trace = {
      tracePath: 't.parquet',
      traceRows: 4,
      rowsByKind: [
        { key: 'corrupt', count: 2 },
        { key: 'signal', count: 1 },
      ],
      rowsWithErrno: 1,
      processes: [],
    };
    expect(kindMismatches(report, trace)).toEqual([]);
    expect(kindMismatches(report, { ...trace, rowsWithErrno: 0 })).toEqual([
      { kind: 'errno', log: 1, trace: 0 },
    ]);
    expect(kindMismatches(report, { ...trace, rowsByKind: [{ key: 'corrupt', count: 1 }] })).toEqual([
      { kind: 'signal', log: 1, trace: 0 },
    ]);
  });
});
