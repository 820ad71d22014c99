#include "inode_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INITIAL_BUCKETS 4096
#define MAX_DEPTH 1024

static size_t bucket_of(const ip_inode_table *t, dev_t dev, ino_t ino) {
  uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev * 0xC2B2AE3D27D4EB4Full;
  return (size_t)(h >> 20) & (t->bucket_count - 1);
}

int ip_inodes_init(ip_inode_table *t, int root_fd) {
  memset(t, 0, sizeof(*t));
  struct stat st;
  if (fstat(root_fd, &st) != 0) return -errno;
  t->buckets = calloc(INITIAL_BUCKETS, sizeof(*t->buckets));
  if (!t->buckets) return -ENOMEM;
  t->bucket_count = INITIAL_BUCKETS;
  pthread_mutex_init(&t->mu, NULL);
  t->root.fd = root_fd;
  t->root.dev = st.st_dev;
  t->root.ino = st.st_ino;
  t->root.type = S_IFDIR;
  t->root.nlookup = 1; /* never forgotten */
  return 0;
}

/* Closes an entry's fd and frees it. */
static void free_entry(ip_inode *in) {
  close(in->fd);
  free(in->name);
  free(in);
}

void ip_inodes_destroy(ip_inode_table *t) {
  if (!t->buckets) return;
  for (size_t i = 0; i < t->bucket_count; i++) {
    ip_inode *in = t->buckets[i];
    while (in) {
      ip_inode *next = in->next;
      free_entry(in);
      in = next;
    }
  }
  free(t->buckets);
  t->buckets = NULL;
  if (t->root.fd >= 0) close(t->root.fd);
  t->root.fd = -1;
  pthread_mutex_destroy(&t->mu);
}

static void grow(ip_inode_table *t) {
  size_t count = t->bucket_count * 2;
  ip_inode **buckets = calloc(count, sizeof(*buckets));
  if (!buckets) return; /* longer chains, still correct */
  ip_inode **old = t->buckets;
  size_t old_count = t->bucket_count;
  t->buckets = buckets;
  t->bucket_count = count;
  for (size_t i = 0; i < old_count; i++) {
    ip_inode *in = old[i];
    while (in) {
      ip_inode *next = in->next;
      size_t b = bucket_of(t, in->dev, in->ino);
      in->next = buckets[b];
      buckets[b] = in;
      in = next;
    }
  }
  free(old);
}

static ip_inode *find(ip_inode_table *t, dev_t dev, ino_t ino) {
  if (dev == t->root.dev && ino == t->root.ino) return &t->root;
  for (ip_inode *in = t->buckets[bucket_of(t, dev, ino)]; in; in = in->next)
    if (in->ino == ino && in->dev == dev) return in;
  return NULL;
}

/*
 * Entries dropped under the lock, closed and freed after it: closing the last fd of an unlinked
 * file makes the backing file system evict its inode (in a metadata storm on ext4 every such
 * close took over 20 us under strace, up to 1 ms), and every FUSE thread needing the table (each
 * lookup, and each recorded row's path) would wait for it. Linked through `next`.
 */
typedef struct {
  ip_inode *head;
} graveyard;

static void bury(graveyard *g, ip_inode *in) {
  in->next = g->head;
  g->head = in;
}

/* Closes and frees what was buried. Lock not held. */
static void reap(graveyard *g) {
  while (g->head) {
    ip_inode *in = g->head;
    g->head = in->next;
    free_entry(in);
  }
}

static void release(ip_inode_table *t, ip_inode *in, graveyard *g);

/* Points in's edge at (parent, name); the old parent may be dropped. Lock held. */
static void set_edge(ip_inode_table *t, ip_inode *in, ip_inode *parent, const char *name, graveyard *g) {
  if (in == &t->root) return;
  if (in->parent == parent && in->name && strcmp(in->name, name) == 0) return;
  char *copy = strdup(name);
  if (!copy) return; /* keeps the old name: a stale path, never a wrong inode */
  ip_inode *old = in->parent;
  parent->children++;
  in->parent = parent;
  free(in->name);
  in->name = copy;
  if (old) {
    old->children--;
    release(t, old, g);
  }
}

