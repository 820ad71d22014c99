/*
 * Who is on the other end of the control socket. Node has no SO_PEERCRED, and the control
 * socket's access check must not trust anything the client says about itself: the kernel's
 * record of the connecting process (taken at connect time) is the only honest answer.
 */
#include "peer_cred.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux >= 4.13 */
#endif

static napi_value throw_errno(napi_env env, const char *what) {
  char msg[160];
  snprintf(msg, sizeof(msg), "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

/* Supplementary groups at connect time; n_out = -1 when the kernel cannot say. */
static gid_t *peer_groups(int fd, int *n_out) {
  socklen_t len = 32 * sizeof(gid_t);
  for (int attempt = 0; attempt < 4; attempt++) {
    gid_t *groups = malloc(len);
    if (!groups) break;
    socklen_t got = len;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &got) == 0) {
      *n_out = (int)(got / sizeof(gid_t));
      return groups;
    }
    free(groups);
    if (errno != ERANGE) break;
    len = got > len ? got : len * 4; /* ERANGE sets got to the size needed */
  }
  *n_out = -1;
  return NULL;
}

napi_value js_peer_credentials(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "peerCredentials(fd) needs a socket file descriptor");
    return NULL;
  }
  struct ucred cred;
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return throw_errno(env, "SO_PEERCRED");

  napi_value out, v, list;
  napi_create_object(env, &out);
  napi_create_int32(env, cred.pid, &v);
  napi_set_named_property(env, out, "pid", v);
  napi_create_uint32(env, cred.uid, &v);
  napi_set_named_property(env, out, "uid", v);
  napi_create_uint32(env, cred.gid, &v);
  napi_set_named_property(env, out, "gid", v);

  int n = 0;
  gid_t *groups = peer_groups(fd, &n);
  napi_create_array_with_length(env, n < 0 ? 0 : (size_t)n, &list);
  for (int i = 0; i < n; i++) {
    napi_create_uint32(env, groups[i], &v);
    napi_set_element(env, list, (uint32_t)i, v);
  }
  free(groups);
  napi_set_named_property(env, out, "groups", list);
  return out;
}
