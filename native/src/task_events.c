#include "task_events.h"

#include <linux/perf_event.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int ncpus; /* 0 = unavailable */
static struct perf_event_mmap_page **pages;

static int open_ring(int cpu) {
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_DUMMY; /* counts nothing: only the side-band records below */
  attr.comm = 1;                     /* PERF_RECORD_COMM on every rename, exec included */
  attr.task = 1;                     /* PERF_RECORD_FORK / _EXIT: a thread id may be reused */
  attr.wakeup_events = 0;
  return (int)syscall(SYS_perf_event_open, &attr, -1 /* every task */, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static void open_rings(void) {
  const char *env = getenv("INTERPOSER_TASK_EVENTS");
  if (env && strcmp(env, "0") == 0) return;
  long n = sysconf(_SC_NPROCESSORS_CONF);
  if (n <= 0) return;
  /* A record lands in the ring of the CPU it happened on: every CPU needs one, so one that
   * cannot be opened (offline, not permitted) leaves the counter unavailable. */
  struct perf_event_mmap_page **p = calloc((size_t)n, sizeof(*p));
  if (!p) return;
  /* Mapped read-only, the ring overwrites itself: nobody reads the records, only the position. */
  size_t len = 2 * (size_t)sysconf(_SC_PAGESIZE);
  long i;
  for (i = 0; i < n; i++) {
    int fd = open_ring((int)i);
    if (fd < 0) break;
    void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    close(fd); /* the mapping keeps the event */
    if (m == MAP_FAILED) break;
    p[i] = m;
  }
  if (i < n) {
    for (long j = 0; j < i; j++) munmap(p[j], len);
    free(p);
    return;
  }
  pages = p;
  ncpus = (int)n;
}

int ip_task_events_available(void) {
  pthread_once(&once, open_rings);
  return ncpus > 0;
}

uint64_t ip_task_events_generation(void) {
  uint64_t sum = 0;
  for (int i = 0; i < ncpus; i++) sum += __atomic_load_n(&pages[i]->data_head, __ATOMIC_ACQUIRE);
  return sum;
}
