/*
 * The stacked passthrough on libfuse's low-level API: every request names a node id that is an
 * entry of the inode table (inode_table.h), and is done on the backing file system through that
 * entry's O_PATH fd (or the open file's fd), shaped by the overlay verdict, timed, and appended to
 * the trace buffer. Runs on libfuse's threads or an offload thread (dispatch.c decides), never on
 * the JS thread.
 *
 * Each handler (serve_*, declared in serve.h) follows one pattern: op_begin (who, when, which path), op_shape (overlay verdict +
 * delay), the real call unless the verdict fails it, op_end (delay after, record), then the reply.
 * A row is an operation that reached this server; what the kernel answers from its caches is not.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <limits.h>
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

#include "clock.h"
#include "inode_table.h"
#include "mount.h"
#include "ops.h"
#include "proc_cache.h"
#include "scratch.h"
#include "serve.h"
#include "splice_pipe.h"


static atomic_llong next_handle_id = 1;

static inline ip_mount *mount_of(fuse_req_t req) { return fuse_req_userdata(req); }

static inline ip_inode *inode_of(fuse_req_t req, fuse_ino_t ino) {
  return ino == FUSE_ROOT_ID ? &mount_of(req)->inodes.root : (ip_inode *)(uintptr_t)ino;
}

static ip_handle *handle_new(int fd, const char *path) {
  size_t len = strlen(path);
  ip_handle *h = calloc(1, sizeof(*h) + len + 1);
  if (!h) return NULL;
  h->fd = fd;
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
  fuse_req_t req;
  ip_record r;
  ip_verdict v;
  char path[PATH_MAX];
  char path2[PATH_MAX];
} opctx;

/* Paths cost a walk of the inode table: built only when a row is recorded or a rule may ask. */
static inline int wants_paths(ip_mount *m, int op) { return m->record || ip_overlay_wants(m, op); }

static void op_begin(opctx *c, fuse_req_t req, int op) {
  const struct fuse_ctx *fc = fuse_req_ctx(req);
  c->m = mount_of(req);
  /* Reads decide once they know their size (serve_read). */
  if (op != OP_READ) ip_transport_on_request(&c->m->transport, req, 0);
  c->req = req;
  ip_record *r = &c->r;
  r->op = op;
  r->path = NULL;
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
  r->start_ns = ip_now_ns();
}

/* Names the row after an inode (name NULL) or a child of it. */
static void op_path(opctx *c, ip_inode *in, const char *name) {
  if (!wants_paths(c->m, c->r.op)) return;
  ip_inodes_path(&c->m->inodes, in, name, c->path, sizeof(c->path));
  c->r.path = c->path;
}

static void op_path2(opctx *c, ip_inode *in, const char *name) {
  if (!wants_paths(c->m, c->r.op)) return;
  ip_inodes_path(&c->m->inodes, in, name, c->path2, sizeof(c->path2));
  c->r.path2 = c->path2;
}

/* Names the row after an open handle (the path it was opened by). */
static void op_handle(opctx *c, ip_handle *h) {
  c->r.path = h->path;
  c->r.fh = h->id;
}

/* Asks the overlay (if it cares about this op) and serves the delay it decided. Returns the
 * errno to fail with, or 0 to go on. Call after size/offset/paths are set. */
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

