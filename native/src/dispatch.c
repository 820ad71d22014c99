/*
 * Where each FUSE request goes: the entry points libfuse calls (ip_passthrough_ops) either serve
 * the request at once (serve.h) or, over io_uring, hand it to the offload pool of the ring's CPU
 * when it may wait (offload.h says why). A request may wait when it waits for the device (fsync,
 * fallocate, copy_file_range, O_DIRECT transfers) or when the overlay may act on it: its verdict
 * is a round trip to the JS thread, and may be a delay or a throttle wait.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "mount.h"
#include "offload.h"
#include "ops.h"
#include "serve.h"

#define OP_BIT(op) (1ULL << (op))
/* setattr is recorded as up to four ops, one per change. */
#define SETATTR_OPS (OP_BIT(OP_CHMOD) | OP_BIT(OP_CHOWN) | OP_BIT(OP_TRUNCATE) | OP_BIT(OP_UTIMENS))

/* What a handler was called with, kept until an offload thread serves it. Over io_uring every
 * pointer (names, xattr values, write data) points into the request's ring entry, which stays
 * the request's until the reply; fuse_file_info and the setattr stat are libfuse's stack
 * copies, so they are copied. */
typedef struct deferred {
  ip_job job;
  void (*serve)(struct deferred *d);
  fuse_req_t req;
  fuse_ino_t ino, ino2;
  int has_fi; /* getattr and setattr may come without an open file */
  struct fuse_file_info fi, fi2;
  const char *name, *name2, *data;
  struct stat attr;
  size_t size;
  off_t off, off2, len;
  int arg; /* datasync, whence, fallocate mode, copy or xattr flags, setattr's valid, access mask */
  unsigned flags;
  mode_t mode;
  dev_t rdev;
} deferred;

/* A ring thread that handed requests to a pool waits, as it ends, until the pools have served
 * them: libfuse frees the rings (and with them those requests) right after joining it. */
static pthread_key_t ring_exit_key;
static pthread_once_t ring_exit_once = PTHREAD_ONCE_INIT;
static _Thread_local int ring_exit_armed;
#define RING_EXIT_WAIT_NS (30 * 1000000000LL)

static void ring_exit_wait(void *mount) {
  ip_mount *m = mount;
  /* libfuse ends ring threads with pthread_cancel: the wait (a cancellation point) must not act
   * on it, or the thread ends right here without waiting. */
  int was;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &was);
  for (unsigned i = 0; i < m->offload_pools; i++)
    if (ip_offload_wait_drained(&m->offload[i], RING_EXIT_WAIT_NS) != 0)
      fprintf(stderr, "interposer: offloaded requests still running after 30 s at shutdown\n");
  pthread_setcancelstate(was, NULL);
}

static void ring_exit_key_create(void) { pthread_key_create(&ring_exit_key, ring_exit_wait); }

/*
 * Whether a request should leave the ring thread: only over io_uring (over /dev/fuse libfuse's
 * own threads each wait for one request), when it is `blocking`, or when the overlay has a rule
 * for one of `ops` (for an open file, one that may match its path).
 *
 * Opt-in (INTERPOSER_IO_URING_OFFLOAD=1) for now: libfuse 3.18.3's fuse_uring_commit_sqe, when a
 * thread other than the ring's replies and finds no free submission entry, returns without
 * unlocking the ring, and the ring's thread then waits for that lock forever. One of three
 * io_uring test runs hung that way with the handover on; none without it.
 */
static int leaves_ring(fuse_req_t req, uint64_t ops, const ip_handle *h, int blocking) {
#ifdef FUSE_CAP_OVER_IO_URING
  ip_mount *m = fuse_req_userdata(req);
  if (!m->offload_enabled || !fuse_req_is_uring(req)) return 0;
  if (blocking) return 1;
  uint64_t wanted = atomic_load_explicit(&m->interest_mask, memory_order_relaxed) & ops;
  if (!wanted || !h) return wanted != 0;
  for (int op = 0; op < OP_COUNT; op++)
    if (((wanted >> op) & 1) && ip_overlay_in_scope(m, op, h->path, NULL)) return 1;
  return 0;
#else
  (void)req;
  (void)ops;
  (void)h;
  (void)blocking;
  return 0;
#endif
}

static void run_deferred(ip_job *job) {
  deferred *d = (deferred *)job;
  d->serve(d);
  free(d);
}

