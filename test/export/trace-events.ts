/**
 * A checker for the Chrome trace-event JSON ("JSON Object Format") the Perfetto export writes:
 * per-phase required fields, metadata for every process/thread used, and per-track ordering
 * and nesting of complete events. Returns the problems found (empty = valid).
 */

export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  s?: string;
  cat?: string;
  args?: Record<string, unknown>;
}

export interface TraceDocument {
  traceEvents: TraceEvent[];
  displayTimeUnit?: string;
  metadata?: Record<string, unknown>;
}

const PHASES = new Set(['X', 'i', 'M']);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
/** Exact integer ns from µs written with at most 3 decimals (relative clock keeps them small). */
export const toNs = (us: number): number => Math.round(us * 1000);
/** What Perfetto's JSON importer computes: static_cast<int64_t>(us * 1000.0), i.e. truncation. */
const perfettoNs = (us: number): number => Math.trunc(us * 1000);

type Nesting = { lastStart: number; open: number[] };

/** Adds [start, end) to a track's nesting state; false if it partially overlaps an open slice. */
function nests(state: Nesting, start: number, end: number): boolean {
  while (state.open.length > 0 && state.open[state.open.length - 1]! <= start) state.open.pop();
  const parentEnd = state.open[state.open.length - 1];
  state.open.push(end);
  return parentEnd === undefined || end <= parentEnd;
}

/**
 * @param exactTimes also check ordering/nesting on the exact ns values (off for epoch-time
 *   exports, whose µs doubles no longer hold single ns).
 */
export function validateTraceDocument(doc: unknown, { exactTimes = true } = {}): string[] {
  const problems: string[] = [];
  const d = doc as TraceDocument;
  if (typeof d !== 'object' || d === null || !Array.isArray(d.traceEvents)) return ['no traceEvents array'];
  if (d.displayTimeUnit !== undefined && d.displayTimeUnit !== 'ns' && d.displayTimeUnit !== 'ms') {
    problems.push(`bad displayTimeUnit ${String(d.displayTimeUnit)}`);
  }
  const namedProcesses = new Set<number>();
  const namedThreads = new Set<string>();
  /** Per track: open complete events (their ends, in ns) as written and as Perfetto reads them. */
  const tracks = new Map<string, { exact: Nesting; perfetto: Nesting }>();

  d.traceEvents.forEach((e, n) => {
    const where = `event ${n} (${JSON.stringify(e).slice(0, 120)})`;
    if (typeof e.name !== 'string' || e.name === '') problems.push(`${where}: no name`);
    if (!PHASES.has(e.ph)) problems.push(`${where}: unexpected ph ${String(e.ph)}`);
    if (!isTime(e.ts)) problems.push(`${where}: ts must be a number >= 0`);
    if (!isCount(e.pid) || !isCount(e.tid)) problems.push(`${where}: pid/tid must be integers >= 0`);
    const track = `${e.pid}/${e.tid}`;
    if (e.ph === 'M') {
      const name = e.args?.name;
      if (typeof name !== 'string') problems.push(`${where}: metadata event without args.name`);
      if (e.name === 'process_name') namedProcesses.add(e.pid);
      else if (e.name === 'thread_name') namedThreads.add(track);
      else problems.push(`${where}: unexpected metadata event`);
      return;
    }
    if (!namedProcesses.has(e.pid)) problems.push(`${where}: pid ${e.pid} used before its process_name`);
    if (!namedThreads.has(track)) problems.push(`${where}: track ${track} used before its thread_name`);
    if (e.ph === 'i') {
      if (e.s !== 'g' && e.s !== 'p' && e.s !== 't') problems.push(`${where}: instant without scope s`);
      return;
    }
    // ph === 'X'
    if (!isTime(e.dur)) {
      problems.push(`${where}: complete event needs dur >= 0`);
      return;
    }
    const state = tracks.get(track) ?? {
      exact: { lastStart: -Infinity, open: [] },
      perfetto: { lastStart: -Infinity, open: [] },
    };
    tracks.set(track, state);
    const start = toNs(e.ts);
    if (exactTimes && start < state.exact.lastStart)
      problems.push(`${where}: ts goes back on track ${track}`);
    state.exact.lastStart = start;
    if (exactTimes && !nests(state.exact, start, start + toNs(e.dur))) {
      problems.push(`${where}: partially overlaps an earlier event on track ${track}`);
    }
    const truncated = perfettoNs(e.ts);
    if (!nests(state.perfetto, truncated, truncated + perfettoNs(e.dur))) {
      problems.push(
        `${where}: after Perfetto's µs->ns truncation, partially overlaps an earlier event on track ${track}`,
      );
    }
  });
  return problems;
}

export const eventsOf = (doc: TraceDocument, ph: string): TraceEvent[] =>
  doc.traceEvents.filter((e) => e.ph === ph);
