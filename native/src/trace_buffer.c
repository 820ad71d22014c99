#include "trace_buffer.h"

#include <stdlib.h>
#include <string.h>

const ip_column_info ip_columns[COL_COUNT] = {
    [COL_SEQ] = {"seq", 8, 0, 0},
    [COL_OP] = {"op", 4, 0, 1},
    [COL_PATH] = {"path", 4, 0, 1},
    [COL_PATH2] = {"path2", 4, 0, 1},
    [COL_FH] = {"fh", 8, 1, 0},
    [COL_OFFSET] = {"offset", 8, 1, 0},
    [COL_SIZE] = {"size", 8, 1, 0},
    [COL_BYTES] = {"bytes", 8, 0, 0},
    [COL_ERRNO] = {"errno", 4, 0, 0},
    [COL_FLAGS] = {"flags", 4, 1, 0},
    [COL_MODE] = {"mode", 4, 1, 0},
    [COL_START_NS] = {"start_ns", 8, 0, 0},
    [COL_END_NS] = {"end_ns", 8, 0, 0},
    [COL_DURATION_NS] = {"duration_ns", 8, 0, 0},
    [COL_PID] = {"pid", 4, 0, 0},
    [COL_TID] = {"tid", 4, 0, 0},
    [COL_UID] = {"uid", 4, 0, 0},
    [COL_GID] = {"gid", 4, 0, 0},
    [COL_COMM] = {"comm", 4, 0, 1},
    [COL_FAULT_KIND] = {"fault_kind", 4, 0, 1},
    [COL_FAULT_ERRNO] = {"fault_errno", 4, 1, 0},
    [COL_FAULT_DELAY_NS] = {"fault_delay_ns", 8, 1, 0},
    [COL_FAULT_TRUNCATED_TO] = {"fault_truncated_to", 8, 1, 0},
    [COL_THROTTLE_WAIT_NS] = {"throttle_wait_ns", 8, 1, 0},
};

static ip_batch *batch_new(uint32_t capacity) {
  ip_batch *b = calloc(1, sizeof(*b));
  if (!b) return NULL;
  b->capacity = capacity;
  for (int c = 0; c < COL_COUNT; c++) {
    b->data[c] = malloc((size_t)capacity * ip_columns[c].width);
    if (!b->data[c]) return NULL;
    if (ip_columns[c].nullable && !(b->valid[c] = malloc(capacity))) return NULL;
  }
  b->arena_cap = (size_t)capacity * 16;
  b->arena = malloc(b->arena_cap);
  b->str_cap = 1024;
  b->str_offsets = malloc(sizeof(uint32_t) * b->str_cap);
  /* Every row adds at most 3 strings; a power of two >= 2x that keeps probes short. */
  b->slot_cap = 1;
  while (b->slot_cap < capacity * 6) b->slot_cap <<= 1;
  b->slots = calloc(b->slot_cap, sizeof(uint32_t));
  b->slot_hash = malloc(sizeof(uint32_t) * b->slot_cap);
  if (!b->arena || !b->str_offsets || !b->slots || !b->slot_hash) return NULL;
  return b;
}

static void batch_free(ip_batch *b) {
  if (!b) return;
  for (int c = 0; c < COL_COUNT; c++) {
    free(b->data[c]);
    free(b->valid[c]);
  }
  free(b->arena);
  free(b->str_offsets);
  free(b->slots);
  free(b->slot_hash);
  free(b);
}

static void batch_reset(ip_batch *b) {
  b->length = 0;
  b->arena_len = 0;
  if (b->str_count) memset(b->slots, 0, sizeof(uint32_t) * b->slot_cap);
  b->str_count = 0;
}