/* res: >= 0 success value (bytes for read/write), < 0 -errno. Returns res. */
static int64_t op_end(opctx *c, int64_t res) {
  ip_mount *m = c->m;
  ip_record *r = &c->r;
  sleep_ns(c->v.delay_after_ns);
  if (!m->record) return res;
  r->end_ns = ip_now_ns();
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

/* Ends the op and replies with just an errno (0 = success). */
static void op_reply_err(opctx *c, int64_t res) {
  res = op_end(c, res);
  fuse_reply_err(c->req, res < 0 ? (int)-res : 0);
}

static inline int64_t sys(int64_t ret) { return ret < 0 ? -errno : ret; }

/* ---- caller identity ------------------------------------------------------------------------ */

/* Runs file creation as the caller (fsuid/fsgid/groups are per thread on Linux), so new files
 * belong to the caller exactly as the kernel would make them on the backing file system. A
 * non-zero fsuid also drops CAP_FSETID, so the backing file system clears setuid/setgid bits on
 * the caller's writes and truncates as it would for the caller. */
typedef struct creds {
  int switched;
} creds;

static void creds_enter(fuse_req_t req, ip_mount *m, creds *cr, int with_groups) {
  cr->switched = 0;
  const struct fuse_ctx *fc = fuse_req_ctx(req);
  if (!m->switch_creds || (fc->uid == 0 && fc->gid == 0)) return;
  if (with_groups) {
    gid_t groups[64];
    int n = fuse_req_getgroups(req, 64, groups);
    if (n < 0 || n > 64) n = 0;
    syscall(SYS_setgroups, (size_t)n, groups);
  }
  syscall(SYS_setfsgid, fc->gid);
  syscall(SYS_setfsuid, fc->uid);
  cr->switched = with_groups ? 2 : 1;
}

static void creds_leave(ip_mount *m, creds *cr) {
  if (!cr->switched) return;
  int saved = errno;
  syscall(SYS_setfsuid, 0);
  syscall(SYS_setfsgid, 0);
  if (cr->switched == 2) syscall(SYS_setgroups, (size_t)m->own_group_count, m->own_groups);
  errno = saved;
}

/* ---- lookups and entries ---------------------------------------------------------------------- */

static double entry_timeout(ip_mount *m) { return m->entry_timeout; }

/* Looks `name` up in `parent` and adds a kernel reference to its entry. 0 or -errno. */
static int do_lookup(ip_mount *m, ip_inode *parent, const char *name, struct fuse_entry_param *e) {
  memset(e, 0, sizeof(*e));
  int fd = openat(parent->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -errno;
  if (fstatat(fd, "", &e->attr, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  ip_inode *in = ip_inodes_found(&m->inodes, parent, name, fd, &e->attr);
  if (!in) return -ENOMEM;
  e->ino = (fuse_ino_t)(uintptr_t)in;
  e->attr_timeout = m->attr_timeout;
  e->entry_timeout = entry_timeout(m);
  return 0;
}

/* Replies to a lookup-like request: an entry, a cached "no such name", or the error. */
static void reply_entry(opctx *c, int64_t res, struct fuse_entry_param *e) {
  res = op_end(c, res);
  if (res == 0) {
    fuse_reply_entry(c->req, e);
  } else if (res == -ENOENT && c->r.op == OP_GETATTR && c->m->negative_timeout > 0) {
    struct fuse_entry_param neg = {.ino = 0, .entry_timeout = c->m->negative_timeout};
    fuse_reply_entry(c->req, &neg);
  } else {
    fuse_reply_err(c->req, (int)-res);
  }
}

/* A lookup is the server-side half of a stat of a name the kernel does not know: one getattr row. */
void serve_lookup(fuse_req_t req, fuse_ino_t parent, const char *name) {
  ip_inode *dir = inode_of(req, parent);
  opctx c;
  op_begin(&c, req, OP_GETATTR);
  op_path(&c, dir, name);
  struct fuse_entry_param e;
  int64_t res = op_shape(&c);
  if (res) return reply_entry(&c, -res, &e);
  reply_entry(&c, do_lookup(c.m, dir, name, &e), &e);
}

void serve_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  ip_inodes_forget(&mount_of(req)->inodes, inode_of(req, ino), nlookup);
  fuse_reply_none(req);
}

void serve_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets) {
  ip_mount *m = mount_of(req);
  for (size_t i = 0; i < count; i++) ip_inodes_forget(&m->inodes, inode_of(req, forgets[i].ino), forgets[i].nlookup);
  fuse_reply_none(req);
}

/* ---- attributes ------------------------------------------------------------------------------- */

static int stat_inode(ip_inode *in, ip_handle *h, struct stat *st) {
  return h ? (int)sys(fstat(h->fd, st)) : (int)sys(fstatat(in->fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
}

void serve_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  ip_inode *in = inode_of(req, ino);
  ip_handle *h = fi ? handle_of(fi) : NULL;
  opctx c;
  op_begin(&c, req, OP_GETATTR);
  if (h) op_handle(&c, h);
  else op_path(&c, in, NULL);
  int64_t res = op_shape(&c);
  struct stat st;
  if (!res) res = stat_inode(in, h, &st);
  else res = -res;
  res = op_end(&c, res);
  if (res == 0) fuse_reply_attr(req, &st, c.m->attr_timeout);
  else fuse_reply_err(req, (int)-res);
}

/* One setattr request may carry several changes; each is its own row, as each is its own call on
 * the backing file system (chmod, chown, truncate, utimens). Returns 0 or -errno. */
static int64_t setattr_part(fuse_req_t req, ip_inode *in, ip_handle *h, int op, struct stat *attr, int valid) {
  opctx c;
  op_begin(&c, req, op);
  if (h) op_handle(&c, h);
  else op_path(&c, in, NULL);
  char proc[40];
  ip_inode_proc_path(in, proc);
  int64_t res;
  creds cr = {0};
  switch (op) {
  case OP_CHMOD:
    c.r.mode = (int32_t)attr->st_mode;
    if ((res = -op_shape(&c))) break;
    res = h ? sys(fchmod(h->fd, attr->st_mode)) : sys(chmod(proc, attr->st_mode));
    break;
  case OP_CHOWN: {
    uid_t uid = (valid & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1;
    gid_t gid = (valid & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1;
    if ((res = -op_shape(&c))) break;
    res = h ? sys(fchown(h->fd, uid, gid)) : sys(fchownat(in->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
    break;
  }
  case OP_TRUNCATE:
    c.r.size = attr->st_size;
    if ((res = -op_shape(&c))) break;
    /* As the caller: the backing file system then clears setuid/setgid exactly as for them. */
    creds_enter(req, c.m, &cr, 1);
    if (h) {
      res = sys(ftruncate(h->fd, attr->st_size));
    } else {
      int fd = open(proc, O_WRONLY | O_CLOEXEC);
      res = fd < 0 ? -errno : sys(ftruncate(fd, attr->st_size));
      if (fd >= 0) close(fd);
    }
    creds_leave(c.m, &cr);
    break;
  default: { /* OP_UTIMENS */
    struct timespec tv[2];
    tv[0] = (valid & FUSE_SET_ATTR_ATIME_NOW) ? (struct timespec){.tv_nsec = UTIME_NOW}
            : (valid & FUSE_SET_ATTR_ATIME)   ? attr->st_atim
                                              : (struct timespec){.tv_nsec = UTIME_OMIT};
    tv[1] = (valid & FUSE_SET_ATTR_MTIME_NOW) ? (struct timespec){.tv_nsec = UTIME_NOW}
            : (valid & FUSE_SET_ATTR_MTIME)   ? attr->st_mtim
                                              : (struct timespec){.tv_nsec = UTIME_OMIT};
    if ((res = -op_shape(&c))) break;
    if (h) {
      res = sys(futimens(h->fd, tv));
    } else if (S_ISLNK(in->type)) {
      /* The proc link would follow the symlink: go through its parent and name instead. */
      char path[PATH_MAX];
      ip_inodes_path(&c.m->inodes, in, NULL, path, sizeof(path));
      res = sys(utimensat(c.m->inodes.root.fd, path[1] ? path + 1 : ".", tv, AT_SYMLINK_NOFOLLOW));
    } else {
      res = sys(utimensat(AT_FDCWD, proc, tv, 0));
    }
    break;
  }
  }
  return op_end(&c, res);
}

void serve_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid, struct fuse_file_info *fi) {
  ip_inode *in = inode_of(req, ino);
  ip_handle *h = fi ? handle_of(fi) : NULL;
  int64_t res = 0;
  if (!res && (valid & FUSE_SET_ATTR_MODE)) res = setattr_part(req, in, h, OP_CHMOD, attr, valid);
  if (!res && (valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) res = setattr_part(req, in, h, OP_CHOWN, attr, valid);
  if (!res && (valid & FUSE_SET_ATTR_SIZE)) res = setattr_part(req, in, h, OP_TRUNCATE, attr, valid);
  if (!res && (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW)))
    res = setattr_part(req, in, h, OP_UTIMENS, attr, valid);
#if defined(FUSE_CAP_HANDLE_KILLPRIV_V2) && defined(FUSE_SET_ATTR_KILL_SUID)
  /* With KILLPRIV_V2 the kernel sets this bit (FATTR_KILL_SUIDGID) when an unprivileged caller's
   * change must clear setuid/setgid. A truncate already ran as the caller, and the backing file
   * system cleared them; anything else clears them here, as the backing file system would. */
  if (!res && (valid & FUSE_SET_ATTR_KILL_SUID) && !(valid & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_SIZE)) &&
      !S_ISDIR(in->type)) {
    struct stat now;
    if (stat_inode(in, h, &now) == 0) {
      struct stat cleared = now;
      cleared.st_mode &= ~(mode_t)(S_ISUID | ((now.st_mode & S_IXGRP) ? S_ISGID : 0));
      if (cleared.st_mode != now.st_mode) res = setattr_part(req, in, h, OP_CHMOD, &cleared, FUSE_SET_ATTR_MODE);
    }
  }
#endif
  if (res) {
    fuse_reply_err(req, (int)-res);
    return;
  }
  struct stat st;
  res = stat_inode(in, h, &st);
  if (res) fuse_reply_err(req, (int)-res);
  else fuse_reply_attr(req, &st, mount_of(req)->attr_timeout);
}

void serve_readlink(fuse_req_t req, fuse_ino_t ino) {
  ip_inode *in = inode_of(req, ino);
  opctx c;
  op_begin(&c, req, OP_READLINK);
  op_path(&c, in, NULL);
  c.r.size = PATH_MAX;
  char buf[PATH_MAX + 1];
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  ssize_t n = readlinkat(in->fd, "", buf, PATH_MAX);
  if (n >= 0) buf[n] = 0;
  res = op_end(&c, n < 0 ? -errno : 0);
  if (res == 0) fuse_reply_readlink(req, buf);
  else fuse_reply_err(req, (int)-res);
}

/* ---- names -------------------------------------------------------------------------------------- */

enum make_kind { MAKE_NODE, MAKE_DIR, MAKE_SYMLINK };

static void make_entry(fuse_req_t req, fuse_ino_t parent, const char *name, int op, mode_t mode, dev_t rdev,
                       const char *target) {
  ip_inode *dir = inode_of(req, parent);
  opctx c;
  op_begin(&c, req, op);
  op_path(&c, dir, name);
  if (op == OP_SYMLINK) c.r.path2 = target;
  else c.r.mode = (int32_t)mode;
  struct fuse_entry_param e;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  creds cr;
  creds_enter(req, c.m, &cr, 1);
  if (op == OP_MKDIR) res = sys(mkdirat(dir->fd, name, mode));
  else if (op == OP_SYMLINK) res = sys(symlinkat(target, dir->fd, name));
  else if (S_ISFIFO(mode)) res = sys(mkfifoat(dir->fd, name, mode));
  else res = sys(mknodat(dir->fd, name, mode, rdev));
  creds_leave(c.m, &cr);
  if (res == 0) res = do_lookup(c.m, dir, name, &e);
  res = op_end(&c, res);
  if (res == 0) fuse_reply_entry(req, &e);
  else fuse_reply_err(req, (int)-res);
}

void serve_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev) {
  make_entry(req, parent, name, OP_MKNOD, mode, rdev, NULL);
}

void serve_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode) {
  make_entry(req, parent, name, OP_MKDIR, mode, 0, NULL);
}

void serve_symlink(fuse_req_t req, const char *target, fuse_ino_t parent, const char *name) {
  make_entry(req, parent, name, OP_SYMLINK, 0, 0, target);
}

static void remove_name(fuse_req_t req, fuse_ino_t parent, const char *name, int op) {
  ip_inode *dir = inode_of(req, parent);
  opctx c;
  op_begin(&c, req, op);
  op_path(&c, dir, name);
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  /* The removed inode keeps its edge: open handles and unlinked-file ops keep its last path. */
  op_reply_err(&c, sys(unlinkat(dir->fd, name, op == OP_RMDIR ? AT_REMOVEDIR : 0)));
}

void serve_unlink(fuse_req_t req, fuse_ino_t parent, const char *name) { remove_name(req, parent, name, OP_UNLINK); }

void serve_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name) { remove_name(req, parent, name, OP_RMDIR); }

/* After a rename, the inode now at (dir, name) is reached by that name: move its edge (and with
 * it the paths of everything below it). */
static void follow_rename(ip_mount *m, ip_inode *dir, const char *name) {
  struct stat st;
  if (fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) ip_inodes_move_edge(&m->inodes, st.st_dev, st.st_ino, dir, name);
}

void serve_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent, const char *newname,
                  unsigned int flags) {
  ip_inode *from = inode_of(req, parent), *to = inode_of(req, newparent);
  opctx c;
  op_begin(&c, req, OP_RENAME);
  op_path(&c, from, name);
  op_path2(&c, to, newname);
  c.r.flags = (int32_t)flags;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  res = sys(renameat2(from->fd, name, to->fd, newname, flags));
  if (res == 0) {
    follow_rename(c.m, to, newname);
    if (flags & RENAME_EXCHANGE) follow_rename(c.m, from, name);
  }
  op_reply_err(&c, res);
}

void serve_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname) {
  ip_inode *in = inode_of(req, ino), *dir = inode_of(req, newparent);
  opctx c;
  op_begin(&c, req, OP_LINK);
  op_path(&c, in, NULL);
  op_path2(&c, dir, newname);
  struct fuse_entry_param e;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  char proc[40];
  ip_inode_proc_path(in, proc);
  res = sys(linkat(AT_FDCWD, proc, dir->fd, newname, AT_SYMLINK_FOLLOW));
  if (res == 0) res = do_lookup(c.m, dir, newname, &e);
  res = op_end(&c, res);
  if (res == 0) fuse_reply_entry(req, &e);
  else fuse_reply_err(req, (int)-res);
}

