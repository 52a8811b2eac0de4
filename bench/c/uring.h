/* A minimal io_uring ring over raw syscalls (no liburing), for the C reference benchmarks. */
#ifndef XEV_BENCH_URING_H
#define XEV_BENCH_URING_H
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ring {
  int fd;
  unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
  struct io_uring_sqe *sqes;
  struct io_uring_cqe *cqes;
  unsigned to_submit;
};

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void ring_init(struct ring *r, unsigned entries) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  r->fd = (int)syscall(__NR_io_uring_setup, entries, &p);
  if (r->fd < 0) die("io_uring_setup");
  size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  int single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single && cq_size > sq_size) sq_size = cq_size;
  char *sq = mmap(0, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
  if (sq == MAP_FAILED) die("mmap sq");
  char *cq = single ? sq : mmap(0, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
  if (cq == MAP_FAILED) die("mmap cq");
  r->sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
  if (r->sqes == MAP_FAILED) die("mmap sqes");
  r->sq_head = (unsigned *)(sq + p.sq_off.head);
  r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
  r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
  r->sq_array = (unsigned *)(sq + p.sq_off.array);
  r->cq_head = (unsigned *)(cq + p.cq_off.head);
  r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
  r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
  r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
  r->to_submit = 0;
}

static struct io_uring_sqe *ring_sqe(struct ring *r) {
  unsigned tail = *r->sq_tail;
  unsigned index = tail & *r->sq_mask;
  struct io_uring_sqe *sqe = &r->sqes[index];
  memset(sqe, 0, sizeof *sqe);
  r->sq_array[index] = index;
  __atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
  r->to_submit++;
  return sqe;
}

/* Submits what is staged and waits for at least `wait` completions. */
static void ring_enter(struct ring *r, unsigned wait) {
  int n = (int)syscall(__NR_io_uring_enter, r->fd, r->to_submit, wait, wait ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
  if (n < 0) die("io_uring_enter");
  r->to_submit -= (unsigned)n;
}

/* Calls fn(user_data, res) for every completion ready; returns how many. */
#define RING_REAP(r, ud, res, body)                                                    \
  do {                                                                                 \
    unsigned head_ = *(r)->cq_head;                                                    \
    while (head_ != __atomic_load_n((r)->cq_tail, __ATOMIC_ACQUIRE)) {                 \
      struct io_uring_cqe *cqe_ = &(r)->cqes[head_ & *(r)->cq_mask];                   \
      unsigned long long ud = cqe_->user_data;                                         \
      int res = cqe_->res;                                                             \
      head_++;                                                                         \
      body;                                                                            \
    }                                                                                  \
    __atomic_store_n((r)->cq_head, head_, __ATOMIC_RELEASE);                           \
  } while (0)

#endif
