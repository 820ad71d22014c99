/* Credentials of the process at the other end of a unix socket (SO_PEERCRED, SO_PEERGROUPS). */
#ifndef INTERPOSER_PEER_CRED_H
#define INTERPOSER_PEER_CRED_H

#include <node_api.h>

/* peerCredentials(fd) -> { pid, uid, gid, groups: number[] }; throws on a non-socket fd. */
napi_value js_peer_credentials(napi_env env, napi_callback_info info);

#endif
