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

export function validateTraceDocument(doc: unknown): string[] {
  const problems: string[] = [];
  const d = doc as TraceDocument;
  if (typeof d !== 'object' || d === null || !Array.isArray(d.traceEvents)) return ['no traceEvents array'];
  if (d.displayTimeUnit !== undefined && d.displayTimeUnit !== 'ns' && d.displayTimeUnit !== 'ms') {
    problems.push(`bad displayTimeUnit ${String(d.displayTimeUnit)}`);
  }
  const namedProcesses = new Set<number>();
  const namedThreads = new Set<string>();
  /** Per track: stack of open complete events (end in ns) and the last start seen. */
  const tracks = new Map<string, { lastStart: number; open: number[] }>();

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
    const start = toNs(e.ts);
    const end = start + toNs(e.dur);
    const state = tracks.get(track) ?? { lastStart: -Infinity, open: [] };
    tracks.set(track, state);
    if (start < state.lastStart) problems.push(`${where}: ts goes back on track ${track}`);
    state.lastStart = start;
    while (state.open.length > 0 && state.open[state.open.length - 1]! <= start) state.open.pop();
    const parentEnd = state.open[state.open.length - 1];
    if (parentEnd !== undefined && end > parentEnd) {
      problems.push(`${where}: partially overlaps an earlier event on track ${track}`);
    }
    state.open.push(end);
  });
  return problems;
}

export const eventsOf = (doc: TraceDocument, ph: string): TraceEvent[] =>
  doc.traceEvents.filter((e) => e.ph === ph);
