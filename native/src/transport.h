/*
 * Which transport a mount's FUSE requests travel on: the classic read/write loop on /dev/fuse, or
 * FUSE over io_uring (kernel >= 6.14 with the fuse module's enable_uring, libfuse >= 3.18). The
 * choice is made by the caller (src/record/transport.ts); this module asks libfuse for it and
 * finds out what libfuse actually started, so the mount can say which one is in use.
 */
#ifndef INTERPOSER_TRANSPORT_H
#define INTERPOSER_TRANSPORT_H

#include <stdatomic.h>

struct fuse_args;
struct fuse_conn_info;

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
} ip_transport;

/* 1 when this build's libfuse can serve FUSE over io_uring at all. */
int ip_transport_compiled(void);

/* Adds libfuse's session options for the chosen transport. Returns 0, or -1 out of memory. */
int ip_transport_add_args(const ip_transport *t, struct fuse_args *args);

/* From the file system's init callback, on the thread answering the kernel's INIT: records what
 * the kernel offers and makes sure io_uring is only negotiated when it was asked for. */
void ip_transport_on_init(ip_transport *t, struct fuse_conn_info *conn);

/* Name of the state for JS: "pending", "dev-fuse", "io_uring", "io_uring-failed". */
const char *ip_transport_state_name(int state);

#endif
