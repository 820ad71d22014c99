/*
 * A mutex-protected LIFO of reusable objects, shared by the FUSE threads: the pools of scratch
 * buffers (scratch.c) and of splice pipes (splice_pipe.c). LIFO because the object used last is
 * the likeliest to be cache-warm. An object joins by embedding an ip_free_link as its first
 * member; pop and take_all hand back links the caller casts to its own type.
 */
#ifndef INTERPOSER_FREE_LIST_H
#define INTERPOSER_FREE_LIST_H

#include <pthread.h>
#include <stddef.h>

typedef struct ip_free_link {
  struct ip_free_link *next;
} ip_free_link;

typedef struct ip_free_list {
  pthread_mutex_t mu;
  ip_free_link *head;
} ip_free_list;

#define IP_FREE_LIST_INIT {PTHREAD_MUTEX_INITIALIZER, NULL}

static inline void ip_free_list_push(ip_free_list *list, ip_free_link *link) {
  pthread_mutex_lock(&list->mu);
  link->next = list->head;
  list->head = link;
  pthread_mutex_unlock(&list->mu);
}

/* The object pushed last, or NULL when the list is empty. */
static inline ip_free_link *ip_free_list_pop(ip_free_list *list) {
  pthread_mutex_lock(&list->mu);
  ip_free_link *link = list->head;
  if (link) list->head = link->next;
  pthread_mutex_unlock(&list->mu);
  return link;
}

/* Empties the list and returns its former head (follow ->next for the rest). */
static inline ip_free_link *ip_free_list_take_all(ip_free_list *list) {
  pthread_mutex_lock(&list->mu);
  ip_free_link *link = list->head;
  list->head = NULL;
  pthread_mutex_unlock(&list->mu);
  return link;
}

#endif
