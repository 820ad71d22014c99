/** Growable per-key accumulators (struct-of-arrays) used by the analyzer. */

/** A set of named Float64 columns indexed by a dense id (path id, directory id, process slot). */
export class Float64Table<K extends string> {
  private capacity = 64;
  size = 0;
  readonly cols: Record<K, Float64Array>;

  constructor(readonly names: readonly K[]) {
    this.cols = Object.fromEntries(names.map((n) => [n, new Float64Array(this.capacity)])) as Record<
      K,
      Float64Array
    >;
  }

  /** Makes sure row `id` exists. */
  ensure(id: number): void {
    if (id < this.size) return;
    if (id >= this.capacity) {
      let capacity = this.capacity;
      while (id >= capacity) capacity *= 2;
      for (const name of this.names) {
        const grown = new Float64Array(capacity);
        grown.set(this.cols[name]);
        this.cols[name] = grown;
      }
      this.capacity = capacity;
    }
    this.size = id + 1;
  }
}

/** Keeps the `limit` largest items by `score` (ties: earliest inserted wins). */
export class TopN<T> {
  private readonly heap: { score: number; order: number; item: T }[] = [];
  private inserted = 0;

  constructor(private readonly limit: number) {}

  /** Whether an item with this score would be kept (cheap pre-check before building it). */
  wouldKeep(score: number): boolean {
    if (this.limit <= 0) return false;
    return this.heap.length < this.limit || score > this.heap[0]!.score;
  }

  push(score: number, item: T): void {
    if (!this.wouldKeep(score)) return;
    const entry = { score, order: this.inserted++, item };
    if (this.heap.length < this.limit) {
      this.heap.push(entry);
      this.siftUp(this.heap.length - 1);
    } else {
      this.heap[0] = entry;
      this.siftDown(0);
    }
  }

  /** Largest first; equal scores in insertion order. */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => b.score - a.score || a.order - b.order).map((e) => e.item);
  }

  /** Min-heap on score; among equal scores the latest inserted is evicted first. */
  private less(i: number, j: number): boolean {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    return a.score < b.score || (a.score === b.score && a.order > b.order);
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [this.heap[i], this.heap[parent]] = [this.heap[parent]!, this.heap[i]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      [this.heap[i], this.heap[m]] = [this.heap[m]!, this.heap[i]!];
      i = m;
    }
  }
}

/** Sorts ids by a score column descending (ties by id) and keeps the first `limit`. */
export function topIds(
  count: number,
  score: (id: number) => number,
  limit: number,
  keep?: (id: number) => boolean,
) {
  const ids: number[] = [];
  for (let id = 0; id < count; id++) if (!keep || keep(id)) ids.push(id);
  ids.sort((a, b) => score(b) - score(a) || a - b);
  return ids.slice(0, limit);
}
