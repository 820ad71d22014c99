export function compact(n: number): string;
/** results: what runSuite() returns (see suite.mjs) */
export function renderMarkdown(results: unknown, opts?: { title?: string }): string;
export function writeResults(
  dir: string,
  name: string,
  results: unknown,
  markdown: string,
  opts?: { latest?: boolean },
): Promise<{ json: string; md: string }>;
