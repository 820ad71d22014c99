/** "Did you mean ...?" for config and flag errors: the closest known name by edit distance. */

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The candidate nearest to `input` (the first one on ties), or null when even that one is more
 * than `maxDistance` edits away. `key` normalises both sides before comparing (e.g. case).
 */
export function closestMatch(
  input: string,
  candidates: Iterable<string>,
  maxDistance: number,
  key: (s: string) => string = (s) => s,
): string | null {
  const target = key(input);
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(target, key(candidate));
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= maxDistance ? best : null;
}
