/*
 * The stacked passthrough: every FUSE operation is done on the backing directory with the
 * *at() system calls relative to one directory fd, shaped by the overlay verdict, timed, and
 * appended to the trace buffer. Runs on libfuse's worker threads, never on the JS thread.
 *
 * Each handler follows one pattern: op_begin (who, when), op_shape (overlay verdict + delay),
 * the real call unless the verdict fails it, op_end (delay after, record, return -errno).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "mount.h"
#include "ops.h"
#include "proc_cache.h"
#include "scratch.h"

/* An open file or directory: the backing fd plus what the trace needs to name it. */
typedef struct ip_handle {
  int fd;
  int direct; /* opened with O_DIRECT: transfers need an aligned buffer */
  DIR *dir;   /* directories only */
  int64_t id;
  char path[];
} ip_handle;

static atomic_llong next_handle_id = 1;

static inline int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline const char *rel(const char *path) { return (path[0] == '/' && path[1] == 0) ? "." : path + 1; }

static inline ip_handle *handle_of(struct fuse_file_info *fi) { return (ip_handle *)(uintptr_t)fi->fh; }

static ip_handle *handle_new(int fd, const char *path) {
  size_t len = strlen(path);
  ip_handle *h = malloc(sizeof(*h) + len + 1);
  if (!h) return NULL;
  h->fd = fd;
  h->direct = 0;
  h->dir = NULL;
  h->id = atomic_fetch_add(&next_handle_id, 1);
  memcpy(h->path, path, len + 1);
  return h;
}