/* ---- files -------------------------------------------------------------------------------------- */

/* Open flags for the backing file: with the writeback cache the kernel also reads pages of files
 * opened write-only and does O_APPEND itself. */
static int backing_flags(ip_mount *m, int flags) {
  flags &= ~(O_NOFOLLOW | O_CREAT | O_EXCL | O_NOCTTY);
  if (m->writeback_cache) {
    if ((flags & O_ACCMODE) == O_WRONLY) flags = (flags & ~O_ACCMODE) | O_RDWR;
    flags &= ~O_APPEND;
  }
  return flags | O_CLOEXEC;
}

/* Ties a freshly opened fd to a handle in fi. 0 or -errno (fd closed). */
static int attach_handle(opctx *c, int fd, const char *path, int flags, struct fuse_file_info *fi) {
  ip_handle *h = handle_new(fd, path);
  if (!h) {
    close(fd);
    return -ENOMEM;
  }
  struct stat st;
  h->direct = (flags & O_DIRECT) != 0;
  h->kill_privs = fstat(fd, &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID)) != 0;
  fi->fh = (uint64_t)(uintptr_t)h;
  fi->keep_cache = c->m->keep_cache;
  c->r.fh = h->id;
  return 0;
}

void serve_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  ip_inode *in = inode_of(req, ino);
  opctx c;
  op_begin(&c, req, OP_OPEN);
  char path[PATH_MAX];
  ip_inodes_path(&c.m->inodes, in, NULL, path, sizeof(path));
  c.r.path = path;
  c.r.flags = fi->flags;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  char proc[40];
  ip_inode_proc_path(in, proc);
  /* O_TRUNC as the caller, so the backing file system clears setuid/setgid as it would for them. */
  creds cr = {0};
  if (fi->flags & O_TRUNC) creds_enter(req, c.m, &cr, 1);
  int fd = open(proc, backing_flags(c.m, fi->flags));
  if (fi->flags & O_TRUNC) creds_leave(c.m, &cr);
  res = fd < 0 ? -errno : attach_handle(&c, fd, path, fi->flags, fi);
  res = op_end(&c, res);
  if (res == 0) {
    if (fuse_reply_open(req, fi) == -ENOENT) { /* the caller was interrupted: nobody will release */
      ip_handle *h = handle_of(fi);
      close(h->fd);
      free(h);
    }
  } else {
    fuse_reply_err(req, (int)-res);
  }
}

