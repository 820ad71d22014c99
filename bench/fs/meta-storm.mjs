// Runs the metadata storm (meta-storm.c) in a child process and turns its JSON into rates.
import { runCommand } from './proc.mjs';

/** The storms of each row: one client, then four at once. `key` is the row field of results. */
export const STORMS = [
  { key: 'meta', label: 'metadata storm j1', clients: 1 },
  { key: 'meta4', label: 'metadata storm j4', clients: 4 },
];

/**
 * @param {string} binary  built by buildTools()
 * @param {string} dir     a directory (created and removed by the storm) inside the fs under test
 * @param {{ files: number, bytes: number, timeoutMs?: number }} o
 * @returns {Promise<{ files: number, bytes: number, createS: number, statS: number, unlinkS: number,
 *   totalS: number, opsPerSec: number, secondsPer1000: number }>}
 */
export async function runMetaStorm(binary, dir, o) {
  const res = await runCommand(binary, [dir, String(o.files), String(o.bytes)], {
    timeoutMs: o.timeoutMs ?? 180_000,
  });
  if (res.timedOut) throw new Error('metadata storm timed out');
  if (res.code !== 0) throw new Error(res.stderr.trim() || `meta-storm exited ${res.code ?? res.signal}`);
  return parseMetaStorm(res.stdout);
}

/** ops = one create + one stat + one unlink per file. */
export function parseMetaStorm(text) {
  const r = JSON.parse(text);
  return {
    files: r.files,
    bytes: r.bytes,
    createS: r.create_s,
    statS: r.stat_s,
    unlinkS: r.unlink_s,
    totalS: r.total_s,
    opsPerSec: (3 * r.files) / r.total_s,
    secondsPer1000: (r.total_s * 1000) / r.files,
  };
}

/**
 * `clients` storms at once, each in its own directory `${dirPrefix}-<n>` with `o.files` files:
 * the multi-client figure (ops/s over the wall time until the last client is done).
 * @param {string} binary
 * @param {string} dirPrefix
 * @param {{ clients: number, files: number, bytes: number, timeoutMs?: number }} o
 */
export async function runMetaStormParallel(binary, dirPrefix, o) {
  const started = process.hrtime.bigint();
  const runs = await Promise.all(
    Array.from({ length: o.clients }, (_, n) => runMetaStorm(binary, `${dirPrefix}-${n}`, o)),
  );
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  const files = runs.reduce((sum, r) => sum + r.files, 0);
  return {
    clients: o.clients,
    files,
    bytes: o.bytes,
    // Phases overlap across clients: the slowest client's phase times.
    createS: Math.max(...runs.map((r) => r.createS)),
    statS: Math.max(...runs.map((r) => r.statS)),
    unlinkS: Math.max(...runs.map((r) => r.unlinkS)),
    totalS: wallS,
    opsPerSec: (3 * files) / wallS,
    secondsPer1000: (wallS * 1000) / files,
  };
}
