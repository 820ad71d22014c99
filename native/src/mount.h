/* State of one mounted interposer, shared by the FUSE worker threads and the N-API glue. */
#ifndef INTERPOSER_MOUNT_H
#define INTERPOSER_MOUNT_H

#include <node_api.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "inode_table.h"
#include "offload.h"
#include "ops.h"
#include "path_scopes.h"
#include "trace_buffer.h"
#include "transport.h"

struct fuse_session;

#define IP_MAX_CORRUPT 64
/* Slots of the Float64Array JS writes its verdict into (see src/record/native.ts VERDICT_SLOT). */
#define IP_VERDICT_SLOTS (8 + 2 * IP_MAX_CORRUPT)
/* Paths the overlay said no rule can match (direct-mapped hashes; power of two). */
#define IP_IDLE_PATH_SLOTS 65536

typedef struct ip_verdict {
  int32_t err;         /* > 0: fail with this errno without doing the op */
  int64_t truncate_to; /* >= 0: move at most this many bytes */
  int64_t delay_before_ns;
  int64_t delay_after_ns;
  int64_t throttle_wait_ns;
  int32_t fault_kind; /* -1 = none */
  /* Data corruption: byte positions within the transfer and their XOR masks (-1 = set to 0). */
  int32_t corrupt_count;
  int32_t corrupt_index[IP_MAX_CORRUPT];
  int32_t corrupt_xor[IP_MAX_CORRUPT];
  /* The overlay says no rule can ever match this path (until the rules change). */
  int32_t path_idle;
} ip_verdict;

typedef struct ip_mount {
  /* Backing directory: its inodes as the kernel knows them (the root entry holds its fd). */
  ip_inode_table inodes;
  char *backing;
  char *mountpoint;
  int64_t origin_ns; /* CLOCK_MONOTONIC at mount: trace times count from here */

  /* Recording. */
  int record;
  ip_tracebuf trace;

  /* Caller identity for new files: only possible (and needed) when we run as root. */
  int switch_creds;
  gid_t *own_groups;
  int own_group_count;

  /* Overlay: ops whose bit is set are sent to JS for a verdict. */
  _Atomic uint64_t interest_mask;
  napi_threadsafe_function decide_tsfn;
  napi_threadsafe_function ready_tsfn;
  napi_ref decide_fn_ref;
  /* Per-path "no rule can match" cache: skips the JS round trip for paths rules never name.
   * Cleared (and its generation bumped) whenever the interest mask changes, i.e. on any rule
   * change; an answer computed under an older generation is not stored. */
  _Atomic uint64_t idle_paths[IP_IDLE_PATH_SLOTS];
  /* Per op code: literal path prefixes outside which no rule for that op can match (NULL =
   * anywhere); see path_scopes.h. FUSE threads count themselves in `scope_readers` while they
   * look at a list, so a replaced list is freed once the count has been zero after the swap. */
  _Atomic(ip_path_scopes *) scopes[OP_COUNT];
  atomic_int scope_readers;
  atomic_ulong idle_gen;
  double *verdict_slots; /* Float64Array JS writes its verdict into */
  atomic_int closing;

  /* Kernel caching (seconds; 0 = ask every time) and page-cache policy. */
  double attr_timeout, entry_timeout, negative_timeout;
  int keep_cache;      /* keep a file's pages across opens (nobody changes the backing dir) */
  int writeback_cache; /* kernel buffers writes and sends them in large batches */
  int splice_reads;    /* the kernel takes read replies spliced from a pipe (/dev/fuse) */

  /* FUSE session and loop. */
  struct fuse_session *se;
  pthread_t loop_thread;
  int loop_started;
  int loop_result;
  int unmount_called; /* JS thread only */
  int max_threads;
  ip_transport transport; /* /dev/fuse or io_uring (transport.h) */
  ip_offload *offload;    /* per CPU: serve blocking requests off that CPU's io_uring ring */
  unsigned offload_pools;
  int offload_enabled; /* INTERPOSER_IO_URING_OFFLOAD=1: opt-in until libfuse's reply path is fixed (dispatch.c) */
} ip_mount;

extern const struct fuse_lowlevel_ops ip_passthrough_ops;

/* Asks JS for a verdict; fills v with "no effect" if JS is gone. Blocks the calling FUSE thread. */
void ip_overlay_decide(ip_mount *m, int op, const char *path, const char *path2, int64_t size, int64_t offset,
                       int32_t pid, int32_t uid, int32_t gid, int64_t now_ns, ip_verdict *v);

/* The idle-path cache (overlay_bridge.c). */
int ip_overlay_path_idle(ip_mount *m, const char *path, uint64_t *hash_out);
void ip_overlay_remember_idle(ip_mount *m, uint64_t hash, unsigned long generation);
void ip_overlay_forget_idle(ip_mount *m);

static inline int ip_overlay_wants(ip_mount *m, int op) {
  return (int)((atomic_load_explicit(&m->interest_mask, memory_order_relaxed) >> op) & 1u);
}

/* 0 when neither path can match any rule for `op`, judged by the rules' literal prefixes alone. */
static inline int ip_overlay_in_scope(ip_mount *m, int op, const char *path, const char *path2) {
  atomic_fetch_add(&m->scope_readers, 1);
  const ip_path_scopes *scopes = atomic_load(&m->scopes[op]);
  int in = scopes == NULL || ip_path_scopes_contain(scopes, path) || ip_path_scopes_contain(scopes, path2);
  atomic_fetch_sub(&m->scope_readers, 1);
  return in;
}

#endif
