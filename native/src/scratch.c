#include "scratch.h"

#include <stdlib.h>

static ip_free_list pool = IP_FREE_LIST_INIT;

ip_scratch *ip_scratch_get(size_t size) {
  ip_scratch *s = (ip_scratch *)ip_free_list_pop(&pool);
  if (!s && !(s = calloc(1, sizeof(*s)))) return NULL;
  if (s->data && s->capacity >= size) return s;
  size_t capacity = s->capacity ? s->capacity : IP_DIRECT_ALIGN;
  while (capacity < size) capacity *= 2;
  void *data = NULL;
  if (posix_memalign(&data, IP_DIRECT_ALIGN, capacity) != 0) {
    ip_scratch_put(s); /* keeps its old (smaller) buffer for later requests */
    return NULL;
  }
  free(s->data);
  s->data = data;
  s->capacity = capacity;
  return s;
}

void ip_scratch_put(ip_scratch *s) {
  if (s) ip_free_list_push(&pool, &s->link);
}

void ip_scratch_release_all(void) {
  ip_scratch *s = (ip_scratch *)ip_free_list_take_all(&pool);
  while (s) {
    ip_scratch *next = (ip_scratch *)s->link.next;
    free(s->data);
    free(s);
    s = next;
  }
}
