#include "proc_cache.h"
#include "task_events.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define CACHE_SLOTS 4096 /* power of two */
#define STRIPES 64       /* locks; a slot uses stripe (slot % STRIPES) */
#define MAX_HELD_FDS 256 /* open comm files, so the mount's own files never run short of fds */

typedef struct entry {
  int32_t tid; /* 0 = empty */
  int comm_fd; /* /proc/<tid>/comm, or -1 when over the fd budget (then read afresh per lookup) */
  uint64_t generation; /* ip_task_events_generation() when info was last read */
  ip_proc_info info;
} entry;

static entry cache[CACHE_SLOTS] = {[0 ... CACHE_SLOTS - 1] = {.comm_fd = -1}};
static pthread_mutex_t stripes[STRIPES] = {[0 ... STRIPES - 1] = PTHREAD_MUTEX_INITIALIZER};
static atomic_int held_fds;
static pthread_mutex_t sweep_mu = PTHREAD_MUTEX_INITIALIZER;

static int fd_budget(void) {
  static atomic_int budget;
  int b = atomic_load(&budget);
  if (b) return b;
  struct rlimit rl;
  b = MAX_HELD_FDS;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur / 8 < (rlim_t)b)
    b = (int)(rl.rlim_cur / 8);
  if (b < 1) b = 1;
  atomic_store(&budget, b);
  return b;
}

/* Reads a comm file into comm (newline dropped). 0 on success, -1 if the task is gone. */
static int read_comm(int fd, char comm[17]) {
  char buf[32];
  ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return -1;
  if (buf[n - 1] == '\n') n--;
  if (n > 16) n = 16;
  memcpy(comm, buf, (size_t)n);
  comm[n] = 0;
  return 0;
}

static void read_status(int32_t tid, ip_proc_info *out) {
  char path[64], buf[1024];
  out->tgid = tid;
  out->comm[0] = 0;
  snprintf(path, sizeof(path), "/proc/%d/status", tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return;
  buf[n] = 0;
  char *line = buf;
  while (line && *line) {
    char *next = strchr(line, '\n');
    if (next) *next++ = 0;
    if (strncmp(line, "Name:\t", 6) == 0) {
      strncpy(out->comm, line + 6, sizeof(out->comm) - 1);
      out->comm[sizeof(out->comm) - 1] = 0;
    } else if (strncmp(line, "Tgid:\t", 6) == 0) {
      out->tgid = atoi(line + 6);
      break; /* Tgid comes after Name */
    }
    line = next;
  }
}

static void drop_fd(entry *e) {
  if (e->comm_fd >= 0) {
    close(e->comm_fd);
    atomic_fetch_sub(&held_fds, 1);
  }
  e->comm_fd = -1;
}

/* At the fd budget: close the comm files of threads that have exited (they answer ESRCH), so
 * many short-lived processes do not leave every later caller on the slow path. */
static void sweep_dead(void) {
  if (pthread_mutex_trylock(&sweep_mu) != 0) return; /* another thread is sweeping */
  for (int s = 0; s < STRIPES; s++) {
    pthread_mutex_lock(&stripes[s]);
    for (int i = s; i < CACHE_SLOTS; i += STRIPES) {
      entry *e = &cache[i];
      char comm[17];
      if (e->tid != 0 && e->comm_fd >= 0 && read_comm(e->comm_fd, comm) != 0) {
        drop_fd(e);
        e->tid = 0;
      }
    }
    pthread_mutex_unlock(&stripes[s]);
  }
  pthread_mutex_unlock(&sweep_mu);
}

void ip_proc_lookup(int32_t tid, int64_t now_ns, ip_proc_info *out) {
  (void)now_ns;
  if (tid <= 0) { /* no calling task (the kernel's own requests: the last release, write-back) */
    out->tgid = 0;
    out->comm[0] = 0;
    return;
  }
  uint32_t slot = (uint32_t)tid & (CACHE_SLOTS - 1);
  entry *e = &cache[slot];
  pthread_mutex_t *mu = &stripes[slot % STRIPES];

  /* Read before any name: a rename after this point moves the counter again. */
  int events = ip_task_events_available();
  uint64_t generation = events ? ip_task_events_generation() : 0;

  pthread_mutex_lock(mu);
  if (e->tid == tid && e->comm_fd >= 0) {
    if (events && e->generation == generation) { /* no task renamed, created or ended since */
      *out = e->info;
      pthread_mutex_unlock(mu);
      return;
    }
    if (read_comm(e->comm_fd, e->info.comm) == 0) { /* same task: tgid cannot have changed */
      e->generation = generation;
      *out = e->info;
      pthread_mutex_unlock(mu);
      return;
    }
    e->tid = 0; /* that task is gone: tid reused */
  }
  int need_sweep = e->comm_fd < 0 && atomic_load(&held_fds) >= fd_budget();
  pthread_mutex_unlock(mu);
  if (need_sweep) sweep_dead();

  /* Open comm before reading status: an exec in between then shows in the comm read below. */
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/comm", tid);
  int fd = -1;
  if (atomic_fetch_add(&held_fds, 1) < fd_budget()) fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) atomic_fetch_sub(&held_fds, 1);
  ip_proc_info fresh;
  read_status(tid, &fresh);
  if (fd >= 0 && read_comm(fd, fresh.comm) != 0) {
    close(fd);
    atomic_fetch_sub(&held_fds, 1);
    fd = -1;
    fresh.tgid = tid;
    fresh.comm[0] = 0;
  }
  *out = fresh;

  pthread_mutex_lock(mu);
  drop_fd(e); /* whatever the slot held (another tid, or a dead task's file) */
  if (fd >= 0) {
    e->tid = tid;
    e->comm_fd = fd;
    e->generation = generation;
    e->info = fresh;
  } else {
    e->tid = 0; /* over the budget or gone: nothing to keep it fresh with, so keep nothing */
  }
  pthread_mutex_unlock(mu);
}
