// CPU time a process has used across its threads, to report what a FUSE server spends per
// request: a figure other load on the machine barely moves. The sum of each thread's
// /proc/PID/task/TID/schedstat (run time in ns) is exact where /proc/PID/stat counts 10 ms
// ticks, which is too coarse for a job of a few hundred 1 MiB requests; threads that have
// exited drop out of that sum, so the servers measured here keep their workers alive.
import { readFileSync, readdirSync } from 'node:fs';

/** CPU seconds the threads of pid have run so far, or null once it is gone. */
export function readCpuSeconds(pid) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let ns = 0;
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1e9;
}