/* A deferral of this request with `fi` copied, or NULL (out of memory: serve it here). */
static deferred *deferral(fuse_req_t req, const struct fuse_file_info *fi, void (*serve)(deferred *)) {
  deferred *d = calloc(1, sizeof(*d));
  if (!d) return NULL;
  d->job.run = run_deferred;
  d->serve = serve;
  d->req = req;
  d->has_fi = fi != NULL;
  if (fi) d->fi = *fi;
  return d;
}

/* Hands a filled deferral to the pool of this ring's CPU; 0 (and d freed) when it refused. */
static int defer(deferred *d) {
  ip_mount *m = fuse_req_userdata(d->req);
  int cpu = sched_getcpu(); /* a ring thread is pinned to its ring's CPU */
  ip_offload *pool = &m->offload[cpu >= 0 && (unsigned)cpu < m->offload_pools ? (unsigned)cpu : 0];
  if (ip_offload_submit(pool, &d->job) != 0) {
    free(d);
    return 0;
  }
  if (!ring_exit_armed) {
    pthread_once(&ring_exit_once, ring_exit_key_create);
    pthread_setspecific(ring_exit_key, m);
    ring_exit_armed = 1;
  }
  return 1;
}

static inline struct fuse_file_info *fi_of(deferred *d) { return d->has_fi ? &d->fi : NULL; }

/* ---- entry points, in the order of fuse_lowlevel_ops ------------------------------------------- */

static void resume_lookup(deferred *d) { serve_lookup(d->req, d->ino, d->name); }
static void ip_lookup(fuse_req_t req, fuse_ino_t parent, const char *name) {
  deferred *d = leaves_ring(req, OP_BIT(OP_GETATTR), NULL, 0) ? deferral(req, NULL, resume_lookup) : NULL;
  if (d) {
    d->ino = parent;
    d->name = name;
    if (defer(d)) return;
  }
  serve_lookup(req, parent, name);
}

static void resume_getattr(deferred *d) { serve_getattr(d->req, d->ino, fi_of(d)); }
static void ip_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  deferred *d = leaves_ring(req, OP_BIT(OP_GETATTR), fi ? handle_of(fi) : NULL, 0) ? deferral(req, fi, resume_getattr)
                                                                                 : NULL;
  if (d) {
    d->ino = ino;
    if (defer(d)) return;
  }
  serve_getattr(req, ino, fi);
}

static void resume_setattr(deferred *d) { serve_setattr(d->req, d->ino, &d->attr, d->arg, fi_of(d)); }
static void ip_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid, struct fuse_file_info *fi) {
  deferred *d = leaves_ring(req, SETATTR_OPS, fi ? handle_of(fi) : NULL, 0) ? deferral(req, fi, resume_setattr) : NULL;
  if (d) {
    d->ino = ino;
    d->attr = *attr;
    d->arg = valid;
    if (defer(d)) return;
  }
  serve_setattr(req, ino, attr, valid, fi);
}

static void resume_readlink(deferred *d) { serve_readlink(d->req, d->ino); }
static void ip_readlink(fuse_req_t req, fuse_ino_t ino) {
  deferred *d = leaves_ring(req, OP_BIT(OP_READLINK), NULL, 0) ? deferral(req, NULL, resume_readlink) : NULL;
  if (d) {
    d->ino = ino;
    if (defer(d)) return;
  }
  serve_readlink(req, ino);
}

static void resume_mknod(deferred *d) { serve_mknod(d->req, d->ino, d->name, d->mode, d->rdev); }
static void ip_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev) {
  deferred *d = leaves_ring(req, OP_BIT(OP_MKNOD), NULL, 0) ? deferral(req, NULL, resume_mknod) : NULL;
  if (d) {
    d->ino = parent;
    d->name = name;
    d->mode = mode;
    d->rdev = rdev;
    if (defer(d)) return;
  }
  serve_mknod(req, parent, name, mode, rdev);
}

static void resume_mkdir(deferred *d) { serve_mkdir(d->req, d->ino, d->name, d->mode); }
static void ip_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode) {
  deferred *d = leaves_ring(req, OP_BIT(OP_MKDIR), NULL, 0) ? deferral(req, NULL, resume_mkdir) : NULL;
  if (d) {
    d->ino = parent;
    d->name = name;
    d->mode = mode;
    if (defer(d)) return;
  }
  serve_mkdir(req, parent, name, mode);
}

