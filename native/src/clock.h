/*
 * The clock every part of the native side times with: CLOCK_MONOTONIC in nanoseconds (trace rows'
 * start/end, the mount's origin, the ring threads' spread hold).
 */
#ifndef INTERPOSER_CLOCK_H
#define INTERPOSER_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t ip_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif
