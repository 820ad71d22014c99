/**
 * Asks V8 for a major garbage collection that runs concurrently (marking on a helper thread, no
 * long pause on the event loop), for the recording server only.
 *
 * Why: the recorder's drained batches live until their row group fills (up to 64k rows, seconds
 * at a time), so they reach V8's old generation, whose ArrayBuffers only a major collection
 * frees; V8 starts one on its own only when external memory has grown by tens of MiB, and the
 * server's RSS carried 40-50 MiB of dead row-group buffers at its peak. One concurrent major
 * collection per row group written frees them as soon as they are garbage (README, "What changed
 * the numbers"). Row groups end at 64k rows or on the writer's 1 s flush timer when rows are
 * waiting, so that is one or two collections a second at most, none while idle, each marking a
 * heap of about 15 MiB.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options: { type: 'major'; execution: 'async' }) => Promise<void> | undefined;

let gc: GcFunction | undefined;
let resolved = false;

/** The `gc` function of a context created with --expose-gc: the process's own stays without it. */
function gcFunction(): GcFunction | undefined {
  if (!resolved) {
    resolved = true;
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('typeof gc === "function" ? gc : undefined') as GcFunction | undefined;
    } catch {
      gc = undefined; // a runtime without the flag: V8 collects on its own schedule
    }
  }
  return gc;
}

export function requestConcurrentMajorGc(): void {
  void gcFunction()?.({ type: 'major', execution: 'async' });
}