static void sleep_ns(int64_t ns) {
  if (ns <= 0) return;
  struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

typedef struct opctx {
  ip_mount *m;
  ip_record r;
  ip_verdict v;
} opctx;

static void op_begin(opctx *c, int op, const char *path) {
  struct fuse_context *fc = fuse_get_context();
  c->m = fc->private_data;
  ip_record *r = &c->r;
  r->op = op;
  r->path = path;
  r->path2 = NULL;
  r->fh = r->offset = r->size = IP_NULL64;
  r->bytes = 0;
  r->err = 0;
  r->flags = r->mode = IP_NULL32;
  r->tid = (int32_t)fc->pid;
  r->uid = (int32_t)fc->uid;
  r->gid = (int32_t)fc->gid;
  r->pid = r->tid;
  r->comm = NULL;
  r->fault_kind = -1;
  r->fault_errno = IP_NULL32;
  r->fault_delay_ns = r->fault_truncated_to = r->throttle_wait_ns = IP_NULL64;
  c->v.err = 0;
  c->v.truncate_to = -1;
  c->v.delay_before_ns = c->v.delay_after_ns = c->v.throttle_wait_ns = 0;
  c->v.fault_kind = -1;
  c->v.corrupt_count = 0;
  c->v.path_idle = 0;
  r->start_ns = now_ns();
}

/* Asks the overlay (if it cares about this op) and serves the delay it decided. Returns the
 * errno to fail with, or 0 to go on. Call after size/offset/path2 are set. */
static int op_shape(opctx *c) {
  ip_record *r = &c->r;
  if (!ip_overlay_wants(c->m, r->op)) return 0;
  if (!ip_overlay_in_scope(c->m, r->op, r->path, r->path2)) return 0;
  /* Only single-path ops are cached: a rule may match on the second path. */
  int cacheable = r->path != NULL && r->path2 == NULL;
  uint64_t hash = 0;
  if (cacheable && ip_overlay_path_idle(c->m, r->path, &hash)) return 0;
  unsigned long generation = atomic_load(&c->m->idle_gen);
  ip_overlay_decide(c->m, r->op, r->path, r->path2, r->size == IP_NULL64 ? 0 : r->size,
                    r->offset == IP_NULL64 ? -1 : r->offset, r->tid, r->uid, r->gid, r->start_ns - c->m->origin_ns,
                    &c->v);
  if (cacheable && c->v.path_idle) ip_overlay_remember_idle(c->m, hash, generation);
  sleep_ns(c->v.delay_before_ns);
  return c->v.err;
}

/* Applies a truncation verdict to a transfer length. */
static inline size_t shaped_len(opctx *c, size_t len) {
  if (c->v.truncate_to >= 0 && (uint64_t)c->v.truncate_to < len) return (size_t)c->v.truncate_to;
  return len;
}

/* Applies a corruption verdict to the first `len` bytes of a transfer. */
static void corrupt(const opctx *c, char *buf, int64_t len) {
  for (int32_t i = 0; i < c->v.corrupt_count; i++) {
    int32_t at = c->v.corrupt_index[i];
    if (at < 0 || at >= len) continue;
    buf[at] = c->v.corrupt_xor[i] == -1 ? 0 : (char)(buf[at] ^ c->v.corrupt_xor[i]);
  }
}

/* res: >= 0 success value (bytes for read/write), < 0 -errno. Returns res for FUSE. */
static int64_t op_end(opctx *c, int64_t res) {
  ip_mount *m = c->m;
  ip_record *r = &c->r;
  sleep_ns(c->v.delay_after_ns);
  if (!m->record) return res;
  r->end_ns = now_ns();
  r->err = res < 0 ? (int32_t)-res : 0;
  if (res > 0 && (r->op == OP_READ || r->op == OP_WRITE || r->op == OP_COPY_FILE_RANGE)) r->bytes = res;
  if (c->v.fault_kind >= 0) {
    r->fault_kind = c->v.fault_kind;
    if (c->v.err) r->fault_errno = c->v.err;
    if (c->v.delay_before_ns + c->v.delay_after_ns - c->v.throttle_wait_ns > 0)
      r->fault_delay_ns = c->v.delay_before_ns + c->v.delay_after_ns - c->v.throttle_wait_ns;
    if (c->v.truncate_to >= 0) r->fault_truncated_to = c->v.truncate_to;
  }
  if (c->v.throttle_wait_ns > 0) r->throttle_wait_ns = c->v.throttle_wait_ns;
  ip_proc_info info;
  ip_proc_lookup(r->tid, r->end_ns, &info);
  r->pid = info.tgid;
  r->comm = info.comm[0] ? info.comm : NULL;
  r->start_ns -= m->origin_ns;
  r->end_ns -= m->origin_ns;
  ip_tracebuf_append(&m->trace, r);
  return res;
}

static inline int64_t sys(int64_t ret) { return ret < 0 ? -errno : ret; }

/* Runs file creation as the caller (fsuid/fsgid/groups are per thread on Linux), so new files
 * belong to the caller exactly as the kernel would make them on the backing file system. */
typedef struct creds {
  int switched;
} creds;

static void creds_enter(ip_mount *m, creds *cr) {
  cr->switched = 0;
  struct fuse_context *fc = fuse_get_context();
  if (!m->switch_creds || (fc->uid == 0 && fc->gid == 0)) return;
  gid_t groups[64];
  int n = fuse_getgroups(64, groups);
  if (n < 0 || n > 64) n = 0;
  syscall(SYS_setgroups, (size_t)n, groups);
  syscall(SYS_setfsgid, fc->gid);
  syscall(SYS_setfsuid, fc->uid);
  cr->switched = 1;
}

static void creds_leave(ip_mount *m, creds *cr) {
  if (!cr->switched) return;
  int saved = errno;
  syscall(SYS_setfsuid, 0);
  syscall(SYS_setfsgid, 0);
  syscall(SYS_setgroups, (size_t)m->own_group_count, m->own_groups);
  errno = saved;
}

/* ---- handlers ---------------------------------------------------------------------------- */

static int ip_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
  opctx c;
  op_begin(&c, OP_GETATTR, path ? path : handle_of(fi)->path);
  if (fi) c.r.fh = handle_of(fi)->id;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  res = fi ? sys(fstat(handle_of(fi)->fd, st)) : sys(fstatat(c.m->root_fd, rel(path), st, AT_SYMLINK_NOFOLLOW));
  return (int)op_end(&c, res);
}

