#include "ring.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace xev::iouring {

int SysSetup(unsigned entries, io_uring_params* params) {
  return static_cast<int>(syscall(__NR_io_uring_setup, entries, params));
}

int SysEnter(int fd, unsigned toSubmit, unsigned minComplete, unsigned flags, const void* arg, size_t argSize) {
  return static_cast<int>(syscall(__NR_io_uring_enter, fd, toSubmit, minComplete, flags, arg, argSize));
}

int SysRegister(int fd, unsigned opcode, const void* arg, unsigned nrArgs) {
  return static_cast<int>(syscall(__NR_io_uring_register, fd, opcode, arg, nrArgs));
}

int Ring::Open(const RingOptions& options) {
  unsigned entries = options.entries < 2 ? 2 : options.entries > 32768 ? 32768 : options.entries;  // IORING_MAX_ENTRIES
  // The completion queue is four times the submission queue: operations stay in flight across ticks
  // (every idle socket's recv), and IORING_FEAT_NODROP keeps overflow in the kernel anyway.
  unsigned base = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
  if (options.sqpoll) base |= IORING_SETUP_SQPOLL;
  // Tried from most to least wanted; older kernels answer EINVAL for flags they do not know.
  unsigned candidates[4];
  int n = 0;
  if (options.blocking && !options.sqpoll) {
    candidates[n++] = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
                      IORING_SETUP_TASKRUN_FLAG;
    candidates[n++] = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
  }
  candidates[n++] = IORING_SETUP_SUBMIT_ALL;
  candidates[n++] = 0;
  int fd = -EINVAL;
  io_uring_params p;
  for (int i = 0; i < n; i++) {
    memset(&p, 0, sizeof(p));
    p.flags = base | candidates[i];
    p.cq_entries = entries * 4;
    if (options.sqpoll) p.sq_thread_idle = 50;  // ms the kernel thread spins before it sleeps
    fd = SysSetup(entries, &p);
    if (fd >= 0) break;
    fd = -errno;
    if (fd != -EINVAL) return fd;
  }
  if (fd < 0) return fd;
  fd_ = fd;
  features_ = p.features;
  setupFlags_ = p.flags;

  sqRingSize_ = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  cqRingSize_ = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  bool single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single && cqRingSize_ > sqRingSize_) sqRingSize_ = cqRingSize_;
  sqRing_ = mmap(nullptr, sqRingSize_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
  if (sqRing_ == MAP_FAILED) {
    sqRing_ = nullptr;
    int e = -errno;
    Close();
    return e;
  }
  if (single) {
    cqRing_ = sqRing_;
  } else {
    cqRing_ = mmap(nullptr, cqRingSize_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
    if (cqRing_ == MAP_FAILED) {
      cqRing_ = nullptr;
      int e = -errno;
      Close();
      return e;
    }
  }
  sqesSize_ = p.sq_entries * sizeof(io_uring_sqe);
  void* sqes = mmap(nullptr, sqesSize_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
  if (sqes == MAP_FAILED) {
    int e = -errno;
    Close();
    return e;
  }
  sqes_ = static_cast<io_uring_sqe*>(sqes);

  auto* sq = static_cast<char*>(sqRing_);
  sqHead_ = reinterpret_cast<unsigned*>(sq + p.sq_off.head);
  sqTail_ = reinterpret_cast<unsigned*>(sq + p.sq_off.tail);
  sqFlags_ = reinterpret_cast<unsigned*>(sq + p.sq_off.flags);
  sqMask_ = *reinterpret_cast<unsigned*>(sq + p.sq_off.ring_mask);
  sqEntries_ = *reinterpret_cast<unsigned*>(sq + p.sq_off.ring_entries);
  sqLocalTail_ = *sqTail_;
  // SQEs are always filled in ring order, so the indirection array is the identity: write it once here
  // instead of once per submission.
  auto* array = reinterpret_cast<unsigned*>(sq + p.sq_off.array);
  for (unsigned i = 0; i < sqEntries_; i++) array[i] = i;

  auto* cq = static_cast<char*>(cqRing_);
  cqHead_ = reinterpret_cast<unsigned*>(cq + p.cq_off.head);
  cqTail_ = reinterpret_cast<unsigned*>(cq + p.cq_off.tail);
  cqMask_ = *reinterpret_cast<unsigned*>(cq + p.cq_off.ring_mask);
  cqes_ = reinterpret_cast<io_uring_cqe*>(cq + p.cq_off.cqes);
  return 0;
}

void Ring::Close() {
  if (sqes_ != nullptr) munmap(sqes_, sqesSize_);
  if (cqRing_ != nullptr && cqRing_ != sqRing_) munmap(cqRing_, cqRingSize_);
  if (sqRing_ != nullptr) munmap(sqRing_, sqRingSize_);
  sqes_ = nullptr;
  cqRing_ = sqRing_ = nullptr;
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

unsigned Ring::Unsubmitted() const {
  if (setupFlags_ & IORING_SETUP_SQPOLL) return 0;  // the kernel thread consumes on its own
  return sqLocalTail_ - __atomic_load_n(sqHead_, __ATOMIC_ACQUIRE);
}

io_uring_sqe* Ring::NextSqeSlow() {
  for (int attempt = 0; attempt < 64; attempt++) {
    unsigned head = __atomic_load_n(sqHead_, __ATOMIC_ACQUIRE);
    if (sqLocalTail_ - head < sqEntries_) {
      io_uring_sqe* sqe = &sqes_[sqLocalTail_ & sqMask_];
      sqLocalTail_++;
      memset(sqe, 0, sizeof(*sqe));
      return sqe;
    }
    // Full: hand what is queued to the kernel and take the next free entry.
    if (setupFlags_ & IORING_SETUP_SQPOLL) {
      __atomic_store_n(sqTail_, sqLocalTail_, __ATOMIC_RELEASE);
      if (SysEnter(fd_, 0, 0, IORING_ENTER_SQ_WAIT | IORING_ENTER_SQ_WAKEUP, nullptr, 0) < 0 && errno != EINTR)
        return nullptr;
    } else if (Submit() < 0 && Unsubmitted() >= sqEntries_) {
      // The kernel took nothing (for example -EBUSY with a full CQ): flush completions and retry.
      Submit(0, -1, true);
    }
  }
  return nullptr;
}

bool Ring::NeedsGetEvents() const {
  return (__atomic_load_n(sqFlags_, __ATOMIC_RELAXED) & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW)) != 0;
}

int Ring::Submit(unsigned waitNr, int64_t timeoutNs, bool getEvents) {
  __atomic_store_n(sqTail_, sqLocalTail_, __ATOMIC_RELEASE);
  unsigned flags = 0;
  unsigned toSubmit = 0;
  if (setupFlags_ & IORING_SETUP_SQPOLL) {
    // The tail store must be visible before we read the wakeup flag (liburing does the same full fence).
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(sqFlags_, __ATOMIC_RELAXED) & IORING_SQ_NEED_WAKEUP) flags |= IORING_ENTER_SQ_WAKEUP;
  } else {
    toSubmit = sqLocalTail_ - __atomic_load_n(sqHead_, __ATOMIC_ACQUIRE);
  }
  if (waitNr > 0 || getEvents || NeedsGetEvents()) flags |= IORING_ENTER_GETEVENTS;
  if (toSubmit == 0 && flags == 0) return 0;
  __kernel_timespec ts;
  io_uring_getevents_arg arg;
  const void* argp = nullptr;
  size_t argSize = 0;
  if (waitNr > 0 && timeoutNs >= 0) {
    ts.tv_sec = timeoutNs / 1000000000;
    ts.tv_nsec = timeoutNs % 1000000000;
    memset(&arg, 0, sizeof(arg));
    arg.sigmask_sz = _NSIG / 8;
    arg.ts = reinterpret_cast<uint64_t>(&ts);
    argp = &arg;
    argSize = sizeof(arg);
    flags |= IORING_ENTER_EXT_ARG;
  }
  int r = SysEnter(fd_, toSubmit, waitNr, flags, argp, argSize);
  if (r < 0) {
    int e = errno;
    if (e == ETIME || e == EINTR) return 0;
    return -e;
  }
  return r;
}

}  // namespace xev::iouring