void serve_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi) {
  ip_inode *dir = inode_of(req, parent);
  opctx c;
  op_begin(&c, req, OP_CREATE);
  char path[PATH_MAX];
  ip_inodes_path(&c.m->inodes, dir, name, path, sizeof(path));
  c.r.path = path;
  c.r.flags = fi->flags;
  c.r.mode = (int32_t)mode;
  struct fuse_entry_param e;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  creds cr;
  creds_enter(req, c.m, &cr, 1);
  int fd = openat(dir->fd, name, backing_flags(c.m, fi->flags) | O_CREAT | (fi->flags & O_EXCL), mode);
  creds_leave(c.m, &cr);
  res = fd < 0 ? -errno : attach_handle(&c, fd, path, fi->flags, fi);
  if (res == 0) {
    res = do_lookup(c.m, dir, name, &e);
    if (res != 0) {
      ip_handle *h = handle_of(fi);
      close(h->fd);
      free(h);
    }
  }
  res = op_end(&c, res);
  if (res == 0) {
    if (fuse_reply_create(req, &e, fi) == -ENOENT) {
      ip_handle *h = handle_of(fi);
      close(h->fd);
      free(h);
      ip_inodes_forget(&c.m->inodes, (ip_inode *)(uintptr_t)e.ino, 1);
    }
  } else {
    fuse_reply_err(req, (int)-res);
  }
}