static int ip_readlink(const char *path, char *buf, size_t size) {
  opctx c;
  op_begin(&c, OP_READLINK, path);
  c.r.size = (int64_t)size;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  ssize_t n = readlinkat(c.m->root_fd, rel(path), buf, size - 1);
  if (n >= 0) buf[n] = 0;
  return (int)op_end(&c, n < 0 ? -errno : 0);
}

static int ip_mknod(const char *path, mode_t mode, dev_t rdev) {
  opctx c;
  op_begin(&c, OP_MKNOD, path);
  c.r.mode = (int32_t)mode;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  creds cr;
  creds_enter(c.m, &cr);
  res = S_ISFIFO(mode) ? sys(mkfifoat(c.m->root_fd, rel(path), mode)) : sys(mknodat(c.m->root_fd, rel(path), mode, rdev));
  creds_leave(c.m, &cr);
  return (int)op_end(&c, res);
}

static int ip_mkdir(const char *path, mode_t mode) {
  opctx c;
  op_begin(&c, OP_MKDIR, path);
  c.r.mode = (int32_t)mode;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  creds cr;
  creds_enter(c.m, &cr);
  res = sys(mkdirat(c.m->root_fd, rel(path), mode));
  creds_leave(c.m, &cr);
  return (int)op_end(&c, res);
}

static int ip_unlink(const char *path) {
  opctx c;
  op_begin(&c, OP_UNLINK, path);
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  return (int)op_end(&c, sys(unlinkat(c.m->root_fd, rel(path), 0)));
}

static int ip_rmdir(const char *path) {
  opctx c;
  op_begin(&c, OP_RMDIR, path);
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  return (int)op_end(&c, sys(unlinkat(c.m->root_fd, rel(path), AT_REMOVEDIR)));
}

static int ip_symlink(const char *target, const char *path) {
  opctx c;
  op_begin(&c, OP_SYMLINK, path);
  c.r.path2 = target;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  creds cr;
  creds_enter(c.m, &cr);
  res = sys(symlinkat(target, c.m->root_fd, rel(path)));
  creds_leave(c.m, &cr);
  return (int)op_end(&c, res);
}

static int ip_rename(const char *from, const char *to, unsigned int flags) {
  opctx c;
  op_begin(&c, OP_RENAME, from);
  c.r.path2 = to;
  c.r.flags = (int32_t)flags;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  return (int)op_end(&c, sys(renameat2(c.m->root_fd, rel(from), c.m->root_fd, rel(to), flags)));
}

static int ip_link(const char *from, const char *to) {
  opctx c;
  op_begin(&c, OP_LINK, from);
  c.r.path2 = to;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  return (int)op_end(&c, sys(linkat(c.m->root_fd, rel(from), c.m->root_fd, rel(to), 0)));
}

static int ip_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
  opctx c;
  op_begin(&c, OP_CHMOD, path ? path : handle_of(fi)->path);
  c.r.mode = (int32_t)mode;
  if (fi) c.r.fh = handle_of(fi)->id;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  res = fi ? sys(fchmod(handle_of(fi)->fd, mode)) : sys(fchmodat(c.m->root_fd, rel(path), mode, 0));
  return (int)op_end(&c, res);
}

static int ip_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
  opctx c;
  op_begin(&c, OP_CHOWN, path ? path : handle_of(fi)->path);
  if (fi) c.r.fh = handle_of(fi)->id;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  res = fi ? sys(fchown(handle_of(fi)->fd, uid, gid))
           : sys(fchownat(c.m->root_fd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW));
  return (int)op_end(&c, res);
}

static int ip_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
  opctx c;
  op_begin(&c, OP_TRUNCATE, path ? path : handle_of(fi)->path);
  c.r.size = size;
  if (fi) c.r.fh = handle_of(fi)->id;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  if (fi) {
    res = sys(ftruncate(handle_of(fi)->fd, size));
  } else {
    int fd = openat(c.m->root_fd, rel(path), O_WRONLY | O_CLOEXEC);
    res = fd < 0 ? -errno : sys(ftruncate(fd, size));
    if (fd >= 0) close(fd);
  }
  return (int)op_end(&c, res);
}

