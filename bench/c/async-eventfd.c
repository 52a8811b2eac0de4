/* async-eventfd: the C reference for xev's async1 benchmark. Two threads ping-pong through two eventfds
 * (blocking reads and writes: the cheapest cross-thread wake-up Linux offers), N round trips.
 * Prints {"round_trips": N, "seconds": S, "round_trips_per_s": R}. Usage: async-eventfd [round_trips] */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int ping, pong;
static long rounds;

static void* responder(void* arg) {
  (void)arg;
  uint64_t v;
  for (long i = 0; i < rounds; i++) {
    if (read(ping, &v, sizeof(v)) != sizeof(v)) return (void*)1;
    v = 1;
    if (write(pong, &v, sizeof(v)) != sizeof(v)) return (void*)1;
  }
  return NULL;
}

int main(int argc, char** argv) {
  rounds = argc > 1 ? atol(argv[1]) : 200000;
  ping = eventfd(0, EFD_CLOEXEC);
  pong = eventfd(0, EFD_CLOEXEC);
  if (ping < 0 || pong < 0) {
    perror("eventfd");
    return 1;
  }
  pthread_t thread;
  pthread_create(&thread, NULL, responder, NULL);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  uint64_t v;
  long done = 0;
  for (long i = 0; i < rounds; i++) {
    v = 1;
    if (write(ping, &v, sizeof(v)) != sizeof(v)) return 1;
    if (read(pong, &v, sizeof(v)) != sizeof(v)) return 1;
    done++;
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  void* failed;
  pthread_join(thread, &failed);
  if (failed != NULL || done != rounds) {
    fprintf(stderr, "ping-pong lost a round\n");
    return 1;
  }
  double seconds = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  printf("{\"round_trips\": %ld, \"seconds\": %.6f, \"round_trips_per_s\": %.0f}\n", done, seconds, done / seconds);
  return 0;
}
