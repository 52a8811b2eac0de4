/* Random 4 KiB preads of a file in the page cache, C reference for file-pread-4k.
 * usage: pread io_uring|epoll FILE OPS INFLIGHT   -> {"ops":N,"rate":R}
 * io_uring: INFLIGHT reads in the ring. epoll cannot wait for files, so its backends use a thread pool:
 * the "epoll" reference is two threads calling pread(2) back to back (this machine has two cores). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include "uring.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long next_rand(unsigned long long *x) {
  *x ^= *x << 13; *x ^= *x >> 7; *x ^= *x << 17;
  return *x;
}

struct job { int fd; long ops; long blocks; unsigned long long seed; long done; };

static void *worker(void *arg) {
  struct job *j = arg;
  static __thread char buf[4096];
  for (long i = 0; i < j->ops; i++) {
    off_t off = (off_t)(next_rand(&j->seed) % j->blocks) * 4096;
    if (pread(j->fd, buf, 4096, off) != 4096) die("pread");
    j->done++;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: pread io_uring|epoll FILE OPS INFLIGHT\n"); return 2; }
  int fd = open(argv[2], O_RDONLY);
  if (fd < 0) die("open");
  struct stat st;
  fstat(fd, &st);
  long blocks = st.st_size / 4096;
  long ops = atol(argv[3]);
  int inflight = atoi(argv[4]);
  long done = 0;
  double t0 = now();
  if (strcmp(argv[1], "io_uring") == 0) {
    struct ring r;
    ring_init(&r, 256);
    char (*bufs)[4096] = aligned_alloc(4096, (size_t)inflight * 4096);
    long issued = 0;
    for (int i = 0; i < inflight && issued < ops; i++, issued++) {
      struct io_uring_sqe *s = ring_sqe(&r);
      s->opcode = IORING_OP_READ; s->fd = fd; s->addr = (unsigned long)bufs[i]; s->len = 4096;
      s->off = (next_rand(&rng) % blocks) * 4096; s->user_data = (unsigned)i;
    }
    while (done < ops) {
      ring_enter(&r, 1);
      RING_REAP(&r, ud, res, {
        if (res != 4096) die("read");
        done++;
        if (issued < ops) {
          issued++;
          struct io_uring_sqe *s = ring_sqe(&r);
          s->opcode = IORING_OP_READ; s->fd = fd; s->addr = (unsigned long)bufs[ud]; s->len = 4096;
          s->off = (next_rand(&rng) % blocks) * 4096; s->user_data = ud;
        }
      });
    }
  } else {
    pthread_t t[2];
    struct job jobs[2] = {{fd, ops / 2, blocks, 1, 0}, {fd, ops - ops / 2, blocks, 7, 0}};
    for (int i = 0; i < 2; i++) pthread_create(&t[i], 0, worker, &jobs[i]);
    for (int i = 0; i < 2; i++) { pthread_join(t[i], 0); done += jobs[i].done; }
  }
  double elapsed = now() - t0;
  printf("{\"ops\":%ld,\"rate\":%.1f}\n", done, done / elapsed);
  return 0;
}
