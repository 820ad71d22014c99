/*
 * A pool of threads that serve requests which may block for long, so they do not hold up a FUSE
 * io_uring ring. libfuse serves each ring (one per CPU) on a single thread, and the kernel puts a
 * request on the ring of the CPU its caller runs on: while that thread waits in fsync, an
 * O_DIRECT read or an overlay's delay, every other request from that CPU waits behind it (over
 * /dev/fuse a pool of threads reads requests, so one slow request occupies one of them). Measured
 * on 2 CPUs before this pool: stat + readdir next to a process that writes and fsyncs took a
 * median 2.2-2.7 ms over io_uring against 0.19 ms over /dev/fuse, and 600 ms with a 200 ms delay
 * rule on fsync against 85 µs.
 *
 * libfuse lets another thread reply to a ring request (it locks the ring); the request and its
 * payload stay valid until the reply. Threads start on demand up to a limit and then stay. A
 * mount has one pool per CPU, whose threads stay on that CPU as the ring thread does: the caller
 * of a blocking request sleeps, so its CPU is free, and a wake-up that crosses to the other CPU
 * costs more here than it saves.
 */
#ifndef INTERPOSER_OFFLOAD_H
#define INTERPOSER_OFFLOAD_H

#include <pthread.h>
#include <stdint.h>

/* One unit of work; embed it first in a larger struct and cast back in `run`, which owns (and
 * frees) the job. */
typedef struct ip_job {
  struct ip_job *next;
  void (*run)(struct ip_job *job);
} ip_job;

typedef struct ip_offload {
  pthread_mutex_t mu;
  pthread_cond_t has_work; /* a job was queued, or the pool is stopping */
  pthread_cond_t drained;  /* pending reached zero */
  ip_job *head, *tail;
  unsigned pending;        /* queued or running */
  unsigned threads, idle, max_threads;
  pthread_t *tids;
  int stopping;
  int cpu;                  /* the CPU its threads run on, -1 = wherever they were started */
  void (*on_thread_start)(void *arg); /* e.g. leave the ring CPU the spawning thread was pinned to */
  void *start_arg;
} ip_offload;

/* Returns 0, or -1 out of memory. No thread starts before the first job. */
int ip_offload_init(ip_offload *o, unsigned max_threads, int cpu, void (*on_thread_start)(void *), void *start_arg);

/* Queues a job, starting a thread when none is idle and the limit allows. Returns 0, or -1 when
 * the pool cannot take it (stopping, or no thread could be started at all): run it inline. */
int ip_offload_submit(ip_offload *o, ip_job *job);

/* Waits until no job is queued or running, at most timeout_ns. Returns 0, or -1 on timeout. */
int ip_offload_wait_drained(ip_offload *o, int64_t timeout_ns);

/* Runs what is queued, then ends and joins every thread. */
void ip_offload_destroy(ip_offload *o);

#endif