static int open_common(opctx *c, const char *path, int flags, mode_t mode, struct fuse_file_info *fi) {
  int64_t res = op_shape(c);
  if (res) return (int)op_end(c, -res);
  creds cr;
  if (flags & O_CREAT) creds_enter(c->m, &cr);
  int fd = openat(c->m->root_fd, rel(path), flags | O_CLOEXEC, mode);
  if (flags & O_CREAT) creds_leave(c->m, &cr);
  if (fd < 0) return (int)op_end(c, -errno);
  ip_handle *h = handle_new(fd, path);
  if (!h) {
    close(fd);
    return (int)op_end(c, -ENOMEM);
  }
  h->direct = (flags & O_DIRECT) != 0;
  fi->fh = (uint64_t)(uintptr_t)h;
  c->r.fh = h->id;
  return (int)op_end(c, 0);
}

static int ip_open(const char *path, struct fuse_file_info *fi) {
  opctx c;
  op_begin(&c, OP_OPEN, path);
  c.r.flags = fi->flags;
  return open_common(&c, path, fi->flags, 0, fi);
}

static int ip_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
  opctx c;
  op_begin(&c, OP_CREATE, path);
  c.r.flags = fi->flags;
  c.r.mode = (int32_t)mode;
  return open_common(&c, path, fi->flags | O_CREAT, mode, fi);
}

/* A read's buffer, page-aligned when the backing file is O_DIRECT; freed by libfuse with free(). */
static void *read_buffer(int direct, size_t len) {
  if (len == 0) len = 1;
  if (!direct) return malloc(len);
  void *mem = NULL;
  return posix_memalign(&mem, IP_DIRECT_ALIGN, len) == 0 ? mem : NULL;
}

/* read_buf rather than read: we allocate the buffer ourselves (libfuse frees it), so an O_DIRECT
 * backing file can read straight into a page-aligned one instead of bouncing through a copy. */
static int ip_read_buf(const char *path, struct fuse_bufvec **bufp, size_t size, off_t off, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, OP_READ, h->path);
  c.r.fh = h->id;
  c.r.offset = off;
  c.r.size = (int64_t)size;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  size_t len = shaped_len(&c, size);
  struct fuse_bufvec *bv = malloc(sizeof(*bv));
  void *mem = read_buffer(h->direct, len);
  if (!bv || !mem) {
    free(bv);
    free(mem);
    return (int)op_end(&c, -ENOMEM);
  }
  *bv = FUSE_BUFVEC_INIT(0);
  bv->buf[0].mem = mem;
  *bufp = bv; /* libfuse frees bv and mem, on error too */
  res = sys(pread(h->fd, mem, len, off));
  if (res > 0) {
    bv->buf[0].size = (size_t)res;
    if (c.v.corrupt_count) corrupt(&c, mem, res);
  }
  res = op_end(&c, res); /* records the byte count */
  return res < 0 ? (int)res : 0;
}

static int ip_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, OP_WRITE, h->path);
  c.r.fh = h->id;
  c.r.offset = off;
  c.r.size = (int64_t)size;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  size_t len = shaped_len(&c, size);
  /* The caller's buffer is not ours to change, so corruption works on a copy; O_DIRECT needs an
   * aligned one. */
  if (c.v.corrupt_count || (h->direct && !ip_is_direct_aligned(buf))) {
    char *copy = ip_scratch(len);
    if (!copy) return (int)op_end(&c, -ENOMEM);
    memcpy(copy, buf, len);
    corrupt(&c, copy, (int64_t)len);
    return (int)op_end(&c, sys(pwrite(h->fd, copy, len, off)));
  }
  return (int)op_end(&c, sys(pwrite(h->fd, buf, len, off)));
}

static int ip_statfs(const char *path, struct statvfs *st) {
  opctx c;
  op_begin(&c, OP_STATFS, path);
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  return (int)op_end(&c, sys(fstatvfs(c.m->root_fd, st)));
}

static int ip_flush(const char *path, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, OP_FLUSH, h->path);
  c.r.fh = h->id;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  /* close() of a dup reports delayed write errors (NFS) without closing our fd. */
  int fd = dup(h->fd);
  res = fd < 0 ? -errno : sys(close(fd));
  return (int)op_end(&c, res);
}

