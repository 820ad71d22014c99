/* The -o option string: our kernel-caching options, libfuse's verdict on the rest, and libfuse's
 * log captured into error messages (fuse_options.c). */
#ifndef INTERPOSER_FUSE_OPTIONS_H
#define INTERPOSER_FUSE_OPTIONS_H

#include <node_api.h>

struct fuse_args;

/* Kernel-caching options (seconds; flags). libfuse's low-level session would reject them (they
 * belong to its high-level API, or are ours), so they are taken out of the arguments first. */
typedef struct ip_cache_options {
  double attr_timeout, entry_timeout, negative_timeout;
  int keep_cache, writeback_cache;
} ip_cache_options;

/* Removes attr_timeout=, entry_timeout=, negative_timeout=, [no_]keep_cache and
 * [no_]writeback_cache from args into *out. 0, or -1 (a malformed value; libfuse logged why). */
int ip_fuse_take_cache_options(struct fuse_args *args, ip_cache_options *out);

napi_value ip_js_check_fuse_options(napi_env env, napi_callback_info info);
void ip_fuse_log_capture_begin(void);
const char *ip_fuse_log_capture_end(void);

#endif
