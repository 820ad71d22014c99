/*
 * Per-thread, page-aligned scratch buffers for transfers that cannot use libfuse's buffer
 * directly: O_DIRECT on the backing file needs a block-aligned buffer (libfuse's sit just after
 * the request header, so they never are), and a write being corrupted must not change the
 * caller's bytes. Each FUSE worker thread keeps one buffer, grown on demand and freed when the
 * thread exits, so the hot path does no malloc.
 */
#ifndef INTERPOSER_SCRATCH_H
#define INTERPOSER_SCRATCH_H

#include <stddef.h>
#include <stdint.h>

/* Alignment that satisfies O_DIRECT on every Linux block device (logical blocks are <= 4 KiB). */
#define IP_DIRECT_ALIGN 4096

/* A buffer of at least `size` bytes aligned to IP_DIRECT_ALIGN, owned by the calling thread and
 * valid until its next call; NULL when out of memory. */
char *ip_scratch(size_t size);

static inline int ip_is_direct_aligned(const void *p) { return ((uintptr_t)p & (IP_DIRECT_ALIGN - 1)) == 0; }

#endif
