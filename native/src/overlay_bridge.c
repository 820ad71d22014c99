/*
 * FUSE worker thread -> JS overlay -> verdict. Only ops the overlay declared interest in come
 * here, so an idle overlay costs one atomic load per op.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mount.h"

typedef struct decide_req {
  int op;
  const char *path, *path2;
  int64_t size, offset, now_ns;
  int32_t pid, uid, gid;
  ip_verdict *v;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int done;
} decide_req;

enum { V_ERR, V_TRUNCATE, V_DELAY_BEFORE, V_DELAY_AFTER, V_THROTTLE_WAIT, V_FAULT_KIND, V_CORRUPT_COUNT, V_CORRUPT };
#define V_PATH_IDLE (V_CORRUPT + 2 * IP_MAX_CORRUPT)

static void no_effect(ip_verdict *v) {
  v->err = 0;
  v->truncate_to = -1;
  v->delay_before_ns = v->delay_after_ns = v->throttle_wait_ns = 0;
  v->fault_kind = -1;
  v->corrupt_count = 0;
  v->path_idle = 0;
}

static void finish(decide_req *req) {
  pthread_mutex_lock(&req->mu);
  req->done = 1;
  pthread_cond_signal(&req->cv);
  pthread_mutex_unlock(&req->mu);
}

static napi_value str_or_null(napi_env env, const char *s) {
  napi_value out;
  if (s) napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &out);
  else napi_get_null(env, &out);
  return out;
}

/* Runs on the JS thread: calls decide(op, path, path2, size, offset, pid, uid, gid, nowNs). */
void ip_overlay_call_js(napi_env env, napi_value fn, void *context, void *data) {
  ip_mount *m = context;
  decide_req *req = data;
  no_effect(req->v);
  if (env != NULL && fn != NULL && !atomic_load(&m->closing)) {
    napi_value args[9], global, result;
    napi_create_int32(env, req->op, &args[0]);
    args[1] = str_or_null(env, req->path);
    args[2] = str_or_null(env, req->path2);
    napi_create_double(env, (double)req->size, &args[3]);
    napi_create_double(env, (double)req->offset, &args[4]);
    napi_create_int32(env, req->pid, &args[5]);
    napi_create_int32(env, req->uid, &args[6]);
    napi_create_int32(env, req->gid, &args[7]);
    napi_create_double(env, (double)req->now_ns, &args[8]);
    napi_get_global(env, &global);
    if (napi_call_function(env, global, fn, 9, args, &result) == napi_ok) {
      const double *s = m->verdict_slots;
      req->v->err = (int32_t)s[V_ERR];
      req->v->truncate_to = (int64_t)s[V_TRUNCATE];
      req->v->delay_before_ns = (int64_t)s[V_DELAY_BEFORE];
      req->v->delay_after_ns = (int64_t)s[V_DELAY_AFTER];
      req->v->throttle_wait_ns = (int64_t)s[V_THROTTLE_WAIT];
      req->v->fault_kind = (int32_t)s[V_FAULT_KIND];
      int32_t n = (int32_t)s[V_CORRUPT_COUNT];
      req->v->corrupt_count = n < 0 ? 0 : n > IP_MAX_CORRUPT ? IP_MAX_CORRUPT : n;
      for (int32_t i = 0; i < req->v->corrupt_count; i++) {
        req->v->corrupt_index[i] = (int32_t)s[V_CORRUPT + 2 * i];
        req->v->corrupt_xor[i] = (int32_t)s[V_CORRUPT + 2 * i + 1];
      }
      req->v->path_idle = s[V_PATH_IDLE] != 0;
    } else {
      /* A throwing overlay must not wedge the file system: log and let the op through. */
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
      fprintf(stderr, "interposer: overlay decide() threw; operation let through unshaped\n");
    }
  }
  finish(req);
}

void ip_overlay_decide(ip_mount *m, int op, const char *path, const char *path2, int64_t size, int64_t offset,
                       int32_t pid, int32_t uid, int32_t gid, int64_t now_ns, ip_verdict *v) {
  no_effect(v);
  if (atomic_load(&m->closing) || m->decide_tsfn == NULL) return;
  decide_req req = {.op = op, .path = path, .path2 = path2, .size = size, .offset = offset, .now_ns = now_ns,
                    .pid = pid, .uid = uid, .gid = gid, .v = v, .done = 0};
  pthread_mutex_init(&req.mu, NULL);
  pthread_cond_init(&req.cv, NULL);
  if (napi_call_threadsafe_function(m->decide_tsfn, &req, napi_tsfn_blocking) == napi_ok) {
    pthread_mutex_lock(&req.mu);
    while (!req.done) pthread_cond_wait(&req.cv, &req.mu);
    pthread_mutex_unlock(&req.mu);
  }
  pthread_mutex_destroy(&req.mu);
  pthread_cond_destroy(&req.cv);
}

static uint64_t hash_path(const char *s) {
  uint64_t h = 14695981039346656037ull; /* FNV-1a 64 */
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
  return h | 1; /* 0 marks an empty slot */
}

int ip_overlay_path_idle(ip_mount *m, const char *path, uint64_t *hash_out) {
  uint64_t h = hash_path(path);
  *hash_out = h;
  return atomic_load_explicit(&m->idle_paths[h & (IP_IDLE_PATH_SLOTS - 1)], memory_order_relaxed) == h;
}

void ip_overlay_remember_idle(ip_mount *m, uint64_t hash, unsigned long generation) {
  if (atomic_load(&m->idle_gen) != generation) return;
  atomic_store_explicit(&m->idle_paths[hash & (IP_IDLE_PATH_SLOTS - 1)], hash, memory_order_relaxed);
}

void ip_overlay_forget_idle(ip_mount *m) {
  atomic_fetch_add(&m->idle_gen, 1);
  for (size_t i = 0; i < IP_IDLE_PATH_SLOTS; i++) atomic_store_explicit(&m->idle_paths[i], 0, memory_order_relaxed);
}