static int ip_release(const char *path, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, OP_RELEASE, h->path);
  c.r.fh = h->id;
  op_shape(&c); /* release cannot fail: a verdict may delay it, never skip it */
  close(h->fd);
  int64_t res = op_end(&c, 0);
  free(h);
  return (int)res;
}

static int ip_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, OP_FSYNC, h->path);
  c.r.fh = h->id;
  c.r.flags = datasync;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  return (int)op_end(&c, sys(datasync ? fdatasync(h->fd) : fsync(h->fd)));
}

/* xattr calls have no *at() form; they go through the backing path. */
static void backing_path(ip_mount *m, const char *path, char *out, size_t size) {
  snprintf(out, size, "%s%s", m->backing, path);
}

static int ip_setxattr(const char *path, const char *name, const char *value, size_t size, int flags) {
  opctx c;
  op_begin(&c, OP_SETXATTR, path);
  c.r.path2 = name;
  c.r.size = (int64_t)size;
  c.r.flags = flags;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  char full[PATH_MAX];
  backing_path(c.m, path, full, sizeof(full));
  return (int)op_end(&c, sys(lsetxattr(full, name, value, size, flags)));
}

static int ip_getxattr(const char *path, const char *name, char *value, size_t size) {
  opctx c;
  op_begin(&c, OP_GETXATTR, path);
  c.r.path2 = name;
  c.r.size = (int64_t)size;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  char full[PATH_MAX];
  backing_path(c.m, path, full, sizeof(full));
  return (int)op_end(&c, sys(lgetxattr(full, name, value, size)));
}

static int ip_listxattr(const char *path, char *list, size_t size) {
  opctx c;
  op_begin(&c, OP_LISTXATTR, path);
  c.r.size = (int64_t)size;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  char full[PATH_MAX];
  backing_path(c.m, path, full, sizeof(full));
  return (int)op_end(&c, sys(llistxattr(full, list, size)));
}

static int ip_removexattr(const char *path, const char *name) {
  opctx c;
  op_begin(&c, OP_REMOVEXATTR, path);
  c.r.path2 = name;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  char full[PATH_MAX];
  backing_path(c.m, path, full, sizeof(full));
  return (int)op_end(&c, sys(lremovexattr(full, name)));
}

static int ip_opendir(const char *path, struct fuse_file_info *fi) {
  opctx c;
  op_begin(&c, OP_OPENDIR, path);
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  int fd = openat(c.m->root_fd, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return (int)op_end(&c, -errno);
  ip_handle *h = handle_new(fd, path);
  DIR *d = h ? fdopendir(fd) : NULL;
  if (!d) {
    int err = h ? errno : ENOMEM;
    close(fd);
    free(h);
    return (int)op_end(&c, -err);
  }
  h->dir = d;
  fi->fh = (uint64_t)(uintptr_t)h;
  c.r.fh = h->id;
  return (int)op_end(&c, 0);
}

static int ip_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off, struct fuse_file_info *fi,
                      enum fuse_readdir_flags flags) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, OP_READDIR, h->path);
  c.r.fh = h->id;
  c.r.offset = off;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  /* Offset 0 to the filler: libfuse collects the whole listing, so each readdir starts over. */
  rewinddir(h->dir);
  int64_t entries = 0;
  struct dirent *e;
  errno = 0;
  while ((e = readdir(h->dir)) != NULL) {
    struct stat st = {.st_ino = e->d_ino, .st_mode = (mode_t)DTTOIF(e->d_type)};
    if (filler(buf, e->d_name, &st, 0, 0)) break;
    entries++;
  }
  c.r.size = entries;
  return (int)op_end(&c, errno ? -errno : 0);
}

static int ip_releasedir(const char *path, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, OP_RELEASEDIR, h->path);
  c.r.fh = h->id;
  op_shape(&c);
  closedir(h->dir);
  int64_t res = op_end(&c, 0);
  free(h);
  return (int)res;
}

static int ip_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, OP_FSYNCDIR, h->path);
  c.r.fh = h->id;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  int fd = dirfd(h->dir);
  return (int)op_end(&c, sys(datasync ? fdatasync(fd) : fsync(fd)));
}

