/*
 * The handlers that serve each FUSE request on the backing file system (passthrough.c). They
 * run where dispatch.c sends them: on the thread that received the request (a /dev/fuse worker
 * or an io_uring ring thread), or on an offload thread when the request may wait (offload.h).
 * Their arguments are libfuse's lowlevel ones.
 */
#ifndef INTERPOSER_SERVE_H
#define INTERPOSER_SERVE_H

#include <dirent.h>
#include <fuse_lowlevel.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* An open file or directory: the backing fd plus what the trace needs to name it. The path is
 * the one it was opened by, so an open file keeps it after an unlink or a rename. */
typedef struct ip_handle {
  int fd;
  int direct;      /* opened with O_DIRECT: transfers need an aligned buffer */
  int kill_privs;  /* the file had setuid/setgid bits at open: unprivileged writes clear them */
  DIR *dir;        /* directories only */
  off_t dir_offset;
  struct dirent *dir_pending; /* entry read but not yet sent (the reply buffer was full) */
  int64_t id;
  char path[];
} ip_handle;

static inline ip_handle *handle_of(struct fuse_file_info *fi) { return (ip_handle *)(uintptr_t)fi->fh; }

void serve_init(void *userdata, struct fuse_conn_info *conn);
void serve_destroy(void *userdata);
void serve_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void serve_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void serve_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets);
void serve_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void serve_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid, struct fuse_file_info *fi);
void serve_readlink(fuse_req_t req, fuse_ino_t ino);
void serve_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev);
void serve_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void serve_symlink(fuse_req_t req, const char *target, fuse_ino_t parent, const char *name);
void serve_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void serve_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void serve_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent, const char *newname,
                  unsigned int flags);
void serve_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname);
void serve_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void serve_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi);
void serve_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void serve_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off, struct fuse_file_info *fi);
void serve_statfs(fuse_req_t req, fuse_ino_t ino);
void serve_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void serve_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void serve_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void serve_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size, int flags);
void serve_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void serve_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void serve_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);
void serve_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void serve_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void serve_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void serve_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void serve_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void serve_access(fuse_req_t req, fuse_ino_t ino, int mask);
void serve_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len, struct fuse_file_info *fi);
void serve_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, struct fuse_file_info *fi_in,
                           fuse_ino_t ino_out, off_t off_out, struct fuse_file_info *fi_out, size_t len, int flags);
void serve_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi);

#endif
