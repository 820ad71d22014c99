/*
 * N-API glue: mount/unmount the passthrough, hand filled trace batches to JS, and connect the
 * overlay. The FUSE loop runs on its own threads; the JS thread only drains batches and answers
 * overlay questions, so a slow JS moment never stalls I/O that no overlay rule cares about.
 */
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <fuse_opt.h>
#include <stddef.h>
#include <sys/resource.h>
#include <grp.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "detach.h"
#include "fuse_options.h"
#include "peer_cred.h"
#include "mount.h"
#include "ops.h"
#include "scratch.h"
#include "splice_pipe.h"
#include "task_events.h"

void ip_overlay_call_js(napi_env env, napi_value fn, void *context, void *data);

#define CHECK(call)                                                            \
  do {                                                                         \
    if ((call) != napi_ok) {                                                   \
      napi_throw_error(env, NULL, "interposer native: N-API call failed: " #call); \
      return NULL;                                                             \
    }                                                                          \
  } while (0)

static char *get_string(napi_env env, napi_value obj, const char *key) {
  napi_value v;
  size_t len;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return NULL;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

static int64_t get_int(napi_env env, napi_value obj, const char *key, int64_t fallback) {
  napi_value v;
  napi_valuetype t;
  int64_t out;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return fallback;
  if (napi_typeof(env, v, &t) != napi_ok || (t != napi_number && t != napi_boolean)) return fallback;
  if (t == napi_boolean) {
    bool b;
    napi_get_value_bool(env, v, &b);
    return b;
  }
  napi_get_value_int64(env, v, &out);
  return out;
}

static void call_ready_js(napi_env env, napi_value fn, void *context, void *data) {
  if (env == NULL || fn == NULL) return;
  napi_value global, result, arg;
  napi_get_global(env, &global);
  napi_create_int32(env, (int32_t)(intptr_t)data, &arg);
  napi_call_function(env, global, fn, 1, &arg, &result);
}

enum { EVENT_BATCH_READY = 1, EVENT_LOOP_EXITED = 2 };

static void on_batch_ready(void *arg) {
  ip_mount *m = arg;
  napi_call_threadsafe_function(m->ready_tsfn, (void *)(intptr_t)EVENT_BATCH_READY, napi_tsfn_nonblocking);
}

/* ---- the FUSE session: created, mounted and served here and nowhere else ------------------- */

/* Creates the low-level session for `fuse_options` and mounts it. 0, or -1 after libfuse printed
 * why. The transport (/dev/fuse or io_uring, transport.h) rides in the session's options. */
static int session_open(ip_mount *m, const char *fuse_options) {
  struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
  if (fuse_opt_add_arg(&args, "interposer") != 0 || fuse_opt_add_arg(&args, "-o") != 0 ||
      fuse_opt_add_arg(&args, fuse_options) != 0 || ip_transport_add_args(&m->transport, &args) != 0) {
    fuse_opt_free_args(&args);
    return -1;
  }
  ip_cache_options cache = {0};
  if (ip_fuse_take_cache_options(&args, &cache) != 0) {
    fuse_opt_free_args(&args);
    return -1;
  }
  m->attr_timeout = cache.attr_timeout;
  m->entry_timeout = cache.entry_timeout;
  m->negative_timeout = cache.negative_timeout;
  m->keep_cache = cache.keep_cache;
  m->writeback_cache = cache.writeback_cache;
  m->se = fuse_session_new(&args, &ip_passthrough_ops, sizeof(ip_passthrough_ops), m);
  fuse_opt_free_args(&args);
  if (!m->se) return -1;
  if (fuse_session_mount(m->se, m->mountpoint) != 0) {
    fuse_session_destroy(m->se);
    m->se = NULL;
    return -2;
  }
  return 0;
}

/* Serves requests until the kernel connection ends. Returns libfuse's loop result. */
static int session_serve(ip_mount *m) {
  struct fuse_loop_config *cfg = fuse_loop_cfg_create();
  fuse_loop_cfg_set_max_threads(cfg, (unsigned)m->max_threads);
  /* Keep every worker once started: with a small idle limit libfuse ends and re-creates threads
   * as concurrency swings (its own docs discourage any limit), which cost up to a third of the
   * 4-job IOPS here. Idle threads cost only their stacks. */
  fuse_loop_cfg_set_idle_threads(cfg, (unsigned)m->max_threads);
  int result = fuse_session_loop_mt(m->se, cfg);
  fuse_loop_cfg_destroy(cfg);
  return result;
}

static void *loop_main(void *arg) {
  ip_mount *m = arg;
  m->loop_result = session_serve(m);
  napi_call_threadsafe_function(m->ready_tsfn, (void *)(intptr_t)EVENT_LOOP_EXITED, napi_tsfn_blocking);
  return NULL;
}

static void free_mount(ip_mount *m) {
  for (unsigned i = 0; i < m->offload_pools; i++) ip_offload_destroy(&m->offload[i]);
  free(m->offload);
  for (int op = 0; op < OP_COUNT; op++) ip_path_scopes_free(atomic_load(&m->scopes[op]));
  ip_inodes_destroy(&m->inodes);
  free(m->backing);
  free(m->mountpoint);
  free(m->own_groups);
  ip_tracebuf_destroy(&m->trace);
  ip_scratch_release_all();
  ip_pipe_release_all();
  free(m);
}

/*
 * A serving process's allocator, tuned once for memory rather than glibc's defaults, which are
 * made for short-lived allocations: an arena per thread (up to 8 per core) keeps what each FUSE
 * thread freed, and the mmap threshold rises to the largest block freed so far, after which the
 * recorder's row-group arrays (ArrayBuffers of 0.5 MiB and more) come from the main heap, which
 * stays at its peak. A fixed 256 KiB threshold returns them to the kernel when freed (tens of
 * mmap calls per row group, nothing per FUSE request: the hot path allocates nothing that large).
 * Measured on the recording server's peak RSS over bench:record's fourteen jobs (README, "What
 * changed the numbers").
 */
static void tune_allocator(void) {
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  mallopt(M_ARENA_MAX, 2);
}

/* One offload pool per CPU (offload.h), each with as many threads as its ring has requests in
 * flight at most; no thread starts before a request needs one. */
static int start_offload_pools(ip_mount *m) {
  long cpus = sysconf(_SC_NPROCESSORS_CONF);
  unsigned n = cpus > 0 ? (unsigned)cpus : 1;
  unsigned per_pool = m->transport.queue_depth ? m->transport.queue_depth : IP_DEFAULT_RING_DEPTH;
  m->offload = calloc(n, sizeof(*m->offload));
  if (!m->offload) return -1;
  for (unsigned i = 0; i < n; i++) {
    if (ip_offload_init(&m->offload[i], per_pool, (int)i, ip_transport_not_a_ring, NULL) != 0) return -1;
    m->offload_pools = i + 1;
  }
  return 0;
}

static pthread_once_t tune_allocator_once = PTHREAD_ONCE_INIT;

/* mount({ backing, mountpoint, fuseOptions, record, batchRows, batches, maxThreads,
 *         onEvent(kind), decide(op, path, path2, size, offset, pid, uid, gid, nowNs), verdict: Float64Array }) */
static napi_value js_mount(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value opts;
  CHECK(napi_get_cb_info(env, info, &argc, &opts, NULL, NULL));

  pthread_once(&tune_allocator_once, tune_allocator);
  ip_mount *m = calloc(1, sizeof(*m));
  m->backing = get_string(env, opts, "backing");
  m->mountpoint = get_string(env, opts, "mountpoint");
  char *fuse_options = get_string(env, opts, "fuseOptions");
  m->record = (int)get_int(env, opts, "record", 1);
  m->max_threads = (int)get_int(env, opts, "maxThreads", 16);
  uint32_t batch_rows = (uint32_t)get_int(env, opts, "batchRows", 32768);
  uint32_t batches = (uint32_t)get_int(env, opts, "batches", 4);
  m->transport.want_uring = (int)get_int(env, opts, "ioUring", 0);
  m->transport.queue_depth = (unsigned)get_int(env, opts, "ioUringQueueDepth", 0);
  m->transport.spread_rings = !get_int(env, opts, "ioUringPinThreads", 0);
  if (!m->backing || !m->mountpoint || !fuse_options) {
    free(fuse_options);
    free_mount(m);
    napi_throw_type_error(env, NULL, "mount: backing, mountpoint and fuseOptions are required strings");
    return NULL;
  }
  const char *offload = getenv("INTERPOSER_IO_URING_OFFLOAD");
  m->offload_enabled = offload && strcmp(offload, "1") == 0;
  if (start_offload_pools(m) != 0) {
    free(fuse_options);
    free_mount(m);
    napi_throw_error(env, "ENOMEM", "mount: out of memory");
    return NULL;
  }

  napi_value on_event, decide, verdict;
  CHECK(napi_get_named_property(env, opts, "onEvent", &on_event));
  CHECK(napi_get_named_property(env, opts, "decide", &decide));
  CHECK(napi_get_named_property(env, opts, "verdict", &verdict));
  napi_typedarray_type vt;
  size_t vlen;
  void *vdata;
  napi_value vbuf;
  size_t voff;
  if (napi_get_typedarray_info(env, verdict, &vt, &vlen, &vdata, &vbuf, &voff) != napi_ok || vt != napi_float64_array ||
      vlen < IP_VERDICT_SLOTS) {
    free(fuse_options);
    free_mount(m);
    napi_throw_type_error(env, NULL, "mount: verdict must be a Float64Array of IP_VERDICT_SLOTS (136) slots");
    return NULL;
  }
  m->verdict_slots = vdata;
  napi_ref verdict_ref; /* keep the verdict array alive as long as the mount */
  napi_create_reference(env, verdict, 1, &verdict_ref);

  int root_fd = open(m->backing, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int root_err = root_fd < 0 ? errno : -ip_inodes_init(&m->inodes, root_fd);
  if (root_err) {
    if (root_fd >= 0 && !m->inodes.buckets) close(root_fd);
    char msg[512];
    snprintf(msg, sizeof(msg), "cannot open backing directory %s: %s", m->backing, strerror(root_err));
    free(fuse_options);
    free_mount(m);
    napi_throw_error(env, "EBACKING", msg);
    return NULL;
  }
  if (ip_tracebuf_init(&m->trace, batches, batch_rows, on_batch_ready, m) != 0) {
    free(fuse_options);
    free_mount(m);
    napi_throw_error(env, "ENOMEM", "cannot allocate trace buffers");
    return NULL;
  }
  m->switch_creds = geteuid() == 0;
  if (m->switch_creds) {
    int n = getgroups(0, NULL);
    m->own_groups = calloc(n > 0 ? (size_t)n : 1, sizeof(gid_t));
    m->own_group_count = n > 0 ? getgroups(n, m->own_groups) : 0;
  }
  /* Modes arrive already masked by the caller's umask; ours must not mask them again. */
  umask(0);

  /* Every inode the kernel holds keeps an O_PATH fd open here: allow as many as we may. */
  struct rlimit files;
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  /* libfuse's own explanation of a failure goes into the thrown error, not onto stderr. */
  char why[600];
  ip_fuse_log_capture_begin();
  int opened = session_open(m, fuse_options);
  free(fuse_options);
  if (opened == -1) {
    snprintf(why, sizeof(why), "invalid FUSE options: %s", ip_fuse_log_capture_end());
    free_mount(m);
    napi_throw_error(env, "EFUSEOPT", why);
    return NULL;
  }
  if (opened != 0) {
    snprintf(why, sizeof(why), "cannot mount %s: %s", m->mountpoint, ip_fuse_log_capture_end());
    free_mount(m);
    napi_throw_error(env, "EMOUNT", why);
    return NULL;
  }
  ip_fuse_log_capture_end();
  /* Trace times count from the instant JS paired with its wall clock (originNs), so
   * wall-clock anchor + start_ns is exact; without it, from now. */
  napi_value origin_v;
  bool lossless;
  if (napi_get_named_property(env, opts, "originNs", &origin_v) != napi_ok ||
      napi_get_value_bigint_int64(env, origin_v, &m->origin_ns, &lossless) != napi_ok)
    m->origin_ns = ip_now_ns();

  napi_value name;
  napi_create_string_utf8(env, "interposer", NAPI_AUTO_LENGTH, &name);
  CHECK(napi_create_threadsafe_function(env, on_event, NULL, name, 0, 1, NULL, NULL, m, call_ready_js, &m->ready_tsfn));
  CHECK(napi_create_threadsafe_function(env, decide, NULL, name, 0, 1, NULL, NULL, m, ip_overlay_call_js,
                                        &m->decide_tsfn));
  /* The mount must not keep the process alive by itself; the JS side holds a timer/handle. */
  napi_unref_threadsafe_function(env, m->ready_tsfn);
  napi_unref_threadsafe_function(env, m->decide_tsfn);

  if (pthread_create(&m->loop_thread, NULL, loop_main, m) != 0) {
    fuse_session_unmount(m->se);
    fuse_session_destroy(m->se);
    free_mount(m);
    napi_throw_error(env, "ETHREAD", "cannot start the FUSE loop thread");
    return NULL;
  }
  m->loop_started = 1;

  napi_value handle;
  CHECK(napi_create_external(env, m, NULL, NULL, &handle));
  napi_value out, origin;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_set_named_property(env, out, "handle", handle));
  CHECK(napi_create_bigint_int64(env, m->origin_ns, &origin));
  CHECK(napi_set_named_property(env, out, "originNs", origin));
  return out;
}

static ip_mount *get_mount(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) {
    napi_throw_type_error(env, NULL, "expected a mount handle");
    return NULL;
  }
  return p;
}

/* Reads up to argc arguments into argv; the first must be a mount handle, returned. */
static ip_mount *mount_args(napi_env env, napi_callback_info info, size_t argc, napi_value *argv) {
  size_t n = argc;
  if (napi_get_cb_info(env, info, &n, argv, NULL, NULL) != napi_ok || n < 1) {
    napi_throw_type_error(env, NULL, "expected a mount handle as first argument");
    return NULL;
  }
  return get_mount(env, argv[0]);
}

/* An ArrayBuffer holding a copy of src. Through a Buffer copy: napi_create_arraybuffer zeroes its
 * memory before the copy would overwrite it (a second pass over every drained byte). */
static napi_value copy_buffer(napi_env env, const void *src, size_t len) {
  napi_value buffer, ab;
  void *data;
  if (napi_create_buffer_copy(env, len, len ? src : "", &data, &buffer) != napi_ok) return NULL;
  size_t offset = 0;
  napi_typedarray_type type;
  size_t length;
  if (napi_get_typedarray_info(env, buffer, &type, &length, &data, &ab, &offset) != napi_ok) return NULL;
  size_t ab_length = 0;
  void *ab_data;
  if (offset == 0 && napi_get_arraybuffer_info(env, ab, &ab_data, &ab_length) == napi_ok && ab_length == len) return ab;
  /* A copy inside a shared pool: the views over it need a buffer of exactly this batch's bytes. */
  if (napi_create_arraybuffer(env, len, &data, &ab) != napi_ok) return NULL;
  if (len) memcpy(data, src, len);
  return ab;
}

/* drain(handle, partial) -> [{ length, columns: {name: ArrayBuffer}, valid: {name: ArrayBuffer}, strings: ArrayBuffer }]
 * The full batches, and with `partial` the one being filled too. */
static napi_value js_drain(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  ip_mount *m = mount_args(env, info, 2, argv);
  if (!m) return NULL;
  bool partial = true;
  napi_get_value_bool(env, argv[1], &partial);
  ip_batch *taken[64];
  uint32_t n = ip_tracebuf_take(&m->trace, taken, 64, partial);
  napi_value list;
  CHECK(napi_create_array_with_length(env, n, &list));
  for (uint32_t i = 0; i < n; i++) {
    ip_batch *b = taken[i];
    napi_value obj, cols, valid, len;
    napi_create_object(env, &obj);
    napi_create_object(env, &cols);
    napi_create_object(env, &valid);
    napi_create_uint32(env, b->length, &len);
    napi_set_named_property(env, obj, "length", len);
    for (int c = 0; c < COL_COUNT; c++) {
      napi_set_named_property(env, cols, ip_columns[c].name,
                              copy_buffer(env, b->data[c], (size_t)b->length * ip_columns[c].width));
      if (ip_columns[c].nullable)
        napi_set_named_property(env, valid, ip_columns[c].name, copy_buffer(env, b->valid[c], b->length));
    }
    napi_set_named_property(env, obj, "columns", cols);
    napi_set_named_property(env, obj, "valid", valid);
    napi_set_named_property(env, obj, "strings", copy_buffer(env, b->arena, b->arena_len));
    napi_set_element(env, list, i, obj);
  }
  ip_tracebuf_give_back(&m->trace, taken, n);
  return list;
}

/* Reads one op's scopes (an array of strings, or null = any path) into a new list. Returns 0 and
 * sets *out (NULL for "any path") on success, -1 with a JS exception pending otherwise. */
static int read_scopes(napi_env env, napi_value value, ip_path_scopes **out) {
  *out = NULL;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) return -1;
  if (type == napi_null || type == napi_undefined) return 0;
  bool is_array = false;
  napi_is_array(env, value, &is_array);
  uint32_t count = 0;
  if (is_array) napi_get_array_length(env, value, &count);
  char **prefixes = is_array ? calloc(count ? count : 1, sizeof(char *)) : NULL;
  int ok = prefixes != NULL;
  for (uint32_t i = 0; ok && i < count; i++) {
    napi_value item;
    size_t len = 0;
    ok = napi_get_element(env, value, i, &item) == napi_ok &&
         napi_get_value_string_utf8(env, item, NULL, 0, &len) == napi_ok && (prefixes[i] = malloc(len + 1)) &&
         napi_get_value_string_utf8(env, item, prefixes[i], len + 1, &len) == napi_ok;
  }
  if (ok) *out = ip_path_scopes_new((const char *const *)prefixes, count);
  for (uint32_t i = 0; prefixes && i < count; i++) free(prefixes[i]);
  free(prefixes);
  if (!ok || !*out) {
    napi_throw_type_error(env, NULL, "setInterest: each op's scopes must be an array of strings or null");
    return -1;
  }
  return 0;
}