/* Over FUSE io_uring the reply travels in a page-aligned buffer the request already owns: reading
 * straight into it saves copying every byte once more. NULL over /dev/fuse or when it is too
 * small. */
static char *ring_payload(fuse_req_t req, size_t len) {
#ifdef FUSE_CAP_OVER_IO_URING
  char *payload;
  size_t capacity;
  if (fuse_req_is_uring(req) && fuse_req_get_payload(req, &payload, &capacity, NULL) == 0 && capacity >= len &&
      ip_is_direct_aligned(payload))
    return payload;
#else
  (void)req;
  (void)len;
#endif
  return NULL;
}

/* Below this a read is cheaper to copy than to splice (four system calls instead of two). */
#define SPLICE_MIN_BYTES (64 * 1024)

/* A large read over /dev/fuse as page references (splice_pipe.h). Replies and returns 1 when the
 * whole read went through a pipe; returns 0, with nothing recorded or replied, for the buffer path
 * to do it instead (a backing file system without splice, an error, a pipe too small): the file's
 * offset is untouched, so that path reads the same bytes again. */
static int read_by_splice(opctx *c, ip_handle *h, size_t len, off_t off) {
  ip_pipe *p = ip_pipe_get(len + 4096); /* an unaligned offset spans one page more */
  if (!p) return 0;
  size_t total = 0;
  loff_t pos = off;
  while (total < len) {
    ssize_t n = splice(h->fd, &pos, p->write_fd, NULL, len - total, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n > 0) total += (size_t)n;
    else if (n == 0) break; /* end of file */
    else if (errno != EINTR) {
      /* Empty, it can serve the next read (a backing file system without splice says EINVAL on
       * every read: no new pipe each time); with bytes in it, it must go. */
      if (total == 0) ip_pipe_put(p);
      else ip_pipe_discard(p);
      return 0;
    }
  }
  op_end(c, (int64_t)total); /* records the byte count */
  struct fuse_bufvec reply = FUSE_BUFVEC_INIT(total);
  reply.buf[0].flags = FUSE_BUF_IS_FD;
  reply.buf[0].fd = p->read_fd;
  int err = total ? fuse_reply_data(c->req, &reply, FUSE_BUF_SPLICE_MOVE) : fuse_reply_buf(c->req, NULL, 0);
  /* A failed reply may leave bytes in the pipe that must never reach another read. */
  if (err) ip_pipe_discard(p);
  else ip_pipe_put(p);
  return 1;
}