static int ip_access(const char *path, int mask) {
  opctx c;
  op_begin(&c, OP_ACCESS, path);
  c.r.flags = mask;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  return (int)op_end(&c, sys(faccessat(c.m->root_fd, rel(path), mask, AT_SYMLINK_NOFOLLOW)));
}

static int ip_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
  opctx c;
  op_begin(&c, OP_UTIMENS, path ? path : handle_of(fi)->path);
  if (fi) c.r.fh = handle_of(fi)->id;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  res = fi ? sys(futimens(handle_of(fi)->fd, tv)) : sys(utimensat(c.m->root_fd, rel(path), tv, AT_SYMLINK_NOFOLLOW));
  return (int)op_end(&c, res);
}

static int ip_fallocate(const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, OP_FALLOCATE, h->path);
  c.r.fh = h->id;
  c.r.offset = off;
  c.r.size = len;
  c.r.mode = mode;
  int64_t res = op_shape(&c);
  if (res) return (int)op_end(&c, -res);
  return (int)op_end(&c, sys(fallocate(h->fd, mode, off, len)));
}

static ssize_t ip_copy_file_range(const char *path_in, struct fuse_file_info *fi_in, off_t off_in,
                                  const char *path_out, struct fuse_file_info *fi_out, off_t off_out, size_t len,
                                  int flags) {
  ip_handle *in = handle_of(fi_in), *out = handle_of(fi_out);
  opctx c;
  op_begin(&c, OP_COPY_FILE_RANGE, in->path);
  c.r.path2 = out->path;
  c.r.fh = in->id;
  c.r.offset = off_in;
  c.r.size = (int64_t)len;
  c.r.flags = flags;
  int64_t res = op_shape(&c);
  if (res) return op_end(&c, -res);
  loff_t oi = off_in, oo = off_out;
  return op_end(&c, sys(copy_file_range(in->fd, &oi, out->fd, &oo, shaped_len(&c, len), (unsigned)flags)));
}

static off_t ip_lseek(const char *path, off_t off, int whence, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, OP_LSEEK, h->path);
  c.r.fh = h->id;
  c.r.offset = off;
  c.r.flags = whence;
  int64_t res = op_shape(&c);
  if (res) return op_end(&c, -res);
  return op_end(&c, sys(lseek(h->fd, off, whence)));
}

static void *ip_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
  cfg->use_ino = 1;     /* backing inode numbers: hard links and `find` behave */
  cfg->nullpath_ok = 1; /* fd-based ops skip libfuse's path lookup; our handles carry the path */
  cfg->hard_remove = 1; /* no .fuse_hidden files: unlinked-but-open files live on as our fds */
  cfg->kernel_cache = 0;
  /* Large requests: 1 MiB writes instead of fuse-native's 4 KiB. */
  conn->max_write = 1 << 20;
  conn->max_readahead = 1 << 20;
  /* The kernel asks for security.capability before every write (one extra round trip) unless
   * the server takes FUSE_HANDLE_KILLPRIV_V2, which libfuse 3.14 cannot negotiate. */
  ip_mount *m = fuse_get_context()->private_data;
  ip_transport_on_init(&m->transport, conn);
  return m;
}

const struct fuse_operations ip_passthrough_ops = {
    .init = ip_init,
    .getattr = ip_getattr,
    .readlink = ip_readlink,
    .mknod = ip_mknod,
    .mkdir = ip_mkdir,
    .unlink = ip_unlink,
    .rmdir = ip_rmdir,
    .symlink = ip_symlink,
    .rename = ip_rename,
    .link = ip_link,
    .chmod = ip_chmod,
    .chown = ip_chown,
    .truncate = ip_truncate,
    .open = ip_open,
    .read_buf = ip_read_buf,
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
    .releasedir = ip_releasedir,
    .fsyncdir = ip_fsyncdir,
    .access = ip_access,
    .create = ip_create,
    .utimens = ip_utimens,
    .fallocate = ip_fallocate,
    .copy_file_range = ip_copy_file_range,
    .lseek = ip_lseek,
};
