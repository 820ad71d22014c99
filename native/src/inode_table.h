/*
 * The inode table of the low-level data path: one entry per backing (st_dev, st_ino), so hard
 * links share one kernel inode and attribute caching stays correct across names. Each entry
 * holds an O_PATH fd (every inode op works through it, also after the last name is gone), the
 * kernel's lookup count, and one (parent, name) edge from which trace paths are built.
 *
 * The FUSE node id of an entry is its address; FUSE_ROOT_ID maps to the root entry.
 */
#ifndef INTERPOSER_INODE_TABLE_H
#define INTERPOSER_INODE_TABLE_H

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef struct ip_inode {
  int fd; /* O_PATH | O_NOFOLLOW */
  dev_t dev;
  ino_t ino;
  mode_t type;      /* S_IFMT bits */
  uint64_t nlookup; /* references the kernel holds (lookup replies minus forgets) */
  uint32_t children; /* edges pointing here: a named parent outlives its named children */
  struct ip_inode *parent; /* edge: last name this inode was reached by (NULL for the root) */
  char *name;
  struct ip_inode *next; /* hash chain */
} ip_inode;

typedef struct ip_inode_table {
  pthread_mutex_t mu; /* guards the hash, lookup counts and every edge */
  ip_inode **buckets;
  size_t bucket_count; /* power of two */
  size_t count;
  ip_inode root;
} ip_inode_table;

/* Opens the root entry on `root_fd` (an O_PATH fd the table then owns). 0 or -errno. */
int ip_inodes_init(ip_inode_table *t, int root_fd);
void ip_inodes_destroy(ip_inode_table *t);

/* After a successful lookup: finds or adds the entry for (st->st_dev, st->st_ino), adds one
 * kernel reference and points its edge at (parent, name). Takes ownership of `fd` (closed when
 * the entry already existed). NULL (fd closed) when out of memory. */
ip_inode *ip_inodes_found(ip_inode_table *t, ip_inode *parent, const char *name, int fd, const struct stat *st);

/* After a rename: points the edge of the entry for (dev, ino), if the kernel knows one, at
 * (parent, name). */
void ip_inodes_move_edge(ip_inode_table *t, dev_t dev, ino_t ino, ip_inode *parent, const char *name);

/* Drops `n` kernel references; frees the entry (and releases its edge) at zero. */
void ip_inodes_forget(ip_inode_table *t, ip_inode *in, uint64_t n);

/* Writes the inode's path ("/a/b", "/" for the root) into buf; if name is non-NULL, the path
 * of that child of the inode. Truncated paths end in "..." rather than failing. */
void ip_inodes_path(ip_inode_table *t, ip_inode *in, const char *name, char *buf, size_t size);

/* "/proc/self/fd/N" for an inode's O_PATH fd: the way to reach it for calls that take no fd. */
static inline void ip_inode_proc_path(const ip_inode *in, char buf[40]) {
  snprintf(buf, 40, "/proc/self/fd/%d", in->fd);
}

#endif
