#include "proc_cache.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CACHE_SLOTS 4096 /* power of two */
#define REFRESH_NS 2000000000LL

typedef struct entry {
  int32_t tid; /* 0 = empty */
  int64_t read_at_ns;
  ip_proc_info info;
} entry;

static entry cache[CACHE_SLOTS];
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

static void read_proc(int32_t tid, ip_proc_info *out) {
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

void ip_proc_lookup(int32_t tid, int64_t now_ns, ip_proc_info *out) {
  entry *e = &cache[(uint32_t)tid & (CACHE_SLOTS - 1)];
  pthread_mutex_lock(&cache_mu);
  if (e->tid == tid && now_ns - e->read_at_ns < REFRESH_NS) {
    *out = e->info;
    pthread_mutex_unlock(&cache_mu);
    return;
  }
  pthread_mutex_unlock(&cache_mu);
  ip_proc_info fresh;
  read_proc(tid, &fresh);
  pthread_mutex_lock(&cache_mu);
  e->tid = tid;
  e->read_at_ns = now_ns;
  e->info = fresh;
  pthread_mutex_unlock(&cache_mu);
  *out = fresh;
}
