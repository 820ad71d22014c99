/*
 * Path scopes: literal prefixes (relative to the mount root) outside which no overlay rule can
 * match. An op whose path and second path both fall outside them is let through without asking
 * JS, even on a path seen for the first time (the per-path idle cache needs one question per
 * path first). NULL scopes mean "any path may match".
 *
 * Lists are immutable once published; a replaced list is kept until the mount is freed, since a
 * FUSE thread may still be reading it (rule changes are rare, lists are small).
 */
#ifndef INTERPOSER_PATH_SCOPES_H
#define INTERPOSER_PATH_SCOPES_H

#include <stddef.h>

typedef struct ip_path_scopes {
  struct ip_path_scopes *retired_next;
  size_t count;
  size_t *length;
  char **prefix;
} ip_path_scopes;

/* Copies `count` prefixes; NULL when out of memory. */
ip_path_scopes *ip_path_scopes_new(const char *const *prefixes, size_t count);
void ip_path_scopes_free_chain(ip_path_scopes *head);

/* 1 when `path` (FUSE form, "/a/b", or a relative second path) starts with one of the prefixes. */
int ip_path_scopes_contain(const ip_path_scopes *scopes, const char *path);

#endif
