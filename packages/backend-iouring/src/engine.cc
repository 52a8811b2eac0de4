#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ops.h"
#include "xev/layout.h"

namespace xev::iouring {

namespace {
inline uint64_t UserData(Tag tag, uint32_t id) { return static_cast<uint64_t>(tag) << 32 | id; }
}  // namespace

int Engine::Open(unsigned entries, unsigned flags) {
  RingOptions options;
  options.entries = entries;
  options.sqpoll = (flags & 0x1) != 0;
  options.blocking = (flags & 0x2) != 0;
  blocking_ = options.blocking;
  int r = ring_.Open(options);
  if (r < 0) return r;
  backlog_.reserve(256);
  return 0;
}

void Engine::Close() {
  // Closing the ring fd lets the kernel tear the ring down in the background, and a request still running
  // in an io-wq worker (a statx, a read of a regular file) could then write into slot scratch we are about
  // to free, or into a buffer the loop is about to drop. So cancel everything and wait for every loop
  // operation's CQE first (bounded: a request that ignores cancellation gets two seconds).
  if (ring_.IsOpen() && opSqes_ != opCqes_) {
    io_uring_sqe* sqe = Sqe(IORING_OP_ASYNC_CANCEL, -1, UserData(kTagInternal, 0));
    if (sqe != nullptr) sqe->cancel_flags = IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL;
    timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
      ring_.Submit(1, 50 * 1000000LL, true);
      for (unsigned n = ring_.CqReady(); n > 0; n--) {
        if (ring_.CqAt(0).user_data >> 32 == kTagOp) opCqes_++;
        ring_.CqAdvance(1);
      }
      if (opSqes_ == opCqes_) break;
      timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      if (now.tv_sec - start.tv_sec >= 2) break;
    }
  }
  ring_.Close();
  chunks_.clear();
  fds_.clear();
  sparseFds_.clear();
  backlog_.clear();
  backlogHead_ = 0;
}

void Engine::Grow(uint32_t chunk) {
  while (chunks_.size() <= chunk) chunks_.emplace_back(new Slot[1u << kSlotChunkBits]);
}

FdState& Engine::Fd(int fd) {
  if (fd >= kDenseFds) return sparseFds_[fd];
  if (static_cast<size_t>(fd) >= fds_.size()) fds_.resize(static_cast<size_t>(fd) + 64);
  return fds_[fd];
}

bool Engine::PlausibleFd(int fd) {
  if (fd < 0) return false;
  if (fd < kDenseFds) return true;  // the kernel answers -EBADF itself; the table stays small
  return fcntl(fd, F_GETFD) >= 0;
}

void Engine::Link(uint32_t slot, int fd) {
  Slot& s = At(slot);
  FdState& f = Fd(fd);
  s.fd = fd;
  s.prev = -1;
  s.next = f.head;
  if (f.head >= 0) At(f.head).prev = static_cast<int32_t>(slot);
  f.head = static_cast<int32_t>(slot);
  f.inflight++;
}

void Engine::Unlink(uint32_t slot) {
  Slot& s = At(slot);
  if (s.fd < 0) return;
  FdState& f = Fd(s.fd);
  if (s.prev >= 0) At(s.prev).next = s.next;
  else f.head = s.next;
  if (s.next >= 0) At(s.next).prev = s.prev;
  f.inflight--;
  s.fd = s.prev = s.next = -1;
}

void Engine::CancelInternal(uint32_t slot) {
  Slot& s = At(slot);
  if (s.cancelled) return;
  s.cancelled = 1;
  io_uring_sqe* sqe = Sqe(IORING_OP_ASYNC_CANCEL, -1, UserData(kTagInternal, 0));
  if (sqe != nullptr) sqe->addr = UserData(kTagOp, slot);
}

void Engine::Emit(uint32_t slot, int32_t res, int32_t aux) {
  if (__builtin_expect(backlogHead_ == backlog_.size() && out_ < cqCapacity_, 1)) {
    At(slot).reportedTick = tick_;
    double* e = cq_ + static_cast<size_t>(out_) * kCqe_STRIDE;
    e[kCqe_SLOT] = slot;
    e[kCqe_RESULT] = res;
    e[kCqe_AUX] = aux;
    out_++;
    return;
  }
  // Still the loop's until it reads the completion: a submission that reuses the slot before then is a
  // protocol error, not a second operation under the same user_data.
  At(slot).state = kInBacklog;
  backlog_.push_back({slot, res, aux});
}

unsigned Engine::DrainBacklog() {
  while (backlogHead_ < backlog_.size() && out_ < cqCapacity_) {
    const Done& d = backlog_[backlogHead_++];
    Slot& s = At(d.slot);
    s.state = kFree;
    s.reportedTick = tick_;
    double* e = cq_ + static_cast<size_t>(out_) * kCqe_STRIDE;
    e[kCqe_SLOT] = d.slot;
    e[kCqe_RESULT] = d.res;
    e[kCqe_AUX] = d.aux;
    out_++;
  }
  if (backlogHead_ == backlog_.size()) {
    backlog_.clear();  // keeps its capacity: no allocation in steady state
    backlogHead_ = 0;
  }
  return out_;
}

