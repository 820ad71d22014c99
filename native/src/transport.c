/*
 * FUSE over io_uring through libfuse >= 3.18: session options in, actual outcome out.
 *
 * libfuse turns the rings on from its session options (`-o io_uring`, `-o io_uring_q_depth=N`)
 * when the kernel's INIT offers FUSE_OVER_IO_URING; it starts them right after the file system's
 * init callback returns and, if that fails, logs "failed to start io-uring" and carries on over
 * /dev/fuse. There is no API to ask which happened, so a log handler watches for that message on
 * the thread that ran our init callback (the only thread it can come from).
 */
#include "transport.h"

#include "clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <fuse.h>
#include <fuse_log.h>

#ifdef FUSE_CAP_OVER_IO_URING
#define HAVE_FUSE_URING 1
#else
#define HAVE_FUSE_URING 0
#endif

/* The mount whose INIT this thread is answering (set by ip_transport_on_init). */
static _Thread_local ip_transport *initializing;

_Thread_local ip_ring_affinity ip_ring_thread_affinity;

/* The ring's own CPU(s), as libfuse pinned this thread before its first request. */
static _Thread_local cpu_set_t ring_cpus;

int ip_transport_compiled(void) { return HAVE_FUSE_URING; }

/* When this ring thread last served a large read (spread mode only). */
static _Thread_local int64_t last_spread_ns;

void ip_transport_set_affinity(const ip_transport *t, fuse_req_t req, int spread) {
#if HAVE_FUSE_URING
  if (ip_ring_thread_affinity == IP_RING_UNSEEN) {
    if (!t->spread_rings || !fuse_req_is_uring(req) || sched_getaffinity(0, sizeof(ring_cpus), &ring_cpus) != 0) {
      ip_ring_thread_affinity = IP_RING_FIXED;
      return;
    }
    ip_ring_thread_affinity = IP_RING_PINNED;
  }
  int64_t now = ip_now_ns();
  if (spread) last_spread_ns = now;
  ip_ring_affinity want = spread || now - last_spread_ns < IP_SPREAD_HOLD_NS ? IP_RING_SPREAD : IP_RING_PINNED;
  if (want == ip_ring_thread_affinity) return;
  const cpu_set_t *cpus = want == IP_RING_SPREAD ? &t->cpus : &ring_cpus;
  if (sched_setaffinity(0, sizeof(*cpus), cpus) == 0) ip_ring_thread_affinity = want;
  else ip_ring_thread_affinity = IP_RING_FIXED; /* not allowed here: leave libfuse's choice alone */
#else
  (void)t;
  (void)req;
  (void)spread;
  ip_ring_thread_affinity = IP_RING_FIXED;
#endif
}

void ip_transport_not_a_ring(void *unused) {
  (void)unused;
  ip_ring_thread_affinity = IP_RING_FIXED;
}

/* libfuse's own handler prints to stderr; ours does the same and notices the ring failure. */
static void log_handler(enum fuse_log_level level, const char *fmt, va_list ap) {
  char line[1024];
  vsnprintf(line, sizeof(line), fmt, ap);
  fputs(line, stderr);
  if (initializing && strstr(line, "failed to start io-uring"))
    atomic_store(&initializing->state, IP_TRANSPORT_URING_FAILED);
}

int ip_transport_add_args(ip_transport *t, struct fuse_args *args) {
  static int log_installed;
  if (!log_installed) {
    fuse_set_log_func(log_handler);
    log_installed = 1;
  }
  if (!t->want_uring || !HAVE_FUSE_URING) return 0;
  if (t->spread_rings && sched_getaffinity(0, sizeof(t->cpus), &t->cpus) != 0) t->spread_rings = 0;
  if (fuse_opt_add_arg(args, "-o") != 0 || fuse_opt_add_arg(args, "io_uring") != 0) return -1;
  if (t->queue_depth) {
    char opt[64];
    snprintf(opt, sizeof(opt), "io_uring_q_depth=%u", t->queue_depth);
    if (fuse_opt_add_arg(args, "-o") != 0 || fuse_opt_add_arg(args, opt) != 0) return -1;
  }
  return 0;
}

void ip_transport_on_init(ip_transport *t, struct fuse_conn_info *conn) {
#if HAVE_FUSE_URING
  t->kernel_offers = (conn->capable_ext & FUSE_CAP_OVER_IO_URING) != 0;
  /* libfuse wants io_uring by default whenever offered; its FUSE_URING_ENABLE environment
   * variable could switch the session option on behind the caller's back. Through want_ext, as
   * ip_init's want_capability() does: libfuse refuses an init that changed both want fields. */
  if (!t->want_uring) fuse_unset_feature_flag(conn, FUSE_CAP_OVER_IO_URING);
  int uring = t->want_uring && t->kernel_offers;
  initializing = uring ? t : NULL;
  atomic_store(&t->state, uring ? IP_TRANSPORT_IO_URING : IP_TRANSPORT_DEV_FUSE);
#else
  t->kernel_offers = 0;
  atomic_store(&t->state, IP_TRANSPORT_DEV_FUSE);
#endif
}

const char *ip_transport_state_name(int state) {
  switch (state) {
    case IP_TRANSPORT_DEV_FUSE:
      return "dev-fuse";
    case IP_TRANSPORT_IO_URING:
      return "io_uring";
    case IP_TRANSPORT_URING_FAILED:
      return "io_uring-failed";
    default:
      return "pending";
  }
}