void serve_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, req, OP_READ);
  ip_transport_on_request(&c.m->transport, req, size >= IP_SPREAD_READ_MIN && !h->direct);
  op_handle(&c, h);
  c.r.offset = off;
  c.r.size = (int64_t)size;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  size_t len = shaped_len(&c, size);
  char *buf = ring_payload(req, len);
  /* Not for O_DIRECT backing files (their reads keep the aligned buffer's exact behaviour) nor for
   * bytes a fault rule corrupts (they must be in memory). */
  if (!buf && c.m->splice_reads && len >= SPLICE_MIN_BYTES && !h->direct && !c.v.corrupt_count &&
      read_by_splice(&c, h, len, off))
    return;
  /* Otherwise a pooled page-aligned scratch buffer: fit for O_DIRECT backing files, and no
   * malloc. */
  ip_scratch *scratch = NULL;
  if (!buf) {
    scratch = ip_scratch_get(len ? len : 1);
    if (!scratch) return op_reply_err(&c, -ENOMEM);
    buf = scratch->data;
  }
  res = sys(pread(h->fd, buf, len, off));
  if (res > 0 && c.v.corrupt_count) corrupt(&c, buf, res);
  res = op_end(&c, res); /* records the byte count */
  if (res < 0) {
    fuse_reply_err(req, (int)-res);
  } else {
    /* fuse_reply_data copies nothing when the buffer already is the ring's payload. */
    struct fuse_bufvec reply = FUSE_BUFVEC_INIT((size_t)res);
    reply.buf[0].mem = buf;
    fuse_reply_data(req, &reply, FUSE_BUF_NO_SPLICE);
  }
  ip_scratch_put(scratch);
}

void serve_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, req, OP_WRITE);
  op_handle(&c, h);
  c.r.offset = off;
  c.r.size = (int64_t)size;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  size_t len = shaped_len(&c, size);
  /* The caller's buffer is not ours to change, so corruption works on a copy; O_DIRECT needs an
   * aligned one. */
  const char *data = buf;
  ip_scratch *copy = NULL;
  if (c.v.corrupt_count || (h->direct && !ip_is_direct_aligned(buf))) {
    copy = ip_scratch_get(len ? len : 1);
    if (!copy) return op_reply_err(&c, -ENOMEM);
    memcpy(copy->data, buf, len);
    corrupt(&c, copy->data, (int64_t)len);
    data = copy->data;
  }
  /* An unprivileged writer's write clears setuid/setgid on the backing file, as on the plain
   * directory; kernel write-back (FUSE_WRITE_CACHE) carries no writer to act for. */
  creds cr = {0};
  int as_caller = h->kill_privs && !fi->writepage;
  if (as_caller) creds_enter(req, c.m, &cr, 1);
  res = sys(pwrite(h->fd, data, len, off));
  if (as_caller) creds_leave(c.m, &cr);
  ip_scratch_put(copy);
  res = op_end(&c, res);
  if (res >= 0) fuse_reply_write(req, (size_t)res);
  else fuse_reply_err(req, (int)-res);
}

void serve_statfs(fuse_req_t req, fuse_ino_t ino) {
  ip_inode *in = inode_of(req, ino);
  opctx c;
  op_begin(&c, req, OP_STATFS);
  op_path(&c, in, NULL);
  struct statvfs st;
  int64_t res = op_shape(&c);
  if (!res) res = sys(fstatvfs(in->fd, &st));
  else res = -res;
  res = op_end(&c, res);
  if (res == 0) fuse_reply_statfs(req, &st);
  else fuse_reply_err(req, (int)-res);
}

void serve_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, req, OP_FLUSH);
  op_handle(&c, h);
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  /* close() of a dup reports delayed write errors (NFS) without closing our fd. */
  int fd = dup(h->fd);
  op_reply_err(&c, fd < 0 ? -errno : sys(close(fd)));
}

void serve_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, req, OP_RELEASE);
  op_handle(&c, h);
  op_shape(&c); /* release cannot fail: a verdict may delay it, never skip it */
  close(h->fd);
  op_end(&c, 0);
  free(h);
  fuse_reply_err(req, 0);
}

void serve_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, req, OP_FSYNC);
  op_handle(&c, h);
  c.r.flags = datasync;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  op_reply_err(&c, sys(datasync ? fdatasync(h->fd) : fsync(h->fd)));
}

/* ---- extended attributes: no fd form works on O_PATH fds, so through /proc/self/fd ------------ */

void serve_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size, int flags) {
  ip_inode *in = inode_of(req, ino);
  opctx c;
  op_begin(&c, req, OP_SETXATTR);
  op_path(&c, in, NULL);
  c.r.path2 = name;
  c.r.size = (int64_t)size;
  c.r.flags = flags;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  char proc[40];
  ip_inode_proc_path(in, proc);
  op_reply_err(&c, sys(setxattr(proc, name, value, size, flags)));
}

/* getxattr and listxattr share a reply: the size when asked for 0 bytes, else the bytes. */
static void reply_xattr(opctx *c, int64_t res, size_t size, const char *buf) {
  res = op_end(c, res);
  if (res < 0) fuse_reply_err(c->req, (int)-res);
  else if (size == 0) fuse_reply_xattr(c->req, (size_t)res);
  else fuse_reply_buf(c->req, buf, (size_t)res);
}

