/*
 * checkFuseOptions("a,b=1"): asks libfuse itself whether it accepts a mount's -o options, without
 * mounting anything, so `interposer mount -o typo` is refused before any file is created.
 * libfuse reports unknown options through its log; that message is captured and returned
 * (null when every option is accepted) instead of going to stderr.
 */
#include <node_api.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stddef.h>

#include <fuse_lowlevel.h>
#include <fuse_log.h>
#include <fuse_opt.h>

#include "fuse_options.h"

#define CACHE_OPT(t, field, value) {t, offsetof(ip_cache_options, field), value}
static const struct fuse_opt cache_option_spec[] = {
    CACHE_OPT("attr_timeout=%lf", attr_timeout, 0),
    CACHE_OPT("entry_timeout=%lf", entry_timeout, 0),
    CACHE_OPT("negative_timeout=%lf", negative_timeout, 0),
    CACHE_OPT("keep_cache", keep_cache, 1),
    CACHE_OPT("no_keep_cache", keep_cache, 0),
    CACHE_OPT("writeback_cache", writeback_cache, 1),
    CACHE_OPT("no_writeback_cache", writeback_cache, 0),
    FUSE_OPT_END,
};

int ip_fuse_take_cache_options(struct fuse_args *args, ip_cache_options *out) {
  return fuse_opt_parse(args, out, cache_option_spec, NULL) == 0 ? 0 : -1;
}

static char captured[512];

static void capture_log(enum fuse_log_level level, const char *fmt, va_list ap) {
  (void)level;
  size_t used = strlen(captured);
  if (used + 1 < sizeof(captured)) vsnprintf(captured + used, sizeof(captured) - used, fmt, ap);
}

static const struct fuse_lowlevel_ops no_ops;

void ip_fuse_log_capture_begin(void) {
  captured[0] = '\0';
  fuse_set_log_func(capture_log);
}

/* Ends the capture; returns libfuse's first message line without "fuse: " (static storage). */
const char *ip_fuse_log_capture_end(void) {
  fuse_set_log_func(NULL); /* back to libfuse's default (stderr) */
  char *msg = captured;
  if (strncmp(msg, "fuse: ", 6) == 0) msg += 6;
  msg[strcspn(msg, "\n")] = '\0';
  return msg;
}

napi_value ip_js_check_fuse_options(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  size_t len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_string_utf8(env, argv[0], NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "checkFuseOptions(options: string)");
    return NULL;
  }
  char *options = malloc(len + 1);
  if (!options) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, argv[0], options, len + 1, &len);

  ip_fuse_log_capture_begin();
  char *args_v[] = {"interposer", "-o", options, NULL};
  struct fuse_args args = FUSE_ARGS_INIT(3, args_v);
  /* The same path as a mount (addon.c session_open): our caching options out, then the session. */
  ip_cache_options cache = {0};
  struct fuse_session *f =
      ip_fuse_take_cache_options(&args, &cache) == 0 ? fuse_session_new(&args, &no_ops, sizeof(no_ops), NULL) : NULL;
  fuse_opt_free_args(&args);
  if (f) fuse_session_destroy(f);
  const char *msg = ip_fuse_log_capture_end();
  free(options);

  napi_value result;
  if (f) {
    napi_get_null(env, &result);
    return result;
  }
  napi_create_string_utf8(env, msg[0] ? msg : "libfuse refused the options", NAPI_AUTO_LENGTH, &result);
  return result;
}