/* setInterest(handle, low32, high32, scopesByOp): ops whose bit is set are sent to decide(),
 * unless neither of their paths starts with one of scopesByOp[op] (null entry, or no array at
 * all = any path may match). */
static napi_value js_set_interest(napi_env env, napi_callback_info info) {
  napi_value argv[4]; /* a missing scopesByOp arrives as undefined */
  ip_mount *m = mount_args(env, info, 4, argv);
  if (!m) return NULL;
  uint32_t lo, hi;
  CHECK(napi_get_value_uint32(env, argv[1], &lo));
  CHECK(napi_get_value_uint32(env, argv[2], &hi));
  ip_path_scopes *scopes[OP_COUNT] = {0};
  bool by_op = false;
  napi_is_array(env, argv[3], &by_op);
  for (int op = 0; by_op && op < OP_COUNT; op++) {
    napi_value entry;
    if (napi_get_element(env, argv[3], (uint32_t)op, &entry) != napi_ok || read_scopes(env, entry, &scopes[op]) != 0) {
      for (int i = 0; i < op; i++) ip_path_scopes_free(scopes[i]);
      return NULL;
    }
  }
  /* Scopes first: an op that sees the new mask must also see the scopes that go with it. */
  for (int op = 0; op < OP_COUNT; op++) scopes[op] = atomic_exchange(&m->scopes[op], scopes[op]);
  /* A thread that loaded an old list counted itself in first: once the count reads zero, none
   * is left (the check takes well under a microsecond, so this wait is short). */
  while (atomic_load(&m->scope_readers) != 0) sched_yield();
  for (int op = 0; op < OP_COUNT; op++) ip_path_scopes_free(scopes[op]);
  atomic_store(&m->interest_mask, ((uint64_t)hi << 32) | lo);
  /* Called on every rule change: answers about paths under the old rules no longer hold. */
  ip_overlay_forget_idle(m);
  return NULL;
}

