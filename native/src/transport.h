/*
 * Which transport a mount's FUSE requests travel on: the classic read/write loop on /dev/fuse, or
 * FUSE over io_uring (kernel >= 6.14 with the fuse module's enable_uring, libfuse >= 3.18). The
 * choice is made by the caller (src/record/transport.ts); this module asks libfuse for it and
 * finds out what libfuse actually started, so the mount can say which one is in use.
 */
#ifndef INTERPOSER_TRANSPORT_H
#define INTERPOSER_TRANSPORT_H

#include <sched.h>
#include <stdatomic.h>
#include <fuse_lowlevel.h>

typedef enum {
  IP_TRANSPORT_PENDING = 0,   /* the kernel's INIT has not been answered yet */
  IP_TRANSPORT_DEV_FUSE = 1,  /* /dev/fuse read/write loop */
  IP_TRANSPORT_IO_URING = 2,  /* libfuse's per-core rings */
  IP_TRANSPORT_URING_FAILED = 3, /* io_uring was offered and asked for but libfuse could not start it */
} ip_transport_state;

typedef struct ip_transport {
  int want_uring;         /* asked for by the caller */
  unsigned queue_depth;   /* io_uring requests per core queue (0 = libfuse's default) */
  int kernel_offers;      /* INIT said the kernel can do FUSE over io_uring */
  atomic_int state;       /* ip_transport_state */
  int spread_rings;       /* let ring threads run on any CPU in `cpus` (not --io-uring-pin) */
  cpu_set_t cpus;         /* the CPUs the mounting thread was allowed, taken at mount time */
} ip_transport;

/* libfuse's io_uring requests per CPU queue when none is asked for. */
#define IP_DEFAULT_RING_DEPTH 8

/* 1 when this build's libfuse can serve FUSE over io_uring at all. */
int ip_transport_compiled(void);

/* Adds libfuse's session options for the chosen transport, and takes the CPUs ring threads may
 * use. Returns 0, or -1 out of memory. */
int ip_transport_add_args(ip_transport *t, struct fuse_args *args);

/* From the file system's init callback, on the thread answering the kernel's INIT: records what
 * the kernel offers and makes sure io_uring is only negotiated when it was asked for. */
void ip_transport_on_init(ip_transport *t, struct fuse_conn_info *conn);

/* What a ring thread's affinity is now (see ip_transport_on_request); thread-local. */
typedef enum {
  IP_RING_UNSEEN = 0,  /* has not served a request yet */
  IP_RING_PINNED = 1,  /* on its ring's CPU, as libfuse put it */
  IP_RING_SPREAD = 2,  /* on any CPU the mount may use */
  IP_RING_FIXED = 3,   /* not a ring thread, or --io-uring-pin: never changed */
} ip_ring_affinity;

extern _Thread_local ip_ring_affinity ip_ring_thread_affinity;

/* Start of an offload thread (offload.h): it serves ring requests but is not a ring thread, so
 * ip_transport_on_request must leave its affinity (its pool's CPU) alone. */
void ip_transport_not_a_ring(void *unused);

/* The slow path of ip_transport_on_request: first request, large reads, leaving spread mode. */
void ip_transport_set_affinity(const ip_transport *t, fuse_req_t req, int spread);

/* Buffered reads from this size up spread their ring thread: the kernel's readahead. */
#define IP_SPREAD_READ_MIN (128 * 1024)
/* How long a spread ring thread stays spread after its last large read: the getattr the kernel
 * sends before each read with --cache-timeout 0 must not pin it back in between. */
#define IP_SPREAD_HOLD_NS (10 * 1000 * 1000LL)

/*
 * Called with every request, before it is served; `spread` says whether this request is one a
 * ring thread should be free to serve on another CPU. libfuse pins each ring's one thread to that
 * ring's CPU, and the kernel queues a request on the ring of the CPU its caller runs on. For a
 * caller that waits for its answer (every metadata call, writes, O_DIRECT, small reads) pinning
 * is right: the caller's CPU is free, the wake-up stays on it. A sequential reader is different:
 * it keeps its CPU busy copying the last readahead while the next one waits for the ring thread
 * pinned there, with the other CPU idle. So a ring thread spreads to the mount's CPUs when it
 * serves a large buffered read and goes back to its own CPU with the first other request once
 * IP_SPREAD_HOLD_NS have passed without one; it changes its affinity only when the kind of
 * workload changes, so a steady one costs no system calls.
 * Measured on 2 CPUs, recording, --cache-timeout 0, alternating rounds: pinned against spread for
 * every request, the metadata storm took 0.99-1.07 s against 1.19-1.59 s and 4k random reads
 * with one job did 16.9-18.8k against 14.9-20.2k IOPS, while 1 MiB sequential reads with one job
 * did 1482-1869 against 1587-1900 MiB/s; with this rule they did 1536-1953 against 1253-1517
 * pinned throughout (7 rounds). `--io-uring-pin` keeps libfuse's pinning throughout.
 */
static inline void ip_transport_on_request(const ip_transport *t, fuse_req_t req, int spread) {
  if (ip_ring_thread_affinity == IP_RING_FIXED) return;
  if (!spread && ip_ring_thread_affinity == IP_RING_PINNED) return;
  ip_transport_set_affinity(t, req, spread);
}

/* Name of the state for JS: "pending", "dev-fuse", "io_uring", "io_uring-failed". */
const char *ip_transport_state_name(int state);

#endif
