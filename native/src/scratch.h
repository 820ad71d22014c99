/*
 * Page-aligned scratch buffers for transfers that cannot use libfuse's buffer directly: reads over
 * /dev/fuse (the reply needs somewhere to land), O_DIRECT on the backing file (libfuse's buffers
 * sit just after the request header, so they are never block-aligned), a write being corrupted
 * (the caller's bytes must not change) and xattr values.
 *
 * One pool shared by every FUSE thread, not one buffer per thread: a buffer grows to the largest
 * request it served (1 MiB), and a thread kept for later keeps its buffer, so per-thread buffers
 * held 16 MiB once all 16 workers had served a 1 MiB read, where a pool holds as many as were in
 * use at once. Buffers are kept for reuse (the hot path does no malloc) and freed at unmount.
 */
#ifndef INTERPOSER_SCRATCH_H
#define INTERPOSER_SCRATCH_H

#include <stddef.h>
#include <stdint.h>

#include "free_list.h"

/* Alignment that satisfies O_DIRECT on every Linux block device (logical blocks are <= 4 KiB). */
#define IP_DIRECT_ALIGN 4096

typedef struct ip_scratch {
  ip_free_link link; /* first: the pool's free list (free_list.h) */
  char *data;
  size_t capacity;
} ip_scratch;

/* A buffer of at least `size` bytes aligned to IP_DIRECT_ALIGN, the caller's until it gives it
 * back with ip_scratch_put; NULL when out of memory. */
ip_scratch *ip_scratch_get(size_t size);
void ip_scratch_put(ip_scratch *s);
/* Frees every pooled buffer (at unmount, when no FUSE thread runs). */
void ip_scratch_release_all(void);

static inline int ip_is_direct_aligned(const void *p) { return ((uintptr_t)p & (IP_DIRECT_ALIGN - 1)) == 0; }

#endif
