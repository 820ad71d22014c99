/*
 * Caller identity beyond what FUSE reports: FUSE gives the calling thread's id; the trace wants
 * the process (thread group) id and command name. Read from /proc once per thread and cached,
 * refreshed after a short time so a reused thread id is not misattributed for long.
 */
#ifndef INTERPOSER_PROC_CACHE_H
#define INTERPOSER_PROC_CACHE_H

#include <stdint.h>

typedef struct ip_proc_info {
  int32_t tgid;
  char comm[17];
} ip_proc_info;

/* Fills *out for thread tid; on failure (thread gone) tgid = tid and comm is empty. */
void ip_proc_lookup(int32_t tid, int64_t now_ns, ip_proc_info *out);

#endif
