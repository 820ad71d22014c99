/*
 * c-passthrough: a small libfuse3 passthrough file system, the native baseline of the
 * interposer benchmarks.
 *
 *   c-passthrough <backing-dir> <mountpoint> [fuse options]   e.g. -f -o allow_other,default_permissions
 *
 * High-level API, path based: every path is resolved relative to an fd of the backing
 * directory (openat/fstatat/...), so the mount may even sit on top of its own backing dir.
 * Open files keep their backing fd in fi->fh and all data ops (read/write/fsync/fallocate/
 * ftruncate/fstat) go to that fd. Caching is left at the libfuse defaults (entry/attr
 * timeout 1 s, no kernel_cache/auto_cache, no writeback cache) so the comparison with
 * other FUSE implementations is fair; they can be changed with the usual -o options.
 *
 * Build: gcc -O2 -Wall passthrough.c $(pkg-config fuse3 --cflags --libs) -o c-passthrough
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE

#include <fuse.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

static int backing_fd = -1;
static char backing_path[PATH_MAX];

/*
 * O_DIRECT: the backing file wants a block-aligned buffer and libfuse's never are (they follow
 * the request header), so those transfers bounce through a per-thread aligned buffer. The
 * O_DIRECT bit rides in fi->fh above the fd ((int)fi->fh is still the fd).
 */
#define DIRECT_ALIGN 4096
#define FH_DIRECT (1ULL << 32)

static uint64_t file_handle(int fd, int flags)
{
	return (uint64_t)fd | ((flags & O_DIRECT) ? FH_DIRECT : 0);
}

static int is_direct(const struct fuse_file_info *fi) { return (fi->fh & FH_DIRECT) != 0; }

static int aligned(const void *p) { return ((uintptr_t)p & (DIRECT_ALIGN - 1)) == 0; }

static __thread char *scratch;
static __thread size_t scratch_size;

/* Leaks one buffer per exited worker thread: fine for a benchmark baseline. */
static char *aligned_scratch(size_t size)
{
	if (scratch_size >= size)
		return scratch;
	void *p = NULL;
	if (posix_memalign(&p, DIRECT_ALIGN, size) != 0)
		return NULL;
	free(scratch);
	scratch = p;
	scratch_size = size;
	return scratch;
}

/* FUSE paths are absolute inside the mount; the *at() calls want them relative to backing_fd. */
static const char *rel(const char *path)
{
	if (path == NULL || path[0] == '\0' || (path[0] == '/' && path[1] == '\0'))
		return ".";
	return path[0] == '/' ? path + 1 : path;
}

/* xattr syscalls have no *at() form: build an absolute backing path. */
static int abs_path(char *out, size_t size, const char *path)
{
	int n = snprintf(out, size, "%s%s", backing_path, path);
	return (n < 0 || (size_t)n >= size) ? -ENAMETOOLONG : 0;
}

static void *pt_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* Inode numbers come from libfuse, not the backing fs (use_ino off), like most
	 * path-based passthroughs; nullpath_ok lets fh-based ops run after an unlink. */
	cfg->use_ino = 0;
	cfg->nullpath_ok = 1;
	/* Large writes: the kernel may send up to 1 MiB per WRITE (capped by libfuse's
	 * buffer and the kernel's max_pages). max_read is a mount option (-o max_read=N)
	 * and must match it, so it is left unlimited here. */
	conn->max_write = 1024 * 1024;
	/* No writeback cache: writes reach the daemon synchronously, as in the other rows. */
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	return NULL;
}

static int pt_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	int res = fi ? fstat((int)fi->fh, st) : fstatat(backing_fd, rel(path), st, AT_SYMLINK_NOFOLLOW);
	return res == -1 ? -errno : 0;
}

static int pt_access(const char *path, int mask)
{
	return faccessat(backing_fd, rel(path), mask, 0) == -1 ? -errno : 0;
}

