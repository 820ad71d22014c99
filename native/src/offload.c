/* The pool behind offload.h: a FIFO under one mutex; a thread starts when more jobs are queued
 * than threads wait for work. */
#include "offload.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static unsigned queued_jobs(const ip_offload *o) {
  unsigned n = 0;
  for (const ip_job *j = o->head; j; j = j->next) n++;
  return n;
}

static void *worker_main(void *arg) {
  ip_offload *o = arg;
  /* Named apart from the ring thread that started it (whose name it inherits). */
  char name[16];
  snprintf(name, sizeof(name), "offload-%d", o->cpu);
  pthread_setname_np(pthread_self(), name);
  if (o->cpu >= 0) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(o->cpu, &one);
    sched_setaffinity(0, sizeof(one), &one); /* not allowed there: stay where we were started */
  }
  if (o->on_thread_start) o->on_thread_start(o->start_arg);
  pthread_mutex_lock(&o->mu);
  for (;;) {
    while (!o->head && !o->stopping) {
      o->idle++;
      pthread_cond_wait(&o->has_work, &o->mu);
      o->idle--;
    }
    ip_job *job = o->head;
    if (!job) break; /* stopping, nothing left */
    o->head = job->next;
    if (!o->head) o->tail = NULL;
    pthread_mutex_unlock(&o->mu);
    job->run(job);
    pthread_mutex_lock(&o->mu);
    if (--o->pending == 0) pthread_cond_broadcast(&o->drained);
  }
  pthread_mutex_unlock(&o->mu);
  return NULL;
}

int ip_offload_init(ip_offload *o, unsigned max_threads, int cpu, void (*on_thread_start)(void *), void *start_arg) {
  *o = (ip_offload){0};
  o->cpu = cpu;
  o->tids = calloc(max_threads ? max_threads : 1, sizeof(pthread_t));
  if (!o->tids) return -1;
  o->max_threads = max_threads ? max_threads : 1;
  o->on_thread_start = on_thread_start;
  o->start_arg = start_arg;
  pthread_mutex_init(&o->mu, NULL);
  pthread_cond_init(&o->has_work, NULL);
  pthread_cond_init(&o->drained, NULL);
  return 0;
}

int ip_offload_submit(ip_offload *o, ip_job *job) {
  pthread_mutex_lock(&o->mu);
  if (o->stopping) {
    pthread_mutex_unlock(&o->mu);
    return -1;
  }
  /* Walking the queue is cheap: it holds at most the rings' depth of requests. */
  if (queued_jobs(o) + 1 > o->idle && o->threads < o->max_threads &&
      pthread_create(&o->tids[o->threads], NULL, worker_main, o) == 0)
    o->threads++;
  if (o->threads == 0) {
    pthread_mutex_unlock(&o->mu);
    return -1;
  }
  job->next = NULL;
  if (o->tail) o->tail->next = job;
  else o->head = job;
  o->tail = job;
  o->pending++;
  pthread_cond_signal(&o->has_work);
  pthread_mutex_unlock(&o->mu);
  return 0;
}

int ip_offload_wait_drained(ip_offload *o, int64_t timeout_ns) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += timeout_ns / 1000000000LL;
  deadline.tv_nsec += timeout_ns % 1000000000LL;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  int timed_out = 0;
  pthread_mutex_lock(&o->mu);
  while (o->pending > 0 && !timed_out)
    timed_out = pthread_cond_timedwait(&o->drained, &o->mu, &deadline) == ETIMEDOUT;
  int left = o->pending > 0;
  pthread_mutex_unlock(&o->mu);
  return left ? -1 : 0;
}

void ip_offload_destroy(ip_offload *o) {
  if (!o->tids) return;
  pthread_mutex_lock(&o->mu);
  o->stopping = 1;
  pthread_cond_broadcast(&o->has_work);
  unsigned threads = o->threads;
  pthread_mutex_unlock(&o->mu);
  for (unsigned i = 0; i < threads; i++) pthread_join(o->tids[i], NULL);
  free(o->tids);
  o->tids = NULL;
  pthread_mutex_destroy(&o->mu);
  pthread_cond_destroy(&o->has_work);
  pthread_cond_destroy(&o->drained);
}
