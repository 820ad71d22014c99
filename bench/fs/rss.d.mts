export function readProcMemory(pid: number): { rss: number; hwm: number } | null;
export function processTree(pid: number): number[];
export function rssTrend(samples: number[]): { flat: boolean | null; growthBytes: number | null };
export interface RssSummary {
  samples: number;
  intervalMs: number;
  firstRssBytes: number | null;
  lastRssBytes: number | null;
  maxRssBytes: number | null;
  peakHwmBytes: number | null;
  flat: boolean | null;
  growthBytes: number | null;
  series: number[];
}
export function startRssSampler(pid: number, intervalMs?: number): { peek(): number; stop(): RssSummary };