static int pt_readlink(const char *path, char *buf, size_t size)
{
	if (size == 0)
		return -EINVAL;
	ssize_t n = readlinkat(backing_fd, rel(path), buf, size - 1);
	if (n == -1)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int pt_opendir(const char *path, struct fuse_file_info *fi)
{
	int fd = openat(backing_fd, rel(path), O_RDONLY | O_DIRECTORY);
	if (fd == -1)
		return -errno;
	DIR *dir = fdopendir(fd);
	if (dir == NULL) {
		int err = errno;
		close(fd);
		return -err;
	}
	fi->fh = (uint64_t)(uintptr_t)dir;
	return 0;
}

static int pt_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t offset,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)path;
	(void)flags;
	DIR *dir = (DIR *)(uintptr_t)fi->fh;
	/* Offset-aware: a large directory may be read in several calls. */
	if (offset == 0)
		rewinddir(dir);
	else
		seekdir(dir, offset);
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(dir);
		if (de == NULL)
			return errno ? -errno : 0;
		struct stat st;
		memset(&st, 0, sizeof(st));
		st.st_ino = de->d_ino;
		st.st_mode = (mode_t)de->d_type << 12;
		if (filler(buf, de->d_name, &st, telldir(dir), 0))
			return 0;
	}
}

static int pt_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	closedir((DIR *)(uintptr_t)fi->fh);
	return 0;
}

static int pt_mknod(const char *path, mode_t mode, dev_t rdev)
{
	return mknodat(backing_fd, rel(path), mode, rdev) == -1 ? -errno : 0;
}

static int pt_mkdir(const char *path, mode_t mode)
{
	return mkdirat(backing_fd, rel(path), mode) == -1 ? -errno : 0;
}

static int pt_unlink(const char *path)
{
	return unlinkat(backing_fd, rel(path), 0) == -1 ? -errno : 0;
}

static int pt_rmdir(const char *path)
{
	return unlinkat(backing_fd, rel(path), AT_REMOVEDIR) == -1 ? -errno : 0;
}

static int pt_symlink(const char *target, const char *path)
{
	return symlinkat(target, backing_fd, rel(path)) == -1 ? -errno : 0;
}

static int pt_rename(const char *from, const char *to, unsigned int flags)
{
	/* flags are RENAME_NOREPLACE / RENAME_EXCHANGE, passed straight to renameat2. */
	return renameat2(backing_fd, rel(from), backing_fd, rel(to), flags) == -1 ? -errno : 0;
}

static int pt_link(const char *from, const char *to)
{
	return linkat(backing_fd, rel(from), backing_fd, rel(to), 0) == -1 ? -errno : 0;
}

static int pt_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int res = fi ? fchmod((int)fi->fh, mode) : fchmodat(backing_fd, rel(path), mode, 0);
	return res == -1 ? -errno : 0;
}

static int pt_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	int res = fi ? fchown((int)fi->fh, uid, gid)
		     : fchownat(backing_fd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW);
	return res == -1 ? -errno : 0;
}

static int pt_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	if (fi)
		return ftruncate((int)fi->fh, size) == -1 ? -errno : 0;
	int fd = openat(backing_fd, rel(path), O_WRONLY);
	if (fd == -1)
		return -errno;
	int res = ftruncate(fd, size) == -1 ? -errno : 0;
	close(fd);
	return res;
}

static int pt_utimens(const char *path, const struct timespec ts[2], struct fuse_file_info *fi)
{
	int res = fi ? futimens((int)fi->fh, ts)
		     : utimensat(backing_fd, rel(path), ts, AT_SYMLINK_NOFOLLOW);
	return res == -1 ? -errno : 0;
}

static int pt_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int fd = openat(backing_fd, rel(path), fi->flags | O_CREAT, mode);
	if (fd == -1)
		return -errno;
	fi->fh = file_handle(fd, fi->flags);
	return 0;
}

static int pt_open(const char *path, struct fuse_file_info *fi)
{
	int fd = openat(backing_fd, rel(path), fi->flags);
	if (fd == -1)
		return -errno;
	fi->fh = file_handle(fd, fi->flags);
	return 0;
}

static int pt_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
{
	(void)path;
	if (is_direct(fi) && !aligned(buf)) {
		char *bounce = aligned_scratch(size);
		if (!bounce)
			return -ENOMEM;
		ssize_t n = pread((int)fi->fh, bounce, size, offset);
		if (n > 0)
			memcpy(buf, bounce, (size_t)n);
		return n == -1 ? -errno : (int)n;
	}
	ssize_t n = pread((int)fi->fh, buf, size, offset);
	return n == -1 ? -errno : (int)n;
}