void serve_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size) {
  ip_inode *in = inode_of(req, ino);
  opctx c;
  op_begin(&c, req, OP_GETXATTR);
  op_path(&c, in, NULL);
  c.r.path2 = name;
  c.r.size = (int64_t)size;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  ip_scratch *scratch = size ? ip_scratch_get(size) : NULL;
  if (size && !scratch) return op_reply_err(&c, -ENOMEM);
  char *buf = scratch ? scratch->data : NULL;
  char proc[40];
  ip_inode_proc_path(in, proc);
  reply_xattr(&c, sys(getxattr(proc, name, buf, size)), size, buf);
  ip_scratch_put(scratch);
}

void serve_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  ip_inode *in = inode_of(req, ino);
  opctx c;
  op_begin(&c, req, OP_LISTXATTR);
  op_path(&c, in, NULL);
  c.r.size = (int64_t)size;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  ip_scratch *scratch = size ? ip_scratch_get(size) : NULL;
  if (size && !scratch) return op_reply_err(&c, -ENOMEM);
  char *buf = scratch ? scratch->data : NULL;
  char proc[40];
  ip_inode_proc_path(in, proc);
  reply_xattr(&c, sys(listxattr(proc, buf, size)), size, buf);
  ip_scratch_put(scratch);
}

void serve_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name) {
  ip_inode *in = inode_of(req, ino);
  opctx c;
  op_begin(&c, req, OP_REMOVEXATTR);
  op_path(&c, in, NULL);
  c.r.path2 = name;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  char proc[40];
  ip_inode_proc_path(in, proc);
  op_reply_err(&c, sys(removexattr(proc, name)));
}

/* ---- directories -------------------------------------------------------------------------------- */

void serve_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  ip_inode *in = inode_of(req, ino);
  opctx c;
  op_begin(&c, req, OP_OPENDIR);
  char path[PATH_MAX];
  ip_inodes_path(&c.m->inodes, in, NULL, path, sizeof(path));
  c.r.path = path;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  int fd = openat(in->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return op_reply_err(&c, -errno);
  ip_handle *h = handle_new(fd, path);
  DIR *d = h ? fdopendir(fd) : NULL;
  if (!d) {
    int err = h ? errno : ENOMEM;
    close(fd);
    free(h);
    return op_reply_err(&c, -err);
  }
  h->dir = d;
  fi->fh = (uint64_t)(uintptr_t)h;
  fi->cache_readdir = c.m->keep_cache && c.m->entry_timeout > 0;
  c.r.fh = h->id;
  res = op_end(&c, 0);
  if (fuse_reply_open(req, fi) == -ENOENT) {
    closedir(h->dir);
    free(h);
  }
}

static int is_dot_or_dotdot(const char *name) {
  return name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0));
}

/* readdir and readdirplus: one row per request; entries = how many names it returned. With plus,
 * every name but . and .. is looked up (one kernel reference each, as a lookup would give). */
static void read_directory(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi, int plus) {
  ip_handle *h = handle_of(fi);
  ip_inode *dir = inode_of(req, ino);
  opctx c;
  op_begin(&c, req, OP_READDIR);
  op_handle(&c, h);
  c.r.offset = off;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  char *buf = calloc(1, size ? size : 1);
  if (!buf) return op_reply_err(&c, -ENOMEM);
  if (off != h->dir_offset) {
    seekdir(h->dir, off);
    h->dir_pending = NULL;
    h->dir_offset = off;
  }
  size_t used = 0;
  int64_t entries = 0;
  int err = 0;
  for (;;) {
    struct dirent *e = h->dir_pending;
    if (!e) {
      errno = 0;
      e = readdir(h->dir);
      if (!e) {
        err = errno;
        break;
      }
      h->dir_pending = e;
    }
    size_t added;
    if (plus) {
      struct fuse_entry_param ep = {0};
      int looked_up = 0;
      if (is_dot_or_dotdot(e->d_name)) {
        ep.attr.st_ino = e->d_ino;
        ep.attr.st_mode = (mode_t)DTTOIF(e->d_type);
      } else {
        int r = do_lookup(c.m, dir, e->d_name, &ep);
        if (r == -ENOENT) { /* gone since readdir saw it */
          h->dir_pending = NULL;
          h->dir_offset = e->d_off;
          continue;
        }
        if (r != 0) {
          err = -r;
          break;
        }
        looked_up = 1;
      }
      added = fuse_add_direntry_plus(req, buf + used, size - used, e->d_name, &ep, e->d_off);
      if (added > size - used && looked_up) ip_inodes_forget(&c.m->inodes, (ip_inode *)(uintptr_t)ep.ino, 1);
    } else {
      struct stat st = {.st_ino = e->d_ino, .st_mode = (mode_t)DTTOIF(e->d_type)};
      added = fuse_add_direntry(req, buf + used, size - used, e->d_name, &st, e->d_off);
    }
    if (added > size - used) break; /* full: this entry goes first in the next reply */
    used += added;
    entries++;
    h->dir_pending = NULL;
    h->dir_offset = e->d_off;
  }
  c.r.size = entries;
  /* An error after some names were sent is reported with the next request. */
  res = op_end(&c, err && entries == 0 ? -err : 0);
  if (res < 0) fuse_reply_err(req, (int)-res);
  else fuse_reply_buf(req, buf, used);
  free(buf);
}

