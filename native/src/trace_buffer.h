/*
 * Columnar trace buffers filled by FUSE worker threads and drained by JS.
 *
 * A fixed pool of batches bounds memory: when every batch is full and JS has not drained,
 * the recording thread waits (backpressure) instead of growing or dropping rows.
 */
#ifndef INTERPOSER_TRACE_BUFFER_H
#define INTERPOSER_TRACE_BUFFER_H

#include <pthread.h>
#include <stdint.h>

#define IP_NULL64 INT64_MIN
#define IP_NULL32 INT32_MIN

/* Column order and names; the JS side looks columns up by these names. */
enum ip_column {
  COL_SEQ, COL_OP, COL_PATH, COL_PATH2, COL_FH, COL_OFFSET, COL_SIZE, COL_BYTES, COL_ERRNO,
  COL_FLAGS, COL_MODE, COL_START_NS, COL_END_NS, COL_DURATION_NS, COL_PID, COL_TID, COL_UID,
  COL_GID, COL_COMM, COL_FAULT_KIND, COL_FAULT_ERRNO, COL_FAULT_DELAY_NS, COL_FAULT_TRUNCATED_TO,
  COL_THROTTLE_WAIT_NS,
  COL_COUNT
};

typedef struct ip_column_info {
  const char *name;
  uint8_t width;    /* 8 = int64, 4 = int32 */
  uint8_t nullable; /* has a validity array */
  uint8_t string;   /* int32 index into the batch's string table (-1 = null) */
} ip_column_info;

extern const ip_column_info ip_columns[COL_COUNT];

/* One operation as the passthrough saw it. Unset numbers are IP_NULL64/IP_NULL32. */
typedef struct ip_record {
  int32_t op;
  const char *path;
  const char *path2;
  int64_t fh, offset, size, bytes;
  int32_t err, flags, mode;
  int64_t start_ns, end_ns;
  int32_t pid, tid, uid, gid;
  const char *comm;
  int32_t fault_kind; /* index in FAULT_KINDS, -1 = none */
  int32_t fault_errno;
  int64_t fault_delay_ns, fault_truncated_to, throttle_wait_ns;
} ip_record;

typedef struct ip_batch {
  uint32_t length, capacity;
  void *data[COL_COUNT];
  uint8_t *valid[COL_COUNT];
  /* Per-batch string table: dictionary of the paths/comms this batch uses. */
  char *arena;
  size_t arena_len, arena_cap;
  uint32_t *str_offsets; /* id -> offset in arena */
  uint32_t str_count, str_cap;
  uint32_t *slots; /* open addressing: id + 1, 0 = empty */
  uint32_t *slot_hash;
  uint32_t slot_cap;
} ip_batch;

typedef void (*ip_ready_fn)(void *arg);

typedef struct ip_tracebuf {
  pthread_mutex_t mu;
  pthread_cond_t has_free;
  ip_batch **pool;
  uint32_t pool_size;
  ip_batch *active;
  ip_batch **ready; /* FIFO of full batches waiting for JS */
  uint32_t ready_count;
  ip_batch **free_list;
  uint32_t free_count;
  int64_t next_seq;
  uint64_t stalls; /* times a FUSE thread waited for JS to drain */
  ip_ready_fn on_ready;
  void *ready_arg;
} ip_tracebuf;

int ip_tracebuf_init(ip_tracebuf *tb, uint32_t batches, uint32_t rows_per_batch, ip_ready_fn on_ready, void *arg);
void ip_tracebuf_destroy(ip_tracebuf *tb);
void ip_tracebuf_append(ip_tracebuf *tb, const ip_record *r);
/* Never waits (for the JS thread, which is the one that drains): returns 0 if every batch is full. */
int ip_tracebuf_try_append(ip_tracebuf *tb, const ip_record *r);
/* Moves every ready (full) batch to out[], and with take_active the one being filled too if it
 * holds rows; returns how many. */
uint32_t ip_tracebuf_take(ip_tracebuf *tb, ip_batch **out, uint32_t max, int take_active);
/* Gives drained batches back to the pool. */
void ip_tracebuf_give_back(ip_tracebuf *tb, ip_batch **batches, uint32_t n);

#endif
