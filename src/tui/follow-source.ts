/**
 * `interposer-tui --follow`: a trace source that keeps reading a trace while it is recorded.
 * One TraceFollower per filter polls the trace (its journal lists the row groups written so far)
 * and hands out a fresh report whenever rows arrived. Errors while polling (the file is not there
 * yet, a glob matches nothing yet) are shown as "waiting" and polling goes on.
 */
import type { MultiTraceOptions } from '../analyze/analyze.js';
import { TraceFollower, type FollowStatus } from '../analyze/follow.js';
import type { Report } from '../analyze/types.js';
import { UserError } from '../errors.js';

/** How often a followed trace is polled (the recorder flushes a row group at least every second). */
export const FOLLOW_INTERVAL_MS = 1000;

export interface FollowListener {
  /** New rows were analyzed: the report of everything so far. */
  update(report: Report, status: FollowStatus): void;
  /** A poll found nothing new (the "updated Xs ago" clock keeps running). */
  idle(status: FollowStatus): void;
  /** Rows read of the backlog the current poll is reading (the first poll of a large trace). */
  progress(rowsDone: number, rowsTotal: number): void;
  /** A poll failed; polling continues. */
  waiting(message: string): void;
}

/** Follows with these options until the returned function is called. */
export type Follow = (options: MultiTraceOptions, listener: FollowListener) => () => void;

function describe(err: unknown): string {
  if (err instanceof UserError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

export function followTraces(inputs: readonly string[], intervalMs = FOLLOW_INTERVAL_MS): Follow {
  return (options, listener) => {
    const { onProgress: _ignored, ...rest } = options;
    const follower = new TraceFollower(inputs, rest);
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let seenReport = false;
    const tick = async (): Promise<void> => {
      try {
        const { report, status } = await follower.poll((done, total) => {
          if (!stopped) listener.progress(done, total);
        });
        if (stopped) return;
        if (status.newRows > 0 || !seenReport) listener.update(report, status);
        else listener.idle(status);
        seenReport = true;
      } catch (err) {
        if (!stopped) listener.waiting(describe(err));
      }
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  };
}
