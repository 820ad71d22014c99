/*
 * Path scopes: literal prefixes (relative to the mount root) outside which no overlay rule can
 * match. An op whose path and second path both fall outside them is let through without asking
 * JS, even on a path seen for the first time (the per-path idle cache needs one question per
 * path first). NULL scopes mean "any path may match".
 *
 * Lists are immutable once published; a replaced one is freed only when no FUSE thread can
 * still be reading it (see ip_mount.scope_readers).
 */
#ifndef INTERPOSER_PATH_SCOPES_H
#define INTERPOSER_PATH_SCOPES_H

#include <stddef.h>

typedef struct ip_path_scopes {
  size_t count;
  size_t *length;
  char **prefix;
} ip_path_scopes;

/* Copies `count` prefixes; NULL when out of memory. */
ip_path_scopes *ip_path_scopes_new(const char *const *prefixes, size_t count);
void ip_path_scopes_free(ip_path_scopes *scopes);

/* 1 when `path` (FUSE form, "/a/b", or a relative second path) starts with one of the prefixes. */
int ip_path_scopes_contain(const ip_path_scopes *scopes, const char *path);

#endif