void Engine::BeginTick(double* cq, unsigned cqCapacity) {
  cq_ = cq;
  cqCapacity_ = cqCapacity;
  out_ = 0;
  tick_++;
}

void Engine::Submit(const OpInput& in) {
  if (in.slot >= kMaxSlots) {
    protocolErrors_++;
    return;
  }
  Slot& s = At(in.slot);
  if (s.state != kFree || s.reportedTick == tick_) {
    // The loop reused a slot that is still in flight, or whose completion it has not read yet (written
    // into cq by this very call). Reporting anything on it would complete the wrong operation, so the
    // entry is dropped and counted.
    protocolErrors_++;
    return;
  }
  s.op = static_cast<uint8_t>(in.op);
  s.cancelled = s.targetDone = 0;
  s.waiter = s.target = -1;
  s.aux = nullptr;
  s.auxLen = 0;
  int r = Ops::Prepare(*this, in, s);
  if (r < 0) {
    Unlink(in.slot);
    s.state = kFree;
    Emit(in.slot, r, 0);
  }
}

void Engine::OnCqe(uint64_t userData, int32_t res, uint32_t flags) {
  (void)flags;
  Tag tag = static_cast<Tag>(userData >> 32);
  uint32_t id = static_cast<uint32_t>(userData);
  if (tag == kTagOp) opCqes_++;
  if (tag == kTagKick) kickInFlight_ = false;
  if (tag == kTagWake && id == wakeGen_) wakeActive_ = false;
  if (tag != kTagOp) return;  // the backend's own: wake timeouts, kicks, internal cancels
  Slot& s = At(id);
  if (s.state != kInKernel) return;
  int32_t aux = 0;
  // Most operations report the kernel's result as it is; only some need Ops::Complete.
  if (NeedsCompletion(s.op) && !Ops::Complete(*this, id, s, &res, &aux)) return;  // re-armed, or waiting
  Retire(id, res, aux);
}

void Engine::Retire(uint32_t slot, int32_t res, int32_t aux) {
  Slot& s = At(slot);
  // A cancelled operation that was already running may be interrupted rather than cancelled.
  if (s.cancelled && res == -EINTR) res = -ECANCELED;
  int fd = s.fd;
  if (fd >= 0) Unlink(slot);
  s.state = kFree;
  s.aux = nullptr;
  int32_t waiter = s.waiter;
  s.waiter = -1;
  Emit(slot, res, aux);
  if (waiter >= 0) {
    // The uniform cancel rule: the cancel completes after its target, with 0 if the target was
    // cancelled and -ENOENT if it finished on its own.
    Slot& c = At(static_cast<uint32_t>(waiter));
    if (c.state == kWaitingTarget) {
      c.state = kFree;
      Emit(static_cast<uint32_t>(waiter), res == -ECANCELED ? 0 : -ENOENT, 0);
    } else {
      c.targetDone = 1;
      c.targetRes = res;
      c.target = -1;
    }
  }
  if (fd >= 0) MaybeClose(fd);
}

void Engine::MaybeClose(int fd) {
  FdState& f = Fd(fd);
  if (f.inflight != 0 || f.closeSlot < 0) return;
  uint32_t slot = static_cast<uint32_t>(f.closeSlot);
  f.closeSlot = -1;
  Slot& s = At(slot);
  io_uring_sqe* sqe = Sqe(IORING_OP_CLOSE, fd, UserData(kTagOp, slot));
  if (sqe == nullptr) {
    s.state = kFree;
    Emit(slot, -EBUSY, 0);
    return;
  }
  s.state = kInKernel;
}

void Engine::Reap() {
  for (;;) {
    unsigned ready = ring_.CqReady();
    if (ready == 0) return;
    for (unsigned i = 0; i < ready; i++) {
      if (out_ >= cqCapacity_) return;  // the rest stays in the kernel's CQ, and the ring fd stays readable
      const io_uring_cqe& c = ring_.CqAt(0);
      uint64_t ud = c.user_data;
      int32_t res = c.res;
      uint32_t flags = c.flags;
      ring_.CqAdvance(1);  // before OnCqe: it may submit, and the kernel may then post more
      OnCqe(ud, res, flags);
    }
  }
}

