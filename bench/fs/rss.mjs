// Samples the memory of a process tree (a FUSE server and anything it spawned) from
// /proc/PID/status, to show the peak and whether RSS stays flat over a long run.
import { readFileSync } from 'node:fs';

const KIB = 1024;

/** VmRSS / VmHWM of one pid in bytes, or null once it is gone. */
export function readProcMemory(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * KIB : 0;
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** pid and all its descendants (via /proc/PID/task/TID/children). */
export function processTree(pid) {
  const out = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop();
    out.push(p);
    let tids = [];
    try {
      tids = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      continue;
    }
    for (const c of tids) stack.push(Number(c));
  }
  return out;
}

/**
 * Whether a series of RSS samples stayed flat once warmed up. The first third is warm-up (buffer
 * pools fill, the JS heap and the allocator's arenas settle); after it, the peak of the last
 * third may exceed the peak of the middle third by at most 10 % or 16 MiB, whichever is larger.
 * Peaks rather than medians: garbage collection makes RSS swing down and back, a leak raises
 * every peak.
 * @param {number[]} samples
 */
export function rssTrend(samples) {
  if (samples.length < 6) return { flat: null, growthBytes: null };
  const third = Math.floor(samples.length / 3);
  const middle = Math.max(...samples.slice(third, samples.length - third));
  const last = Math.max(...samples.slice(-third));
  const growth = last - middle;
  return { flat: growth <= Math.max(middle * 0.1, 16 * KIB * KIB), growthBytes: growth };
}

/**
 * Starts sampling every intervalMs; stop() returns the summary.
 * @param {number} pid
 * @param {number} [intervalMs]
 */
export function startRssSampler(pid, intervalMs = 1000) {
  const samples = [];
  let peakHwm = 0;
  const sample = () => {
    let rss = 0;
    let alive = false;
    for (const p of processTree(pid)) {
      const m = readProcMemory(p);
      if (!m) continue;
      alive = true;
      rss += m.rss;
      peakHwm = Math.max(peakHwm, m.hwm);
    }
    if (alive) samples.push(rss);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    /** Latest RSS sample in bytes (0 before the first). */
    peek: () => samples.at(-1) ?? 0,
    stop() {
      sample();
      clearInterval(timer);
      const trend = rssTrend(samples);
      return {
        samples: samples.length,
        intervalMs,
        firstRssBytes: samples[0] ?? null,
        lastRssBytes: samples.at(-1) ?? null,
        maxRssBytes: samples.length ? Math.max(...samples) : null,
        peakHwmBytes: peakHwm || null,
        ...trend,
        series: samples,
      };
    },
  };
}