void serve_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  read_directory(req, ino, size, off, fi, 0);
}

void serve_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  read_directory(req, ino, size, off, fi, 1);
}

void serve_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, req, OP_RELEASEDIR);
  op_handle(&c, h);
  op_shape(&c);
  closedir(h->dir);
  op_end(&c, 0);
  free(h);
  fuse_reply_err(req, 0);
}

void serve_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, req, OP_FSYNCDIR);
  op_handle(&c, h);
  c.r.flags = datasync; /* 1 for fdatasync-style: the trace tells the two apart */
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  int fd = dirfd(h->dir);
  op_reply_err(&c, sys(datasync ? fdatasync(fd) : fsync(fd)));
}

void serve_access(fuse_req_t req, fuse_ino_t ino, int mask) {
  ip_inode *in = inode_of(req, ino);
  opctx c;
  op_begin(&c, req, OP_ACCESS);
  op_path(&c, in, NULL);
  c.r.flags = mask;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  char proc[40];
  ip_inode_proc_path(in, proc);
  op_reply_err(&c, sys(faccessat(AT_FDCWD, proc, mask, 0)));
}

void serve_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, req, OP_FALLOCATE);
  op_handle(&c, h);
  c.r.offset = off;
  c.r.size = len;
  c.r.mode = mode;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  op_reply_err(&c, sys(fallocate(h->fd, mode, off, len)));
}

void serve_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, struct fuse_file_info *fi_in,
                           fuse_ino_t ino_out, off_t off_out, struct fuse_file_info *fi_out, size_t len, int flags) {
  ip_handle *in = handle_of(fi_in), *out = handle_of(fi_out);
  opctx c;
  op_begin(&c, req, OP_COPY_FILE_RANGE);
  op_handle(&c, in);
  c.r.path2 = out->path;
  c.r.offset = off_in;
  c.r.size = (int64_t)len;
  c.r.flags = flags;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  loff_t oi = off_in, oo = off_out;
  res = op_end(&c, sys(copy_file_range(in->fd, &oi, out->fd, &oo, shaped_len(&c, len), (unsigned)flags)));
  if (res >= 0) fuse_reply_write(req, (size_t)res);
  else fuse_reply_err(req, (int)-res);
}

void serve_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi) {
  ip_handle *h = handle_of(fi);
  opctx c;
  op_begin(&c, req, OP_LSEEK);
  op_handle(&c, h);
  c.r.offset = off;
  c.r.flags = whence;
  int64_t res = op_shape(&c);
  if (res) return op_reply_err(&c, -res);
  res = op_end(&c, sys(lseek(h->fd, off, whence)));
  if (res >= 0) fuse_reply_lseek(req, res);
  else fuse_reply_err(req, (int)-res);
}

/* Asks for (or declines) a connection capability. libfuse >= 3.17 keeps them in want_ext and
 * refuses an init that changed both want and want_ext, and transport.c uses want_ext there. */
static void want_capability(struct fuse_conn_info *conn, uint64_t flag, int on) {
#if FUSE_VERSION >= FUSE_MAKE_VERSION(3, 17)
  if (on) fuse_set_feature_flag(conn, flag);
  else fuse_unset_feature_flag(conn, flag);
#else
  if (on) conn->want |= (unsigned)flag;
  else conn->want &= ~(unsigned)flag;
#endif
}

void serve_init(void *userdata, struct fuse_conn_info *conn) {
  ip_mount *m = userdata;
  /* Large requests: 1 MiB writes instead of 128 KiB. */
  conn->max_write = 1 << 20;
  conn->max_readahead = 1 << 20;
  /* O_TRUNC arrives with the open instead of as a separate setattr: one row, not two. */
  if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) want_capability(conn, FUSE_CAP_ATOMIC_O_TRUNC, 1);
  /* backing_flags() must know whether the kernel really does write-back. */
  m->writeback_cache = m->writeback_cache && (conn->capable & FUSE_CAP_WRITEBACK_CACHE);
  want_capability(conn, FUSE_CAP_WRITEBACK_CACHE, m->writeback_cache);
  /* Large reads over /dev/fuse go out as spliced pages (read_by_splice). */
  m->splice_reads = (conn->capable & FUSE_CAP_SPLICE_WRITE) != 0;
  if (m->splice_reads) want_capability(conn, FUSE_CAP_SPLICE_WRITE, 1);
#ifdef FUSE_CAP_HANDLE_KILLPRIV_V2
  /* The kernel then leaves clearing setuid/setgid on write, truncate and open(O_TRUNC) to us (we
   * act as the caller, so the backing file system does it as it would for them) instead of
   * asking for security.capability before every write. */
  if (conn->capable & FUSE_CAP_HANDLE_KILLPRIV_V2) want_capability(conn, FUSE_CAP_HANDLE_KILLPRIV_V2, 1);
#endif
  ip_transport_on_init(&m->transport, conn);
}

void serve_destroy(void *userdata) { (void)userdata; }