unsigned Engine::FinishTick(double waitMs) {
  DrainBacklog();
  bool wait = waitMs != 0 && out_ == 0 && ring_.CqReady() == 0;
  int64_t timeoutNs = waitMs > 0 ? static_cast<int64_t>(waitMs * 1e6) : -1;
  // Blocking mode with DEFER_TASKRUN: completions are posted only while we are inside io_uring_enter
  // with GETEVENTS, so always ask for events there (Submit skips the syscall when there is nothing to do).
  int r = ring_.Submit(wait ? 1 : 0, timeoutNs, blocking_ && (ring_.Unsubmitted() > 0 || wait));
  (void)r;
  Reap();
  // Reaping may have queued SQEs of its own (a deferred close, a re-armed wait): hand them over now,
  // since in attached mode nothing else would until the next wake-up.
  if (ring_.Unsubmitted() > 0) ring_.Submit();
  if (!blocking_ && (backlogHead_ < backlog_.size() || ring_.NeedsGetEvents()) && !kickInFlight_) {
    // Completions are waiting that the ring fd does not show (the backlog), or that only a syscall will
    // flush (overflow): post a no-op so the fd becomes readable and libuv calls onReady again.
    if (Sqe(IORING_OP_NOP, -1, UserData(kTagKick, 0)) != nullptr) {
      kickInFlight_ = true;
      ring_.Submit(0, -1, true);
    }
  }
  unsigned n = out_;
  cq_ = nullptr;
  cqCapacity_ = out_ = 0;
  return n;
}

// armWake is an IORING_OP_TIMEOUT inside the ring rather than a timerfd (or a uv_timer_t): its CQE
// makes the ring fd readable, so libuv's one uv_poll_t on that fd is the only wake-up source; it costs
// no extra fd and no POLL_ADD re-arm per expiry, and it has nanosecond resolution (the loop passes
// fractional milliseconds; a uv_timer_t would round to whole ones). The CQE is swallowed in OnCqe.
//
// Re-arming and disarming must not post a CQE themselves: the loop calls armWake at the end of every
// tick, and a CQE would make the ring fd readable, call onReady, run a tick, call armWake... a busy loop.
// So a live timeout is moved in place (IORING_TIMEOUT_UPDATE with IOSQE_CQE_SKIP_SUCCESS), and disarming
// moves it a day away instead of removing it (a removed timeout posts -ECANCELED).
int Engine::ArmWake(double ms) {
  if (!ring_.IsOpen()) return -EBADF;
  if (!(ms >= 0)) {
    if (!wakeActive_) return 0;
    ms = 86400e3;
  }
  int64_t ns = static_cast<int64_t>(ms * 1e6);
  __kernel_timespec& ts = wakeTs_[wakeTsNext_++ % kWakeTsCount];
  ts.tv_sec = ns / 1000000000;
  ts.tv_nsec = ns % 1000000000;
  bool canUpdate = (ring_.features() & IORING_FEAT_CQE_SKIP) != 0;
  if (wakeActive_ && canUpdate) {
    io_uring_sqe* sqe = Sqe(IORING_OP_TIMEOUT_REMOVE, -1, UserData(kTagInternal, 0));
    if (sqe == nullptr) return -EBUSY;
    sqe->addr = UserData(kTagWake, wakeGen_);
    sqe->addr2 = reinterpret_cast<uint64_t>(&ts);
    sqe->timeout_flags = IORING_TIMEOUT_UPDATE;
    sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
    // If the timeout fired meanwhile, the update fails with a CQE; the timeout's own CQE wakes the loop,
    // whose next tick arms the wake again.
  } else {
    if (wakeActive_) {
      io_uring_sqe* sqe = Sqe(IORING_OP_TIMEOUT_REMOVE, -1, UserData(kTagInternal, 0));
      if (sqe != nullptr) sqe->addr = UserData(kTagWake, wakeGen_);
    }
    wakeGen_++;
    io_uring_sqe* sqe = Sqe(IORING_OP_TIMEOUT, -1, UserData(kTagWake, wakeGen_));
    if (sqe == nullptr) return -EBUSY;
    sqe->addr = reinterpret_cast<uint64_t>(&ts);
    sqe->len = 1;
    wakeActive_ = true;
  }
  int r = ring_.Submit();
  return r < 0 ? r : 0;
}

int Engine::CloseSync(int fd) {
  if (!PlausibleFd(fd)) return -EBADF;
  {
    FdState& f = Fd(fd);
    // A close operation already owns this fd and will close it once its other operations are done;
    // closing it now would let that close hit whatever file reuses the number.
    if (f.closeSlot >= 0) return -EBADF;
    // Cancel by user_data, not by fd: the requests hold their own file references, so the fd can be
    // closed right after, even with SQPOLL where the kernel thread submits later.
    for (int32_t i = f.head; i >= 0; i = At(i).next) CancelInternal(static_cast<uint32_t>(i));
    if (ring_.IsOpen() && ring_.Unsubmitted() > 0) ring_.Submit();
    f.pid = 0;
  }
  return close(fd) < 0 ? -errno : 0;
}

int Engine::Pid(int fd) {
  if (!PlausibleFd(fd)) return -EBADF;
  int pid = Fd(fd).pid;
  return pid > 0 ? pid : -EBADF;
}

int Engine::TrackProcess(int pidfd, int pid) {
  Fd(pidfd).pid = pid;
  return pidfd;
}

}  // namespace xev::iouring