typedef struct unmount_work {
  ip_mount *m;
  napi_async_work work;
  napi_deferred deferred;
} unmount_work;

static void unmount_execute(napi_env env, void *data) {
  unmount_work *w = data;
  /* Detach only: open files are served until closed, then the loop exits (detach.h). */
  if (ip_detach_mount(w->m->mountpoint) != 0) fuse_session_unmount(w->m->se);
}

static void unmount_complete(napi_env env, napi_status status, void *data) {
  unmount_work *w = data;
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  napi_resolve_deferred(env, w->deferred, undefined);
  napi_delete_async_work(env, w->work);
  free(w);
}

/* unmount(handle) -> Promise: resolves when the unmount call returned. The loop's exit is
 * reported separately through onEvent(2); destroy() must wait for both, since libfuse's
 * unmount and destroy touch the same session. */
static napi_value js_unmount(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  ip_mount *m = mount_args(env, info, 1, argv);
  if (!m) return NULL;
  atomic_store(&m->closing, 1);
  m->unmount_called = 1;
  unmount_work *w = calloc(1, sizeof(*w));
  w->m = m;
  napi_value promise;
  CHECK(napi_create_promise(env, &w->deferred, &promise));
  napi_value name;
  napi_create_string_utf8(env, "interposer-unmount", NAPI_AUTO_LENGTH, &name);
  CHECK(napi_create_async_work(env, NULL, name, unmount_execute, unmount_complete, w, &w->work));
  CHECK(napi_queue_async_work(env, w->work));
  return promise;
}

