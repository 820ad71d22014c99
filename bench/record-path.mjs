#!/usr/bin/env node
// npm run bench:record-path — CPU the recorder's JavaScript side spends per row, without FUSE:
// batches shaped like the native drain's (ArrayBuffers per column, a NUL-separated string
// arena) go through traceBatchFromNative into TraceWriter.write, as the mount does. CPU time from
// process.cpuUsage, so other load on the machine barely moves it; the process ends each round
// with a full garbage collection so that collections of what a round left are counted too.
// Needs `npm run build:ts`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { benchArgs } from './fs/cli.mjs';

// RECORD_PATH_DIST points at another build's dist/ (say, an older commit's) for before/after.
const DIST = process.env.RECORD_PATH_DIST ?? fileURLToPath(new URL('../dist/', import.meta.url));
benchArgs(`usage: node bench/record-path.mjs

CPU per row of the recorder's JS path (drained batch -> TraceWriter), as the mount does it.
ROWS_PER_DRAIN (default 1350, a 100 ms drain at 13.5k rows/s), DRAINS (default 400) and
ROUNDS (default 3) come from the environment.`);
const { TraceWriter } = await import(join(DIST, 'trace/writer.js'));
const { traceBatchFromNative } = await import(join(DIST, 'record/native-batch.js'));
const { COLUMNS } = await import(join(DIST, 'trace/schema.js'));
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const copyBuffers = (record) => Object.fromEntries(Object.entries(record).map(([k, b]) => [k, b.slice(0)]));

const ROWS_PER_DRAIN = Number(process.env.ROWS_PER_DRAIN ?? 1350);
const DRAINS = Number(process.env.DRAINS ?? 400);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const IDLE_COLUMNS = new Set([
  'path2',
  'fault_kind',
  'fault_errno',
  'fault_delay_ns',
  'fault_truncated_to',
  'throttle_wait_ns',
]);

/** A drain's worth of rows as the addon hands them over: 4k reads of one file by one process. */
function rawBatch(first) {
  const n = ROWS_PER_DRAIN;
  const columns = {};
  const valid = {};
  for (const def of COLUMNS) {
    const idle = IDLE_COLUMNS.has(def.name);
    if (def.type === 'int64') {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) a[i] = idle ? 0n : int64Value(def.name, first + i);
      columns[def.name] = a.buffer;
    } else {
      const a = new Int32Array(n);
      // String columns hold indices: op 5 (read), path/comm 0 and 1 of the arena, idle ones null.
      const value =
        def.type === 'string'
          ? idle
            ? -1
            : def.name === 'op'
              ? 5
              : def.name === 'comm'
                ? 1
                : 0
          : i32(def.name);
      a.fill(value);
      if (def.name === 'tid' || def.name === 'pid') for (let i = 0; i < n; i++) a[i] = 4242 + (i % 4);
      columns[def.name] = a.buffer;
    }
    if (def.nullable && def.type !== 'string') valid[def.name] = new Uint8Array(n).fill(idle ? 0 : 1).buffer;
  }
  return { length: n, columns, valid, strings: Uint8Array.from(Buffer.from('/data/file.0\0fio\0')).buffer };
}
const i32 = (name) => (name === 'errno' ? 0 : name === 'flags' || name === 'mode' ? 0 : 4242);

/** Times that advance by a few µs, random 4k offsets in 256 MiB, varying durations. */
function int64Value(name, row) {
  const jitter = BigInt((row * 2654435761) % 9973);
  switch (name) {
    case 'seq':
      return BigInt(row);
    case 'start_ns':
      return BigInt(row) * 30_000n + jitter;
    case 'end_ns':
      return BigInt(row) * 30_000n + jitter + 8_000n + jitter * 3n;
    case 'duration_ns':
      return 8_000n + jitter * 3n;
    case 'offset':
      return BigInt((row * 40503) % 65536) * 4096n;
    default:
      return 4096n;
  }
}

async function cpuPerRow(dir) {
  // Fresh ArrayBuffers per drain, as the binding returns them.
  const raws = Array.from({ length: 8 }, (_, k) => rawBatch(k * ROWS_PER_DRAIN));
  const writer = await TraceWriter.open({ path: join(dir, 't.parquet'), wallClockAnchorNs: 0n });
  const start = process.cpuUsage();
  for (let d = 0; d < DRAINS; d++) {
    const raw = raws[d % raws.length];
    const fresh = {
      ...raw,
      columns: copyBuffers(raw.columns),
      valid: copyBuffers(raw.valid),
      strings: raw.strings.slice(0),
    };
    await writer.write(traceBatchFromNative(fresh));
  }
  await writer.close();
  gc();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (ROWS_PER_DRAIN * DRAINS);
}

const dir = mkdtempSync(join(tmpdir(), 'record-path-'));
try {
  const rounds = [];
  await cpuPerRow(dir); // warm-up: the first pass pays for compiling the hot loops
  for (let r = 0; r < ROUNDS; r++) rounds.push(await cpuPerRow(dir));
  const fmt = (xs) => xs.map((x) => x.toFixed(2)).join(' / ');
  process.stdout.write(
    [
      `## Recorder JS path (bench:record-path): ${ROWS_PER_DRAIN * DRAINS} rows in drains of ${ROWS_PER_DRAIN}, ${ROUNDS} rounds, ${DIST}`,
      '',
      '| CPU µs per row (each round) | best |',
      '|---:|---:|',
      `| ${fmt(rounds)} | ${Math.min(...rounds).toFixed(2)} |`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