/* unlink and rmdir share a shape. */
static void resume_unlink(deferred *d) { serve_unlink(d->req, d->ino, d->name); }
static void resume_rmdir(deferred *d) { serve_rmdir(d->req, d->ino, d->name); }
static void defer_removal(fuse_req_t req, fuse_ino_t parent, const char *name, int op, void (*resume)(deferred *),
                          void (*serve)(fuse_req_t, fuse_ino_t, const char *)) {
  deferred *d = leaves_ring(req, OP_BIT(op), NULL, 0) ? deferral(req, NULL, resume) : NULL;
  if (d) {
    d->ino = parent;
    d->name = name;
    if (defer(d)) return;
  }
  serve(req, parent, name);
}
static void ip_unlink(fuse_req_t req, fuse_ino_t parent, const char *name) {
  defer_removal(req, parent, name, OP_UNLINK, resume_unlink, serve_unlink);
}
static void ip_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name) {
  defer_removal(req, parent, name, OP_RMDIR, resume_rmdir, serve_rmdir);
}

static void resume_symlink(deferred *d) { serve_symlink(d->req, d->name2, d->ino, d->name); }
static void ip_symlink(fuse_req_t req, const char *target, fuse_ino_t parent, const char *name) {
  deferred *d = leaves_ring(req, OP_BIT(OP_SYMLINK), NULL, 0) ? deferral(req, NULL, resume_symlink) : NULL;
  if (d) {
    d->name2 = target;
    d->ino = parent;
    d->name = name;
    if (defer(d)) return;
  }
  serve_symlink(req, target, parent, name);
}

static void resume_rename(deferred *d) { serve_rename(d->req, d->ino, d->name, d->ino2, d->name2, d->flags); }
static void ip_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent, const char *newname,
                      unsigned int flags) {
  deferred *d = leaves_ring(req, OP_BIT(OP_RENAME), NULL, 0) ? deferral(req, NULL, resume_rename) : NULL;
  if (d) {
    d->ino = parent;
    d->name = name;
    d->ino2 = newparent;
    d->name2 = newname;
    d->flags = flags;
    if (defer(d)) return;
  }
  serve_rename(req, parent, name, newparent, newname, flags);
}

static void resume_link(deferred *d) { serve_link(d->req, d->ino, d->ino2, d->name2); }
static void ip_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname) {
  deferred *d = leaves_ring(req, OP_BIT(OP_LINK), NULL, 0) ? deferral(req, NULL, resume_link) : NULL;
  if (d) {
    d->ino = ino;
    d->ino2 = newparent;
    d->name2 = newname;
    if (defer(d)) return;
  }
  serve_link(req, ino, newparent, newname);
}

/* open, opendir: their fi is written (the handle, caching flags) and sent with the reply, so the
 * offload thread fills the copy. flush, release, releasedir: only an overlay makes them wait. */
static void resume_open(deferred *d) { serve_open(d->req, d->ino, &d->fi); }
static void resume_opendir(deferred *d) { serve_opendir(d->req, d->ino, &d->fi); }
static void resume_flush(deferred *d) { serve_flush(d->req, d->ino, &d->fi); }
static void resume_release(deferred *d) { serve_release(d->req, d->ino, &d->fi); }
static void resume_releasedir(deferred *d) { serve_releasedir(d->req, d->ino, &d->fi); }
static void defer_file_op(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op, const ip_handle *h,
                          void (*resume)(deferred *), void (*serve)(fuse_req_t, fuse_ino_t, struct fuse_file_info *)) {
  deferred *d = leaves_ring(req, OP_BIT(op), h, 0) ? deferral(req, fi, resume) : NULL;
  if (d) {
    d->ino = ino;
    if (defer(d)) return;
  }
  serve(req, ino, fi);
}
static void ip_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  defer_file_op(req, ino, fi, OP_OPEN, NULL, resume_open, serve_open);
}
static void ip_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  defer_file_op(req, ino, fi, OP_OPENDIR, NULL, resume_opendir, serve_opendir);
}
static void ip_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  defer_file_op(req, ino, fi, OP_FLUSH, handle_of(fi), resume_flush, serve_flush);
}
static void ip_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  defer_file_op(req, ino, fi, OP_RELEASE, handle_of(fi), resume_release, serve_release);
}
static void ip_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  defer_file_op(req, ino, fi, OP_RELEASEDIR, handle_of(fi), resume_releasedir, serve_releasedir);
}