/* destroy(handle): after onEvent(2): joins the loop thread and frees everything. */
static napi_value js_destroy(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  ip_mount *m = mount_args(env, info, 1, argv);
  if (!m) return NULL;
  atomic_store(&m->closing, 1);
  if (m->loop_started) pthread_join(m->loop_thread, NULL);
  m->loop_started = 0;
  /* Unmounted from outside: still let libfuse close its end of the connection. */
  if (!m->unmount_called) fuse_session_unmount(m->se);
  fuse_session_destroy(m->se);
  napi_release_threadsafe_function(m->ready_tsfn, napi_tsfn_abort);
  napi_release_threadsafe_function(m->decide_tsfn, napi_tsfn_abort);
  /* Trace buffers stay readable until free: JS drains once more before calling destroy. */
  free_mount(m);
  return NULL;
}

/* recordEvent(handle, what, detail) -> false if the buffers are full (drain, then retry): a marker row (op "event") in the trace, in order with the
 * operations around it: rule changes, checkpoints, dropped writes. */
static napi_value js_record_event(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  ip_mount *m = mount_args(env, info, 3, argv);
  if (!m) return NULL;
  char what[256], detail[4096];
  size_t len;
  CHECK(napi_get_value_string_utf8(env, argv[1], what, sizeof(what), &len));
  CHECK(napi_get_value_string_utf8(env, argv[2], detail, sizeof(detail), &len));
  if (!m->record) return NULL;
  ip_record r = {.op = OP_EVENT, .path = what, .path2 = detail, .fh = IP_NULL64, .offset = IP_NULL64,
                 .size = IP_NULL64, .flags = IP_NULL32, .mode = IP_NULL32, .pid = getpid(), .tid = getpid(),
                 .uid = (int32_t)getuid(), .gid = (int32_t)getgid(), .comm = "interposer", .fault_kind = -1,
                 .fault_errno = IP_NULL32, .fault_delay_ns = IP_NULL64, .fault_truncated_to = IP_NULL64,
                 .throttle_wait_ns = IP_NULL64};
  r.start_ns = r.end_ns = ip_now_ns() - m->origin_ns;
  napi_value ok;
  napi_get_boolean(env, ip_tracebuf_try_append(&m->trace, &r), &ok);
  return ok;
}

