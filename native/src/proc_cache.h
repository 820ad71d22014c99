/*
 * Caller identity beyond what FUSE reports: FUSE gives the calling thread's id; the trace wants
 * the process (thread group) id and command name. The first lookup of a thread reads
 * /proc/<tid>/status and keeps /proc/<tid>/comm open. A later lookup returns what it read while
 * the host's task-change counter (task_events.h) has not moved since; otherwise, or where that
 * counter is unavailable, it re-reads the open file (one pread). Either way an exec or a
 * prctl(PR_SET_NAME) shows in the very next operation, and a thread id reused by a new thread is
 * noticed at once (the counter moved, and the old file answers ESRCH).
 */
#ifndef INTERPOSER_PROC_CACHE_H
#define INTERPOSER_PROC_CACHE_H

#include <stdint.h>

typedef struct ip_proc_info {
  int32_t tgid;
  char comm[17];
} ip_proc_info;

/* Fills *out for thread tid; on failure (thread gone) tgid = tid and comm is empty.
 * now_ns is unused (kept for callers; lookups are exact, not time-based). */
void ip_proc_lookup(int32_t tid, int64_t now_ns, ip_proc_info *out);

#endif
