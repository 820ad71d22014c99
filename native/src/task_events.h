/*
 * A counter that moves whenever any task on the host is renamed (exec, prctl(PR_SET_NAME), a
 * write to /proc/<tid>/comm), created or ends: the sum of the write positions of one perf
 * side-band ring per CPU (PERF_RECORD_COMM, _FORK and _EXIT records of a dummy software event).
 * The kernel writes those records synchronously, after the name is stored and before a new task
 * first runs, so a caller whose request reaches us after its rename, exec or creation finds the
 * counter moved. While it has not moved, a thread's cached name and process id are still right,
 * and reading it costs a few memory loads instead of a system call.
 *
 * Needs perf_event_open for every CPU (root or CAP_PERFMON; a container's seccomp profile may
 * forbid it). Where it cannot be had, ip_task_events_available() is 0 and callers read /proc.
 */
#ifndef INTERPOSER_TASK_EVENTS_H
#define INTERPOSER_TASK_EVENTS_H

#include <stdint.h>

/* Opens the rings once per process (thread-safe). 1 when the counter is usable, else 0. The
 * environment variable INTERPOSER_TASK_EVENTS=0 turns it off (for comparisons). */
int ip_task_events_available(void);

/* The current counter; meaningful only when ip_task_events_available() returned 1. */
uint64_t ip_task_events_generation(void);

#endif
