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

/* 1 when this build's libfuse can serve FUSE over io_uring at all. */
int ip_transport_compiled(void);

/* Adds libfuse's session options for the chosen transport, and takes the CPUs ring threads may
 * use. Returns 0, or -1 out of memory. */
int ip_transport_add_args(ip_transport *t, struct fuse_args *args);

/* From the file system's init callback, on the thread answering the kernel's INIT: records what
 * the kernel offers and makes sure io_uring is only negotiated when it was asked for. */
void ip_transport_on_init(ip_transport *t, struct fuse_conn_info *conn);

/* Set once a thread has served its first request (see ip_transport_on_request). */
extern _Thread_local int ip_transport_thread_seen;

void ip_transport_first_request(const ip_transport *t, fuse_req_t req);

/*
 * Called with every request, before it is served. libfuse pins each ring's one thread to that
 * ring's CPU, and the kernel queues a request on the ring of the CPU its caller runs on: a caller
 * that keeps its CPU busy (a sequential reader copying the data of the last readahead while the
 * next is queued) then waits for its own CPU while another sits idle. One job reading 1 MiB
 * blocks through the recording mount did 663-717 MiB/s with the rings pinned and 813-990 with
 * their threads free to run on any CPU the mount may use (2 CPUs, 3 alternating rounds); 4k
 * random reads with 4 jobs stayed within noise (88.6-109k against 79.0-108k IOPS, 7 rounds), with
 * one job and --cache-timeout 0 they lost about 6% (a wake-up on the other CPU per request). So
 * each ring thread widens its own affinity to the mount's CPUs on its first request;
 * `--io-uring-pin` keeps libfuse's pinning for latency-bound callers.
 */
static inline void ip_transport_on_request(const ip_transport *t, fuse_req_t req) {
  if (!ip_transport_thread_seen) ip_transport_first_request(t, req);
}

/* Name of the state for JS: "pending", "dev-fuse", "io_uring", "io_uring-failed". */
const char *ip_transport_state_name(int state);

#endif
