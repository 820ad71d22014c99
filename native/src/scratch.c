#include "scratch.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static ip_scratch *pool_free; /* LIFO: the buffer used last is the likeliest to be cache-warm */

ip_scratch *ip_scratch_get(size_t size) {
  pthread_mutex_lock(&pool_mu);
  ip_scratch *s = pool_free;
  if (s) pool_free = s->next;
  pthread_mutex_unlock(&pool_mu);
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
  if (!s) return;
  pthread_mutex_lock(&pool_mu);
  s->next = pool_free;
  pool_free = s;
  pthread_mutex_unlock(&pool_mu);
}

void ip_scratch_release_all(void) {
  pthread_mutex_lock(&pool_mu);
  ip_scratch *s = pool_free;
  pool_free = NULL;
  pthread_mutex_unlock(&pool_mu);
  while (s) {
    ip_scratch *next = s->next;
    free(s->data);
    free(s);
    s = next;
  }
}
