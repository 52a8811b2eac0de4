// One io_uring instance driven by raw syscalls: setup, the mmap'd submission and completion rings, and
// io_uring_enter. No liburing; only <linux/io_uring.h>. Plain C++ with errno ints.
#pragma once

#include <linux/io_uring.h>
#include <stddef.h>
#include <stdint.h>

namespace xev::iouring {

// Raw syscalls (glibc has no wrappers).
int SysSetup(unsigned entries, io_uring_params* params);
int SysEnter(int fd, unsigned toSubmit, unsigned minComplete, unsigned flags, const void* arg, size_t argSize);
int SysRegister(int fd, unsigned opcode, const void* arg, unsigned nrArgs);

struct RingOptions {
  unsigned entries = 256;
  // A kernel thread polls the submission queue (IORING_SETUP_SQPOLL).
  bool sqpoll = false;
  // The loop waits inside enter on this thread only: DEFER_TASKRUN and friends are allowed. Never in
  // attached mode: with DEFER_TASKRUN the ring fd does not become readable for libuv (DESIGN.md §8).
  bool blocking = false;
};

class Ring {
 public:
  Ring() = default;
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  ~Ring() { Close(); }

  // Creates the ring. Returns 0 or -errno.
  int Open(const RingOptions& options);
  void Close();
  bool IsOpen() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  unsigned features() const { return features_; }
  unsigned setupFlags() const { return setupFlags_; }
  unsigned sqEntries() const { return sqEntries_; }

  // A zeroed SQE to fill, submitting what is queued first if the ring is full. Null only if the kernel
  // refuses to make room (the ring is broken). Inline: once per operation.
  io_uring_sqe* NextSqe() {
    unsigned head = __atomic_load_n(sqHead_, __ATOMIC_ACQUIRE);
    if (__builtin_expect(sqLocalTail_ - head < sqEntries_, 1)) {
      io_uring_sqe* sqe = &sqes_[sqLocalTail_ & sqMask_];
      sqLocalTail_++;
      __builtin_memset(sqe, 0, sizeof(*sqe));
      return sqe;
    }
    return NextSqeSlow();
  }
  // SQEs written but not yet consumed by the kernel.
  unsigned Unsubmitted() const;
  // Submits what is queued and, if `waitNr` > 0, waits for that many completions, at most `timeoutNs`
  // (negative: no limit). Returns the number submitted or -errno (-ETIME and -EINTR are not errors here).
  int Submit(unsigned waitNr = 0, int64_t timeoutNs = -1, bool getEvents = false);
  // Whether a syscall is needed to see every completion: deferred task work or overflowed CQEs.
  bool NeedsGetEvents() const;

  // Completion queue access: entries between head and tail are ready.
  unsigned CqReady() const { return __atomic_load_n(cqTail_, __ATOMIC_ACQUIRE) - *cqHead_; }
  const io_uring_cqe& CqAt(unsigned i) const { return cqes_[(*cqHead_ + i) & cqMask_]; }
  void CqAdvance(unsigned n) { __atomic_store_n(cqHead_, *cqHead_ + n, __ATOMIC_RELEASE); }

 private:
  io_uring_sqe* NextSqeSlow();

  int fd_ = -1;
  unsigned features_ = 0, setupFlags_ = 0;
  void* sqRing_ = nullptr;
  void* cqRing_ = nullptr;
  size_t sqRingSize_ = 0, cqRingSize_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  size_t sqesSize_ = 0;
  unsigned* sqHead_ = nullptr;
  unsigned* sqTail_ = nullptr;
  unsigned* sqFlags_ = nullptr;
  unsigned sqMask_ = 0, sqEntries_ = 0;
  unsigned sqLocalTail_ = 0;
  unsigned* cqHead_ = nullptr;
  unsigned* cqTail_ = nullptr;
  unsigned cqMask_ = 0;
  io_uring_cqe* cqes_ = nullptr;
};

}  // namespace xev::iouring