/* read, readdir and readdirplus share a shape; reads wait for the device with O_DIRECT. */
static void resume_read(deferred *d) { serve_read(d->req, d->ino, d->size, d->off, &d->fi); }
static void resume_readdir(deferred *d) { serve_readdir(d->req, d->ino, d->size, d->off, &d->fi); }
static void resume_readdirplus(deferred *d) { serve_readdirplus(d->req, d->ino, d->size, d->off, &d->fi); }
static void defer_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi, int op,
                       int blocking, void (*resume)(deferred *),
                       void (*serve)(fuse_req_t, fuse_ino_t, size_t, off_t, struct fuse_file_info *)) {
  deferred *d = leaves_ring(req, OP_BIT(op), handle_of(fi), blocking) ? deferral(req, fi, resume) : NULL;
  if (d) {
    d->ino = ino;
    d->size = size;
    d->off = off;
    if (defer(d)) return;
  }
  serve(req, ino, size, off, fi);
}
static void ip_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  defer_read(req, ino, size, off, fi, OP_READ, handle_of(fi)->direct, resume_read, serve_read);
}
static void ip_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  defer_read(req, ino, size, off, fi, OP_READDIR, 0, resume_readdir, serve_readdir);
}
static void ip_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  defer_read(req, ino, size, off, fi, OP_READDIR, 0, resume_readdirplus, serve_readdirplus);
}

static void resume_write(deferred *d) { serve_write(d->req, d->ino, d->data, d->size, d->off, &d->fi); }
static void ip_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  deferred *d = leaves_ring(req, OP_BIT(OP_WRITE), h, h->direct) ? deferral(req, fi, resume_write) : NULL;
  if (d) {
    d->ino = ino;
    d->data = buf;
    d->size = size;
    d->off = off;
    if (defer(d)) return;
  }
  serve_write(req, ino, buf, size, off, fi);
}

static void resume_statfs(deferred *d) { serve_statfs(d->req, d->ino); }
static void ip_statfs(fuse_req_t req, fuse_ino_t ino) {
  deferred *d = leaves_ring(req, OP_BIT(OP_STATFS), NULL, 0) ? deferral(req, NULL, resume_statfs) : NULL;
  if (d) {
    d->ino = ino;
    if (defer(d)) return;
  }
  serve_statfs(req, ino);
}

/* fsync and fsyncdir share a shape, and always wait for the device. */
static void resume_fsync(deferred *d) { serve_fsync(d->req, d->ino, d->arg, &d->fi); }
static void resume_fsyncdir(deferred *d) { serve_fsyncdir(d->req, d->ino, d->arg, &d->fi); }
static void defer_sync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi, int op,
                       void (*resume)(deferred *), void (*serve)(fuse_req_t, fuse_ino_t, int, struct fuse_file_info *)) {
  deferred *d = leaves_ring(req, OP_BIT(op), NULL, 1) ? deferral(req, fi, resume) : NULL;
  if (d) {
    d->ino = ino;
    d->arg = datasync;
    if (defer(d)) return;
  }
  serve(req, ino, datasync, fi);
}
static void ip_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) {
  defer_sync(req, ino, datasync, fi, OP_FSYNC, resume_fsync, serve_fsync);
}
static void ip_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) {
  defer_sync(req, ino, datasync, fi, OP_FSYNCDIR, resume_fsyncdir, serve_fsyncdir);
}

static void resume_setxattr(deferred *d) { serve_setxattr(d->req, d->ino, d->name, d->data, d->size, d->arg); }
static void ip_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size, int flags) {
  deferred *d = leaves_ring(req, OP_BIT(OP_SETXATTR), NULL, 0) ? deferral(req, NULL, resume_setxattr) : NULL;
  if (d) {
    d->ino = ino;
    d->name = name;
    d->data = value;
    d->size = size;
    d->arg = flags;
    if (defer(d)) return;
  }
  serve_setxattr(req, ino, name, value, size, flags);
}

static void resume_getxattr(deferred *d) { serve_getxattr(d->req, d->ino, d->name, d->size); }
static void ip_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size) {
  deferred *d = leaves_ring(req, OP_BIT(OP_GETXATTR), NULL, 0) ? deferral(req, NULL, resume_getxattr) : NULL;
  if (d) {
    d->ino = ino;
    d->name = name;
    d->size = size;
    if (defer(d)) return;
  }
  serve_getxattr(req, ino, name, size);
}

static void resume_listxattr(deferred *d) { serve_listxattr(d->req, d->ino, d->size); }
static void ip_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  deferred *d = leaves_ring(req, OP_BIT(OP_LISTXATTR), NULL, 0) ? deferral(req, NULL, resume_listxattr) : NULL;
  if (d) {
    d->ino = ino;
    d->size = size;
    if (defer(d)) return;
  }
  serve_listxattr(req, ino, size);
}

static void resume_removexattr(deferred *d) { serve_removexattr(d->req, d->ino, d->name); }
static void ip_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name) {
  deferred *d = leaves_ring(req, OP_BIT(OP_REMOVEXATTR), NULL, 0) ? deferral(req, NULL, resume_removexattr) : NULL;
  if (d) {
    d->ino = ino;
    d->name = name;
    if (defer(d)) return;
  }
  serve_removexattr(req, ino, name);
}