/* Drops an entry nobody refers to any more (and so its parents). Lock held. */
static void release(ip_inode_table *t, ip_inode *in, graveyard *g) {
  while (in && in != &t->root && in->nlookup == 0 && in->children == 0) {
    ip_inode **link = &t->buckets[bucket_of(t, in->dev, in->ino)];
    while (*link && *link != in) link = &(*link)->next;
    if (*link) *link = in->next;
    t->count--;
    ip_inode *parent = in->parent;
    bury(g, in);
    if (!parent) break;
    parent->children--;
    in = parent;
  }
}

ip_inode *ip_inodes_found(ip_inode_table *t, ip_inode *parent, const char *name, int fd, const struct stat *st) {
  graveyard g = {NULL};
  int duplicate = -1; /* fd of an inode already in the table: closed after the lock */
  pthread_mutex_lock(&t->mu);
  ip_inode *in = find(t, st->st_dev, st->st_ino);
  if (in) {
    duplicate = fd;
  } else {
    in = calloc(1, sizeof(*in));
    if (!in) {
      pthread_mutex_unlock(&t->mu);
      close(fd);
      return NULL;
    }
    in->fd = fd;
    in->dev = st->st_dev;
    in->ino = st->st_ino;
    in->type = st->st_mode & S_IFMT;
    size_t b = bucket_of(t, in->dev, in->ino);
    in->next = t->buckets[b];
    t->buckets[b] = in;
    if (++t->count > t->bucket_count) grow(t);
  }
  in->nlookup++;
  set_edge(t, in, parent, name, &g);
  pthread_mutex_unlock(&t->mu);
  if (duplicate >= 0) close(duplicate);
  reap(&g);
  return in;
}

void ip_inodes_move_edge(ip_inode_table *t, dev_t dev, ino_t ino, ip_inode *parent, const char *name) {
  graveyard g = {NULL};
  pthread_mutex_lock(&t->mu);
  ip_inode *in = find(t, dev, ino);
  if (in) set_edge(t, in, parent, name, &g);
  pthread_mutex_unlock(&t->mu);
  reap(&g);
}

void ip_inodes_forget(ip_inode_table *t, ip_inode *in, uint64_t n) {
  if (in == &t->root) return;
  graveyard g = {NULL};
  pthread_mutex_lock(&t->mu);
  in->nlookup = n >= in->nlookup ? 0 : in->nlookup - n;
  release(t, in, &g);
  pthread_mutex_unlock(&t->mu);
  reap(&g);
}

void ip_inodes_path(ip_inode_table *t, ip_inode *in, const char *name, char *buf, size_t size) {
  const char *parts[MAX_DEPTH];
  size_t depth = 0;
  if (name) parts[depth++] = name;
  pthread_mutex_lock(&t->mu);
  for (ip_inode *at = in; at && at != &t->root && depth < MAX_DEPTH; at = at->parent)
    parts[depth++] = at->name ? at->name : "?";
  size_t len = 0;
  int truncated = 0;
  for (size_t i = depth; i-- > 0;) {
    size_t part = strlen(parts[i]);
    if (len + 1 + part + 1 > size) {
      truncated = 1;
      break;
    }
    buf[len++] = '/';
    memcpy(buf + len, parts[i], part);
    len += part;
  }
  pthread_mutex_unlock(&t->mu);
  if (len == 0 && size > 1) buf[len++] = '/';
  if (truncated && size > 4) {
    if (len > size - 4) len = size - 4;
    memcpy(buf + len, "...", 3);
    len += 3;
  }
  buf[len < size ? len : size - 1] = 0;
}
