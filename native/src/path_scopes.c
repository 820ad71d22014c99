#include "path_scopes.h"

#include <stdlib.h>
#include <string.h>

ip_path_scopes *ip_path_scopes_new(const char *const *prefixes, size_t count) {
  ip_path_scopes *s = calloc(1, sizeof(*s));
  if (!s) return NULL;
  s->length = calloc(count ? count : 1, sizeof(size_t));
  s->prefix = calloc(count ? count : 1, sizeof(char *));
  if (!s->length || !s->prefix) {
    ip_path_scopes_free(s);
    return NULL;
  }
  for (size_t i = 0; i < count; i++) {
    if (!(s->prefix[i] = strdup(prefixes[i]))) {
      ip_path_scopes_free(s);
      return NULL;
    }
    s->length[i] = strlen(prefixes[i]);
    s->count = i + 1;
  }
  return s;
}

void ip_path_scopes_free(ip_path_scopes *scopes) {
  if (!scopes) return;
  for (size_t i = 0; i < scopes->count; i++) free(scopes->prefix[i]);
  free(scopes->prefix);
  free(scopes->length);
  free(scopes);
}

int ip_path_scopes_contain(const ip_path_scopes *scopes, const char *path) {
  if (!path) return 0;
  while (*path == '/') path++; /* rules match relative to the mount root */
  for (size_t i = 0; i < scopes->count; i++)
    if (strncmp(path, scopes->prefix[i], scopes->length[i]) == 0) return 1;
  return 0;
}