static uint32_t hash_str(const char *s, size_t *len_out) {
  uint32_t h = 2166136261u; /* FNV-1a */
  const char *p = s;
  for (; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
  *len_out = (size_t)(p - s);
  return h;
}

/* Interns s in the batch's string table; returns its id, or -1 for NULL. */
static int32_t batch_intern(ip_batch *b, const char *s) {
  if (!s) return -1;
  size_t len;
  uint32_t h = hash_str(s, &len);
  uint32_t mask = b->slot_cap - 1;
  for (uint32_t i = h & mask;; i = (i + 1) & mask) {
    uint32_t slot = b->slots[i];
    if (slot == 0) {
      if (b->str_count == b->str_cap) {
        b->str_cap *= 2;
        b->str_offsets = realloc(b->str_offsets, sizeof(uint32_t) * b->str_cap);
      }
      if (b->arena_len + len + 1 > b->arena_cap) {
        while (b->arena_len + len + 1 > b->arena_cap) b->arena_cap *= 2;
        b->arena = realloc(b->arena, b->arena_cap);
      }
      uint32_t id = b->str_count++;
      b->str_offsets[id] = (uint32_t)b->arena_len;
      memcpy(b->arena + b->arena_len, s, len + 1);
      b->arena_len += len + 1;
      b->slots[i] = id + 1;
      b->slot_hash[i] = h;
      return (int32_t)id;
    }
    if (b->slot_hash[i] == h && strcmp(b->arena + b->str_offsets[slot - 1], s) == 0) return (int32_t)(slot - 1);
  }
}

static inline void put64(ip_batch *b, int col, uint32_t row, int64_t v) {
  if (ip_columns[col].nullable) b->valid[col][row] = v != IP_NULL64;
  ((int64_t *)b->data[col])[row] = v == IP_NULL64 ? 0 : v;
}

static inline void put32(ip_batch *b, int col, uint32_t row, int32_t v) {
  if (ip_columns[col].nullable) b->valid[col][row] = v != IP_NULL32;
  ((int32_t *)b->data[col])[row] = v == IP_NULL32 ? 0 : v;
}

static void batch_put(ip_batch *b, int64_t seq, const ip_record *r) {
  uint32_t i = b->length++;
  put64(b, COL_SEQ, i, seq);
  put32(b, COL_OP, i, r->op);
  put32(b, COL_PATH, i, batch_intern(b, r->path ? r->path : ""));
  put32(b, COL_PATH2, i, batch_intern(b, r->path2));
  put64(b, COL_FH, i, r->fh);
  put64(b, COL_OFFSET, i, r->offset);
  put64(b, COL_SIZE, i, r->size);
  put64(b, COL_BYTES, i, r->bytes);
  put32(b, COL_ERRNO, i, r->err);
  put32(b, COL_FLAGS, i, r->flags);
  put32(b, COL_MODE, i, r->mode);
  put64(b, COL_START_NS, i, r->start_ns);
  put64(b, COL_END_NS, i, r->end_ns);
  put64(b, COL_DURATION_NS, i, r->end_ns - r->start_ns);
  put32(b, COL_PID, i, r->pid);
  put32(b, COL_TID, i, r->tid);
  put32(b, COL_UID, i, r->uid);
  put32(b, COL_GID, i, r->gid);
  put32(b, COL_COMM, i, batch_intern(b, r->comm));
  put32(b, COL_FAULT_KIND, i, r->fault_kind);
  put32(b, COL_FAULT_ERRNO, i, r->fault_errno);
  put64(b, COL_FAULT_DELAY_NS, i, r->fault_delay_ns);
  put64(b, COL_FAULT_TRUNCATED_TO, i, r->fault_truncated_to);
  put64(b, COL_THROTTLE_WAIT_NS, i, r->throttle_wait_ns);
}

int ip_tracebuf_init(ip_tracebuf *tb, uint32_t batches, uint32_t rows_per_batch, ip_ready_fn on_ready, void *arg) {
  memset(tb, 0, sizeof(*tb));
  /* Held for one row's copy (a few hundred ns) by every FUSE thread: a waiter spins briefly
   * instead of sleeping at once, which cost a futex wait and wake-up per collision. */
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
  pthread_mutex_init(&tb->mu, &attr);
  pthread_mutexattr_destroy(&attr);
  pthread_cond_init(&tb->has_free, NULL);
  tb->pool_size = batches;
  tb->pool = calloc(batches, sizeof(ip_batch *));
  tb->ready = calloc(batches, sizeof(ip_batch *));
  tb->free_list = calloc(batches, sizeof(ip_batch *));
  if (!tb->pool || !tb->ready || !tb->free_list) return -1;
  for (uint32_t i = 0; i < batches; i++) {
    if (!(tb->pool[i] = batch_new(rows_per_batch))) return -1;
    if (i > 0) tb->free_list[tb->free_count++] = tb->pool[i];
  }
  tb->active = tb->pool[0];
  tb->on_ready = on_ready;
  tb->ready_arg = arg;
  return 0;
}

void ip_tracebuf_destroy(ip_tracebuf *tb) {
  if (tb->pool)
    for (uint32_t i = 0; i < tb->pool_size; i++) batch_free(tb->pool[i]);
  free(tb->pool);
  free(tb->ready);
  free(tb->free_list);
  pthread_mutex_destroy(&tb->mu);
  pthread_cond_destroy(&tb->has_free);
}

static void append_locked(ip_tracebuf *tb, const ip_record *r, int *notify);

int ip_tracebuf_try_append(ip_tracebuf *tb, const ip_record *r) {
  int notify = 0;
  pthread_mutex_lock(&tb->mu);
  if (tb->active == NULL) {
    pthread_mutex_unlock(&tb->mu);
    return 0;
  }
  append_locked(tb, r, &notify);
  pthread_mutex_unlock(&tb->mu);
  if (notify && tb->on_ready) tb->on_ready(tb->ready_arg);
  return 1;
}

void ip_tracebuf_append(ip_tracebuf *tb, const ip_record *r) {
  int notify = 0;
  pthread_mutex_lock(&tb->mu);
  while (tb->active == NULL) {
    /* Every batch is waiting for JS: wait rather than drop rows or grow memory. */
    tb->stalls++;
    pthread_cond_wait(&tb->has_free, &tb->mu);
    if (tb->active == NULL && tb->free_count > 0) {
      tb->active = tb->free_list[--tb->free_count];
      batch_reset(tb->active);
    }
  }
  append_locked(tb, r, &notify);
  pthread_mutex_unlock(&tb->mu);
  if (notify && tb->on_ready) tb->on_ready(tb->ready_arg);
}

static void append_locked(ip_tracebuf *tb, const ip_record *r, int *notify) {
  ip_batch *b = tb->active;
  batch_put(b, tb->next_seq++, r);
  if (b->length == b->capacity) {
    tb->ready[tb->ready_count++] = b;
    *notify = 1;
    if (tb->free_count > 0) {
      tb->active = tb->free_list[--tb->free_count];
      batch_reset(tb->active);
    } else {
      tb->active = NULL;
    }
  }
}

uint32_t ip_tracebuf_take(ip_tracebuf *tb, ip_batch **out, uint32_t max, int take_active) {
  uint32_t n = 0;
  pthread_mutex_lock(&tb->mu);
  while (n < max && n < tb->ready_count) {
    out[n] = tb->ready[n];
    n++;
  }
  memmove(tb->ready, tb->ready + n, sizeof(ip_batch *) * (tb->ready_count - n));
  tb->ready_count -= n;
  if (take_active && n < max && tb->active && tb->active->length > 0 && tb->free_count > 0) {
    out[n++] = tb->active;
    tb->active = tb->free_list[--tb->free_count];
    batch_reset(tb->active);
  }
  pthread_mutex_unlock(&tb->mu);
  return n;
}

void ip_tracebuf_give_back(ip_tracebuf *tb, ip_batch **batches, uint32_t n) {
  pthread_mutex_lock(&tb->mu);
  for (uint32_t i = 0; i < n; i++) {
    batch_reset(batches[i]);
    if (tb->active == NULL) tb->active = batches[i];
    else tb->free_list[tb->free_count++] = batches[i];
  }
  pthread_cond_broadcast(&tb->has_free);
  pthread_mutex_unlock(&tb->mu);
}