static int pt_write(const char *path, const char *buf, size_t size, off_t offset,
		    struct fuse_file_info *fi)
{
	(void)path;
	if (is_direct(fi) && !aligned(buf)) {
		char *bounce = aligned_scratch(size);
		if (!bounce)
			return -ENOMEM;
		memcpy(bounce, buf, size);
		buf = bounce;
	}
	ssize_t n = pwrite((int)fi->fh, buf, size, offset);
	return n == -1 ? -errno : (int)n;
}

static int pt_statfs(const char *path, struct statvfs *st)
{
	(void)path;
	return fstatvfs(backing_fd, st) == -1 ? -errno : 0;
}

static int pt_flush(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	/* Called on every close(2) of a descriptor: closing a dup reports deferred write
	 * errors (NFS-style backing stores) and drops POSIX locks, like close would. */
	int fd = dup((int)fi->fh);
	if (fd == -1)
		return -errno;
	return close(fd) == -1 ? -errno : 0;
}

static int pt_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close((int)fi->fh);
	return 0;
}

static int pt_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	int res = datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh);
	return res == -1 ? -errno : 0;
}

static int pt_fallocate(const char *path, int mode, off_t offset, off_t length, struct fuse_file_info *fi)
{
	(void)path;
	return fallocate((int)fi->fh, mode, offset, length) == -1 ? -errno : 0;
}

static int pt_setxattr(const char *path, const char *name, const char *value, size_t size, int flags)
{
	char p[PATH_MAX];
	int err = abs_path(p, sizeof(p), path);
	if (err)
		return err;
	return lsetxattr(p, name, value, size, flags) == -1 ? -errno : 0;
}

static int pt_getxattr(const char *path, const char *name, char *value, size_t size)
{
	char p[PATH_MAX];
	int err = abs_path(p, sizeof(p), path);
	if (err)
		return err;
	ssize_t n = lgetxattr(p, name, value, size);
	return n == -1 ? -errno : (int)n;
}

static int pt_listxattr(const char *path, char *list, size_t size)
{
	char p[PATH_MAX];
	int err = abs_path(p, sizeof(p), path);
	if (err)
		return err;
	ssize_t n = llistxattr(p, list, size);
	return n == -1 ? -errno : (int)n;
}

static int pt_removexattr(const char *path, const char *name)
{
	char p[PATH_MAX];
	int err = abs_path(p, sizeof(p), path);
	if (err)
		return err;
	return lremovexattr(p, name) == -1 ? -errno : 0;
}

static const struct fuse_operations pt_ops = {
	.init = pt_init,
	.getattr = pt_getattr,
	.access = pt_access,
	.readlink = pt_readlink,
	.opendir = pt_opendir,
	.readdir = pt_readdir,
	.releasedir = pt_releasedir,
	.mknod = pt_mknod,
	.mkdir = pt_mkdir,
	.unlink = pt_unlink,
	.rmdir = pt_rmdir,
	.symlink = pt_symlink,
	.rename = pt_rename,
	.link = pt_link,
	.chmod = pt_chmod,
	.chown = pt_chown,
	.truncate = pt_truncate,
	.utimens = pt_utimens,
	.create = pt_create,
	.open = pt_open,
	.read = pt_read,
	.write = pt_write,
	.statfs = pt_statfs,
	.flush = pt_flush,
	.release = pt_release,
	.fsync = pt_fsync,
	.fallocate = pt_fallocate,
	.setxattr = pt_setxattr,
	.getxattr = pt_getxattr,
	.listxattr = pt_listxattr,
	.removexattr = pt_removexattr,
};

int main(int argc, char *argv[])
{
	if (argc < 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s <backing-dir> <mountpoint> [fuse options]\n", argv[0]);
		return 2;
	}
	if (realpath(argv[1], backing_path) == NULL) {
		perror(argv[1]);
		return 1;
	}
	backing_fd = open(backing_path, O_RDONLY | O_DIRECTORY);
	if (backing_fd == -1) {
		perror(backing_path);
		return 1;
	}
	/* Files are created with exactly the mode the caller asked for. */
	umask(0);
	/* Drop the backing-dir argument; the rest is libfuse's (mountpoint, -f, -o ...). */
	argv[1] = argv[0];
	return fuse_main(argc - 1, argv + 1, &pt_ops, NULL);
}
