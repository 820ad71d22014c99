/*
 * interposer_creds: lets a replay worker thread act as a recorded caller. Linux keeps fsuid,
 * fsgid and the supplementary groups per thread; the raw syscalls change only the calling thread
 * (glibc's setgroups() would change every thread of the process). Needs CAP_SETUID/CAP_SETGID.
 */
#include <errno.h>
#include <node_api.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_GROUPS 256

/* actAs(uid, gid, groups: Int32Array) -> 0, or the errno that refused the switch. */
static napi_value act_as(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t uid = 0, gid = 0;
  napi_get_value_uint32(env, argv[0], &uid);
  napi_get_value_uint32(env, argv[1], &gid);
  gid_t groups[MAX_GROUPS];
  size_t n = 0;
  napi_typedarray_type type;
  void *data = NULL;
  size_t length = 0;
  if (argc > 2 && napi_get_typedarray_info(env, argv[2], &type, &length, &data, NULL, NULL) == napi_ok &&
      type == napi_int32_array) {
    n = length < MAX_GROUPS ? length : MAX_GROUPS;
    for (size_t i = 0; i < n; i++) groups[i] = (gid_t)((int32_t *)data)[i];
  }
  int err = 0;
  if (syscall(SYS_setgroups, n, groups) != 0) err = errno;
  if (!err) {
    syscall(SYS_setfsgid, gid);
    if ((uint32_t)syscall(SYS_setfsgid, -1) != gid) err = EPERM; /* setfsgid reports no error itself */
  }
  if (!err) {
    syscall(SYS_setfsuid, uid);
    if ((uint32_t)syscall(SYS_setfsuid, -1) != uid) err = EPERM;
  }
  napi_create_int32(env, err, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "actAs", NAPI_AUTO_LENGTH, act_as, NULL, &fn);
  napi_set_named_property(env, exports, "actAs", fn);
  return exports;
}
