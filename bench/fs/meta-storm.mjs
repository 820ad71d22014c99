// Runs the metadata storm (meta-storm.c) in a child process and turns its JSON into rates.
import { runCommand } from './proc.mjs';

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