static void resume_access(deferred *d) { serve_access(d->req, d->ino, d->arg); }
static void ip_access(fuse_req_t req, fuse_ino_t ino, int mask) {
  deferred *d = leaves_ring(req, OP_BIT(OP_ACCESS), NULL, 0) ? deferral(req, NULL, resume_access) : NULL;
  if (d) {
    d->ino = ino;
    d->arg = mask;
    if (defer(d)) return;
  }
  serve_access(req, ino, mask);
}

static void resume_create(deferred *d) { serve_create(d->req, d->ino, d->name, d->mode, &d->fi); }
static void ip_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi) {
  deferred *d = leaves_ring(req, OP_BIT(OP_CREATE), NULL, 0) ? deferral(req, fi, resume_create) : NULL;
  if (d) {
    d->ino = parent;
    d->name = name;
    d->mode = mode;
    if (defer(d)) return;
  }
  serve_create(req, parent, name, mode, fi);
}

static void resume_fallocate(deferred *d) { serve_fallocate(d->req, d->ino, d->arg, d->off, d->len, &d->fi); }
static void ip_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len, struct fuse_file_info *fi) {
  deferred *d = leaves_ring(req, OP_BIT(OP_FALLOCATE), NULL, 1) ? deferral(req, fi, resume_fallocate) : NULL;
  if (d) {
    d->ino = ino;
    d->arg = mode;
    d->off = off;
    d->len = len;
    if (defer(d)) return;
  }
  serve_fallocate(req, ino, mode, off, len, fi);
}

static void resume_copy_file_range(deferred *d) {
  serve_copy_file_range(d->req, d->ino, d->off, &d->fi, d->ino2, d->off2, &d->fi2, d->size, d->arg);
}
static void ip_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, struct fuse_file_info *fi_in,
                               fuse_ino_t ino_out, off_t off_out, struct fuse_file_info *fi_out, size_t len, int flags) {
  deferred *d = leaves_ring(req, OP_BIT(OP_COPY_FILE_RANGE), NULL, 1) ? deferral(req, fi_in, resume_copy_file_range)
                                                                       : NULL;
  if (d) {
    d->ino = ino_in;
    d->off = off_in;
    d->ino2 = ino_out;
    d->off2 = off_out;
    d->fi2 = *fi_out;
    d->size = len;
    d->arg = flags;
    if (defer(d)) return;
  }
  serve_copy_file_range(req, ino_in, off_in, fi_in, ino_out, off_out, fi_out, len, flags);
}

static void resume_lseek(deferred *d) { serve_lseek(d->req, d->ino, d->off, d->arg, &d->fi); }
static void ip_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi) {
  deferred *d = leaves_ring(req, OP_BIT(OP_LSEEK), handle_of(fi), 0) ? deferral(req, fi, resume_lseek) : NULL;
  if (d) {
    d->ino = ino;
    d->off = off;
    d->arg = whence;
    if (defer(d)) return;
  }
  serve_lseek(req, ino, off, whence, fi);
}

/* forget has no reply and init/destroy are not requests: always served at once. */
const struct fuse_lowlevel_ops ip_passthrough_ops = {
    .init = serve_init,
    .destroy = serve_destroy,
    .lookup = ip_lookup,
    .forget = serve_forget,
    .forget_multi = serve_forget_multi,
    .getattr = ip_getattr,
    .setattr = ip_setattr,
    .readlink = ip_readlink,
    .mknod = ip_mknod,
    .mkdir = ip_mkdir,
    .unlink = ip_unlink,
    .rmdir = ip_rmdir,
    .symlink = ip_symlink,
    .rename = ip_rename,
    .link = ip_link,
    .open = ip_open,
    .read = ip_read,
    .write = ip_write,
    .statfs = ip_statfs,
    .flush = ip_flush,
    .release = ip_release,
    .fsync = ip_fsync,
    .setxattr = ip_setxattr,
    .getxattr = ip_getxattr,
    .listxattr = ip_listxattr,
    .removexattr = ip_removexattr,
    .opendir = ip_opendir,
    .readdir = ip_readdir,
    .readdirplus = ip_readdirplus,
    .releasedir = ip_releasedir,
    .fsyncdir = ip_fsyncdir,
    .access = ip_access,
    .create = ip_create,
    .fallocate = ip_fallocate,
    .copy_file_range = ip_copy_file_range,
    .lseek = ip_lseek,
};
