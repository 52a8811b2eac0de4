/* nop-batch: the C reference for bench/nop-batch.mjs. Batches of 64 IORING_OP_NOPs on a raw io_uring
 * (raw syscalls, no liburing), each batch submitted and reaped with one io_uring_enter, as xev's
 * blocking-mode enter() does. Prints {"ops": N, "seconds": S, "ops_per_s": R}.
 * Usage: nop-batch [total_ops] [batch] */
#include <errno.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  long total = argc > 1 ? atol(argv[1]) : 10000000;
  unsigned batch = argc > 2 ? (unsigned)atoi(argv[2]) : 64;
  struct io_uring_params p;
  memset(&p, 0, sizeof(p));
  /* The flags xev uses in blocking mode (ring.cc), falling back like it does. */
  p.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
  p.cq_entries = 1024;
  int fd = (int)syscall(__NR_io_uring_setup, 256, &p);
  if (fd < 0) {
    memset(&p, 0, sizeof(p));
    fd = (int)syscall(__NR_io_uring_setup, 256, &p);
  }
  if (fd < 0) {
    perror("io_uring_setup");
    return 1;
  }
  size_t sqSize = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cqSize = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  if (cqSize > sqSize) sqSize = cqSize;
  char* ring = mmap(NULL, sqSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
  struct io_uring_sqe* sqes =
      mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
           IORING_OFF_SQES);
  if (ring == MAP_FAILED || sqes == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  unsigned* sqTail = (unsigned*)(ring + p.sq_off.tail);
  unsigned sqMask = *(unsigned*)(ring + p.sq_off.ring_mask);
  unsigned* array = (unsigned*)(ring + p.sq_off.array);
  for (unsigned i = 0; i < p.sq_entries; i++) array[i] = i;
  unsigned* cqHead = (unsigned*)(ring + p.cq_off.head);
  unsigned* cqTail = (unsigned*)(ring + p.cq_off.tail);
  unsigned cqMask = *(unsigned*)(ring + p.cq_off.ring_mask);
  struct io_uring_cqe* cqes = (struct io_uring_cqe*)(ring + p.cq_off.cqes);

  unsigned tail = *sqTail;
  long done = 0;
  uint64_t checksum = 0;
  double t0 = now();
  while (done < total) {
    for (unsigned i = 0; i < batch; i++) {
      struct io_uring_sqe* sqe = &sqes[tail & sqMask];
      memset(sqe, 0, sizeof(*sqe));
      sqe->opcode = IORING_OP_NOP;
      sqe->user_data = (uint64_t)(done + i);
      tail++;
    }
    __atomic_store_n(sqTail, tail, __ATOMIC_RELEASE);
    if (syscall(__NR_io_uring_enter, fd, batch, batch, IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
      perror("io_uring_enter");
      return 1;
    }
    unsigned head = *cqHead;
    unsigned ready = __atomic_load_n(cqTail, __ATOMIC_ACQUIRE) - head;
    for (unsigned i = 0; i < ready; i++) {
      struct io_uring_cqe* cqe = &cqes[(head + i) & cqMask];
      checksum += cqe->user_data + (uint64_t)cqe->res;
    }
    __atomic_store_n(cqHead, head + ready, __ATOMIC_RELEASE);
    done += ready;
  }
  double seconds = now() - t0;
  /* The benchmark checks itself: every NOP completed once, with result 0 (sum of 0..n-1). */
  uint64_t expected = (uint64_t)done * (uint64_t)(done - 1) / 2;
  if (checksum != expected) {
    fprintf(stderr, "checksum mismatch: %llu != %llu\n", (unsigned long long)checksum, (unsigned long long)expected);
    return 1;
  }
  printf("{\"ops\": %ld, \"seconds\": %.6f, \"ops_per_s\": %.0f}\n", done, seconds, done / seconds);
  return 0;
}