/* stats(handle) -> { stalls, rows } */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  ip_mount *m = mount_args(env, info, 1, argv);
  if (!m) return NULL;
  pthread_mutex_lock(&m->trace.mu);
  uint64_t stalls = m->trace.stalls;
  int64_t rows = m->trace.next_seq;
  pthread_mutex_unlock(&m->trace.mu);
  napi_value out, v;
  napi_create_object(env, &out);
  napi_create_double(env, (double)stalls, &v);
  napi_set_named_property(env, out, "stalls", v);
  napi_create_double(env, (double)rows, &v);
  napi_set_named_property(env, out, "rows", v);
  /* How rows get the caller's name: cached until a task changes, or one /proc read per row. */
  napi_create_string_utf8(env, ip_task_events_available() ? "task-events" : "proc", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, out, "callerNames", v);
  return out;
}

/* transport(handle) -> { state: "pending" | "dev-fuse" | "io_uring" | "io_uring-failed",
 *                        kernelOffers: boolean } (see transport.h) */
static napi_value js_transport(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  ip_mount *m = mount_args(env, info, 1, argv);
  if (!m) return NULL;
  int state = atomic_load(&m->transport.state);
  napi_value out, v;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_string_utf8(env, ip_transport_state_name(state), NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, out, "state", v));
  CHECK(napi_get_boolean(env, state != IP_TRANSPORT_PENDING && m->transport.kernel_offers, &v));
  CHECK(napi_set_named_property(env, out, "kernelOffers", v));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"mount", NULL, js_mount, NULL, NULL, NULL, napi_default, NULL},
      {"drain", NULL, js_drain, NULL, NULL, NULL, napi_default, NULL},
      {"setInterest", NULL, js_set_interest, NULL, NULL, NULL, napi_default, NULL},
      {"unmount", NULL, js_unmount, NULL, NULL, NULL, napi_default, NULL},
      {"destroy", NULL, js_destroy, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL},
      {"recordEvent", NULL, js_record_event, NULL, NULL, NULL, napi_default, NULL},
      {"transport", NULL, js_transport, NULL, NULL, NULL, napi_default, NULL},
      {"peerCredentials", NULL, js_peer_credentials, NULL, NULL, NULL, napi_default, NULL},
      {"checkFuseOptions", NULL, ip_js_check_fuse_options, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  /* Whether this build's libfuse can do FUSE over io_uring at all (>= 3.18). */
  napi_value uring;
  napi_get_boolean(env, ip_transport_compiled(), &uring);
  napi_set_named_property(env, exports, "ioUringCompiled", uring);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
