#include "splice_pipe.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

static ip_free_list pool = IP_FREE_LIST_INIT;
/* The smallest size F_SETPIPE_SZ refused (0: none yet): larger requests do not ask again. */
static _Atomic size_t refused_size;

static ip_pipe *pipe_new(void) {
  ip_pipe *p = calloc(1, sizeof(*p));
  if (!p) return NULL;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    free(p);
    return NULL;
  }
  p->read_fd = fds[0];
  p->write_fd = fds[1];
  int size = fcntl(p->write_fd, F_GETPIPE_SZ);
  p->capacity = size > 0 ? (size_t)size : 0;
  return p;
}

ip_pipe *ip_pipe_get(size_t size) {
  size_t refused = atomic_load(&refused_size);
  if (refused && size >= refused) return NULL;
  ip_pipe *p = (ip_pipe *)ip_free_list_pop(&pool);
  if (!p && !(p = pipe_new())) return NULL;
  if (p->capacity < size) {
    int got = fcntl(p->write_fd, F_SETPIPE_SZ, (int)size);
    if (got < 0) { /* above pipe-max-size for an unprivileged server: it keeps its size */
      atomic_store(&refused_size, size);
      ip_pipe_put(p);
      return NULL;
    }
    p->capacity = (size_t)got;
  }
  return p;
}

void ip_pipe_put(ip_pipe *p) {
  if (p) ip_free_list_push(&pool, &p->link);
}

void ip_pipe_discard(ip_pipe *p) {
  if (!p) return;
  close(p->read_fd);
  close(p->write_fd);
  free(p);
}

void ip_pipe_release_all(void) {
  ip_pipe *p = (ip_pipe *)ip_free_list_take_all(&pool);
  while (p) {
    ip_pipe *next = (ip_pipe *)p->link.next;
    ip_pipe_discard(p);
    p = next;
  }
}
