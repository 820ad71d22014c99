#include "scratch.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct scratch {
  char *data;
  size_t capacity;
} scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p) {
  scratch *s = p;
  free(s->data);
  free(s);
}

static void scratch_key_create(void) { pthread_key_create(&scratch_key, scratch_free); }

char *ip_scratch(size_t size) {
  pthread_once(&scratch_once, scratch_key_create);
  scratch *s = pthread_getspecific(scratch_key);
  if (!s) {
    s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    pthread_setspecific(scratch_key, s);
  }
  if (s->capacity >= size && s->data) return s->data;
  size_t capacity = s->capacity ? s->capacity : IP_DIRECT_ALIGN;
  while (capacity < size) capacity *= 2;
  void *data = NULL;
  if (posix_memalign(&data, IP_DIRECT_ALIGN, capacity) != 0) return NULL;
  free(s->data);
  s->data = data;
  s->capacity = capacity;
  return s->data;
}
