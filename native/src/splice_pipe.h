/*
 * Pipes for large reads over /dev/fuse: the backing file's pages are spliced into one of these,
 * and libfuse splices them on to the kernel, so a read costs one copy (into the reader's pages)
 * instead of two (into a scratch buffer, then out of it with writev). Our own pipe rather than
 * handing libfuse the backing fd: the row must carry how many bytes were read.
 *
 * A pool shared by the FUSE threads, like the scratch buffers; a pipe holds pages only while a
 * read's data sits in it. Freed at unmount.
 */
#ifndef INTERPOSER_SPLICE_PIPE_H
#define INTERPOSER_SPLICE_PIPE_H

#include <stddef.h>

#include "free_list.h"

typedef struct ip_pipe {
  ip_free_link link; /* first: the pool's free list (free_list.h) */
  int read_fd, write_fd;
  size_t capacity; /* bytes, as F_GETPIPE_SZ reports */
} ip_pipe;

/* An empty pipe that holds at least `size` bytes, or NULL (no fds, or the size is refused). */
ip_pipe *ip_pipe_get(size_t size);
/* Back to the pool: only an empty pipe (everything spliced in was spliced out). */
void ip_pipe_put(ip_pipe *p);
/* Closes a pipe that may still hold data. */
void ip_pipe_discard(ip_pipe *p);
/* Closes every pooled pipe (at unmount, when no FUSE thread runs). */
void ip_pipe_release_all(void);

#endif
