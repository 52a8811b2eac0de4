// The operation lifecycle, half of the Poller (poller.cc has the kqueue half): per-slot records, the
// completion queue, decoding a submission into an operation and starting it, the thread-pool path,
// uniform cancellation and close (DESIGN.md section 2, rule 5), and the handles the backend issues.
#include <sys/event.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "poller.h"
#include "file-flags.h"
#include "xev/layout.h"

namespace xev_kqueue {

/**
 * The descriptors asyncCreate issued, process-wide, so that notify() (from any thread, any loop) writes
 * only to their kqueues and never into a socket or a file that happens to carry the number.
 */
namespace {
constexpr int kAsyncBits = 1 << 20;
std::atomic<uint64_t> gAsyncFds[kAsyncBits / 64];
}  // namespace

void markAsyncFd(int fd, bool on) {
  if (fd < 0 || fd >= kAsyncBits) return;
  uint64_t bit = uint64_t{1} << (fd % 64);
  if (on) gAsyncFds[fd / 64].fetch_or(bit, std::memory_order_release);
  else gAsyncFds[fd / 64].fetch_and(~bit, std::memory_order_release);
}

bool isAsyncFd(int fd) {
  return fd >= 0 && fd < kAsyncBits && (gAsyncFds[fd / 64].load(std::memory_order_acquire) >> (fd % 64)) & 1;
}

int closeFd(int fd) {
  return (::close(fd) < 0 && errno != EINTR) ? -errno : 0;
}

bool opUsesBuffer(int code) {
  switch (code) {
    case xev::kOpCode_READ: case xev::kOpCode_WRITE: case xev::kOpCode_PREAD: case xev::kOpCode_PWRITE:
    case xev::kOpCode_RECV: case xev::kOpCode_SEND: case xev::kOpCode_RECVFROM: case xev::kOpCode_SENDTO:
      return true;
    default:
      return false;
  }
}

bool opUsesAux(int code) {
  switch (code) {
    case xev::kOpCode_OPEN: case xev::kOpCode_STAT: case xev::kOpCode_ACCEPT: case xev::kOpCode_CONNECT:
    case xev::kOpCode_RECVFROM: case xev::kOpCode_SENDTO:
      return true;
    default:
      return false;
  }
}

void notifyAsync(double handle) {
  int64_t fd;
  if (!toInt(handle, 0, kAsyncBits - 1, &fd) || !isAsyncFd(static_cast<int>(fd))) return;
  // The handle is a kqueue holding one EVFILT_USER (ident 0, EV_CLEAR): triggering it makes the handle
  // readable in the loop's kqueue. kevent is safe from any thread.
  struct kevent c;
  EV_SET(&c, 0, EVFILT_USER, 0, NOTE_TRIGGER, 0, nullptr);
  ::kevent(static_cast<int>(fd), &c, 1, nullptr, 0, nullptr);
}

namespace {
/** Closes a descriptor the way its kind needs: async and process handles are kqueues. */
int closeByKind(int fd, FdKind kind) {
  if (kind == FdKind::kAsync || kind == FdKind::kProcess || isAsyncFd(fd)) return closeKqueue(fd);
  return closeFd(fd);
}
}  // namespace

Op* Poller::op(int32_t slot) {
  size_t chunk = static_cast<size_t>(slot / kChunk);
  while (chunks_.size() <= chunk) chunks_.push_back(new Op[kChunk]);
  return &chunks_[chunk][slot % kChunk];
}

int Poller::handleFd(double handle) const {
  int64_t fd;
  if (!toInt(handle, 0, kMaxFd - 1, &fd)) return -EBADF;
  if (fd == kq_) return -EBADF;
#ifdef XEV_KQUEUE_EMULATED
  // The emulation's hidden eventfds, timerfds and pidfds are no handle (a real kqueue has none).
  if (::kqueue_emul_owns(static_cast<int>(fd))) return -EBADF;
#endif
  return static_cast<int>(fd);
}

// ---- Completions ------------------------------------------------------------------------------------------

void Poller::push(double slot, double result, double aux) {
  if (cqCount_ == cqRing_.size()) {
    std::vector<Cqe> bigger(cqRing_.size() * 2);
    for (size_t i = 0; i < cqCount_; i++) bigger[i] = cqRing_[(cqHead_ + i) & (cqRing_.size() - 1)];
    cqRing_.swap(bigger);
    cqHead_ = 0;
  }
  cqRing_[(cqHead_ + cqCount_) & (cqRing_.size() - 1)] = Cqe{slot, result, aux};
  cqCount_++;
}

void Poller::complete(Op& o, int64_t result, int32_t aux) {
  o.state = OpState::kIdle;
  push(o.slot, static_cast<double>(result), aux);
  if (o.cancelBy >= 0) {
    // A cancel that arrived while this op ran on the pool: the op finished on its own, so ENOENT.
    Op& c = *op(o.cancelBy);
    o.cancelBy = -1;
    c.state = OpState::kIdle;
    push(c.slot, -ENOENT);
  }
}

uint32_t Poller::drain(double* cq, uint32_t capacity) {
  uint32_t n = 0;
  size_t mask = cqRing_.size() - 1;
  while (cqCount_ > 0 && n < capacity) {
    const Cqe& c = cqRing_[cqHead_];
    double* out = cq + static_cast<size_t>(n) * xev::kCqe_STRIDE;
    out[xev::kCqe_SLOT] = c.slot;
    out[xev::kCqe_RESULT] = c.result;
    out[xev::kCqe_AUX] = c.aux;
    cqHead_ = (cqHead_ + 1) & mask;
    cqCount_--;
    n++;
  }
  return n;
}

// ---- Submission -------------------------------------------------------------------------------------------

void Poller::fail(const Submission& s, int err) { push(s.slot, err); }

void Poller::submit(const Submission& s) {
  int64_t slot;
  if (!toInt(s.slot, 0, kMaxSlots - 1, &slot)) return fail(s, -EINVAL);
  Op& o = *op(static_cast<int32_t>(slot));
  if (o.state != OpState::kIdle) return fail(s, -EBUSY);  // the loop reused a slot still in flight
  int64_t code;
  if (!toInt(s.op, 0, 255, &code)) code = -1;
  o.slot = static_cast<int32_t>(slot);
  o.code = static_cast<int32_t>(code);
  o.fd = -1;
  o.buf = o.aux = nullptr;
  o.len = o.auxLen = 0;
  o.arg0 = o.arg1 = 0;
  o.connecting = false;
  o.streamSocket = false;
  o.cancelBy = -1;
  o.prev = o.next = nullptr;

  if (opUsesBuffer(o.code)) {
    if (s.bufError != 0) return complete(o, s.bufError);
    if (!s.hasBuf) return complete(o, -EINVAL);
    o.buf = s.buf;
    o.len = s.len;
  }
  if (opUsesAux(o.code)) {
    if (s.auxError != 0) return complete(o, s.auxError);
    if (s.hasAux) {
      o.aux = s.aux;
      o.auxLen = s.auxLen;
    }
  }
  switch (o.code) {
    case xev::kOpCode_NOP:
      return complete(o, 0);
    case xev::kOpCode_CANCEL: {
      int64_t target;
      if (!toInt(s.target, 0, kMaxSlots - 1, &target) || target == slot ||
          static_cast<size_t>(target) >= chunks_.size() * kChunk) {
        return complete(o, -ENOENT);
      }
      return startCancel(o, static_cast<int32_t>(target));
    }
    case xev::kOpCode_OPEN: {
      int flags = toInt(s.arg0, 0, 1 << 30, &o.arg0) ? xev::OpenFlagsToPosix(static_cast<uint32_t>(o.arg0)) : -1;
      if (flags < 0 || !toInt(s.arg1, 0, 07777, &o.arg1)) return complete(o, -EINVAL);
      if (o.aux == nullptr || std::memchr(o.aux, 0, o.auxLen) == nullptr) return complete(o, -EINVAL);
      o.arg0 = flags;
      return startPool(o);
    }
    default:
      break;
  }

  // Everything else acts on a handle. Timer, timerReset and work never reach a backend.
  if (o.code < xev::kOpCode_ASYNC_WAIT || o.code > xev::kOpCode_POLL) return complete(o, -EINVAL);
  o.fd = handleFd(s.handle);
  if (o.fd < 0) return complete(o, o.fd);
  int tracked = track(o.fd);
  if (tracked != 0) return complete(o, tracked);
  switch (o.code) {
    case xev::kOpCode_ASYNC_WAIT:
      if (!isAsyncFd(o.fd)) return complete(o, -EBADF);
      if (state(o.fd).kind == FdKind::kUnknown) state(o.fd).kind = FdKind::kAsync;  // from another loop
      return startReady(o, kRead);
    case xev::kOpCode_PROCESS_WAIT:
      if (state(o.fd).kind != FdKind::kProcess) return complete(o, -EBADF);
      return startReady(o, kRead);
    case xev::kOpCode_READ:
    case xev::kOpCode_WRITE: {
      FdKind kind;
      int err = kindOf(o.fd, &kind);
      if (err != 0) return complete(o, err);
      if (kind == FdKind::kFile) return startPool(o);
      return startReady(o, o.code == xev::kOpCode_READ ? kRead : kWrite);
    }
    case xev::kOpCode_PREAD:
    case xev::kOpCode_PWRITE:
      if (!toInt(s.arg0, 0, 9007199254740991.0, &o.arg0)) return complete(o, -EINVAL);
      return startPool(o);
    case xev::kOpCode_FSYNC:
      return startPool(o);
    case xev::kOpCode_STAT:
      if (o.aux == nullptr || !s.auxIsFloat64 || o.auxLen < xev::kStat_COUNT * sizeof(double)) {
        return complete(o, -EINVAL);
      }
      return startPool(o);
    case xev::kOpCode_CLOSE:
      return startClose(o);
    case xev::kOpCode_ACCEPT:
    case xev::kOpCode_RECVFROM:
      if (o.aux != nullptr && o.auxLen < static_cast<size_t>(xev::kAddr_SIZE)) return complete(o, -EINVAL);
      return startReady(o, kRead);
    case xev::kOpCode_RECV:
      return startReady(o, kRead);
    case xev::kOpCode_SEND:
      return startReady(o, kWrite);
    case xev::kOpCode_SENDTO: {
      int err = decodeOpAddr(o);
      if (err != 0) return complete(o, err);
      return startReady(o, kWrite);
    }
    case xev::kOpCode_CONNECT: {
      int err = decodeOpAddr(o);
      FdKind kind;
      if (err == 0) err = kindOf(o.fd, &kind);
      if (err != 0) return complete(o, err);
      int64_t r = startConnect(o);
      if (r != kPark) return complete(o, r);
      o.connecting = true;
      state(o.fd).writable = false;
      return startReady(o, kWrite);
    }
    case xev::kOpCode_SHUTDOWN: {
      int64_t how;
      return complete(o, toInt(s.arg0, 0, 2, &how) ? performShutdown(o.fd, how) : -EINVAL);
    }
    case xev::kOpCode_POLL:
      if (!toInt(s.arg0, 0, 255, &o.arg0)) return complete(o, -EINVAL);
      return startPoll(o);
    default:
      return complete(o, -EINVAL);
  }
}

void Poller::startPool(Op& o) {
  // Open has no descriptor yet and close is accounted for by its caller.
  bool counted = o.code != xev::kOpCode_OPEN && o.code != xev::kOpCode_CLOSE;
  if (counted) state(o.fd).poolOps++;
  o.state = OpState::kPool;
  int err = pool_->submit(&o);
  if (err != 0) {
    if (counted) state(o.fd).poolOps--;
    complete(o, err);
  }
}

// ---- Cancellation and close -------------------------------------------------------------------------------

void Poller::startCancel(Op& o, int32_t target) {
  Op& t = *op(target);
  switch (t.state) {
    case OpState::kParked:
      unlinkParked(t);
      complete(t, -ECANCELED);
      return complete(o, 0);
    case OpState::kPool:
      if (pool_->tryRemove(&t)) {
        complete(t, -ECANCELED);
        complete(o, 0);
        if (t.code != xev::kOpCode_OPEN && t.code != xev::kOpCode_CLOSE) poolJobsDone(t.fd, 1);
        return;
      }
      // Running: it cannot be stopped, so it will finish with its real result and this cancel gets ENOENT
      // right after it (as when a target completes while the cancel is in flight).
      if (t.cancelBy >= 0) return complete(o, -ENOENT);
      t.cancelBy = o.slot;
      o.state = OpState::kCancelWait;
      return;
    case OpState::kCloseWait:
      state(t.fd).closeSlot = -1;
      complete(t, -ECANCELED);
      return complete(o, 0);
    case OpState::kIdle:
    case OpState::kCancelWait:
      return complete(o, -ENOENT);
  }
}

void Poller::cancelFdOps(int fd) {
  if (static_cast<size_t>(fd) >= fds_.size()) return;
  for (int dir = 0; dir < kDirs; dir++) {
    while (Op* o = fds_[fd].head[dir]) {
      unlinkParked(*o);
      complete(*o, -ECANCELED);
    }
  }
  // Pool jobs that have not started on this descriptor; running ones finish with their real result.
  uint32_t removed = 0;
  for (Op* o = pool_->removeFd(fd); o != nullptr;) {
    Op* next = o->poolNext;
    o->poolNext = nullptr;
    if (o->code != xev::kOpCode_CLOSE) removed++;
    complete(*o, -ECANCELED);
    o = next;
  }
  fds_[fd].poolOps -= removed;
}

void Poller::startClose(Op& o) {
  cancelFdOps(o.fd);
  FdState& st = state(o.fd);
  if (st.poolOps > 0) {
    // Jobs already running on a pool thread still use the descriptor: close once they are done, so the
    // number cannot be reused under them.
    o.state = OpState::kCloseWait;
    st.closeSlot = o.slot;
    return;
  }
  finishClose(o);
}

void Poller::finishClose(Op& o) {
  bool file = state(o.fd).kind == FdKind::kFile;
  FdKind kind = state(o.fd).kind;
  unregisterFd(o.fd);
  releaseFd(o.fd);
  if (file) return startPool(o);  // closing a file can block (NFS flushes, last reference to a big file)
  complete(o, closeByKind(o.fd, kind));
}

void Poller::poolJobsDone(int fd, uint32_t count) {
  FdState& st = state(fd);
  st.poolOps -= count;
  if (st.poolOps != 0 || st.closeSlot == -1) return;
  int32_t closeSlot = st.closeSlot;
  st.closeSlot = -1;
  if (closeSlot >= 0) return finishClose(*op(closeSlot));
  FdKind kind = st.kind;
  unregisterFd(fd);  // kCloseSyncPending
  releaseFd(fd);
  closeByKind(fd, kind);
}

int Poller::closeSync(double handle) {
  int fd = handleFd(handle);
  if (fd < 0) return fd;
  int tracked = track(fd);
  if (tracked != 0) return tracked;
  cancelFdOps(fd);
  if (state(fd).poolOps > 0) {
    state(fd).closeSlot = kCloseSyncPending;
    return 0;
  }
  FdKind kind = state(fd).kind;
  unregisterFd(fd);
  releaseFd(fd);
  return closeByKind(fd, kind);
}

void Poller::drainPool() {
  if (pool_ == nullptr) return;
  for (Op* o = pool_->takeDone(); o != nullptr;) {
    Op* next = o->poolNext;
    o->poolNext = nullptr;
    int64_t r = o->result;
    if (o->code == xev::kOpCode_OPEN) {
      if (r >= 0) adopt(static_cast<int>(r), o->openedKind);
      complete(*o, r);
    } else if (o->code == xev::kOpCode_CLOSE) {
      complete(*o, r);
    } else {
      int fd = o->fd;
      complete(*o, r);
      poolJobsDone(fd, 1);
    }
    o = next;
  }
}

// ---- Handles ----------------------------------------------------------------------------------------------

int Poller::asyncCreate() {
  // A kqueue of its own with one user event: a descriptor number that nothing else holds (so closeSync and
  // notify can tell it apart), pollable by the loop's kqueue, and triggerable from any thread by number.
  int fd = ::kqueue();
  if (fd < 0) return -errno;
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  if (fd >= kAsyncBits) {
    closeKqueue(fd);
    return -EMFILE;
  }
  struct kevent c;
  EV_SET(&c, 0, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, nullptr);
  if (::kevent(fd, &c, 1, nullptr, 0, nullptr) < 0) {
    int err = errno;
    closeKqueue(fd);
    return -err;
  }
  adopt(fd, FdKind::kAsync);
  markAsyncFd(fd, true);
  return fd;
}

int Poller::adoptProcess(int handle, int pid) {
  adopt(handle, FdKind::kProcess);
  state(handle).pid = pid;
  return handle;
}

int Poller::pid(double handle) {
  int fd = handleFd(handle);
  if (fd < 0) return fd;
  if (static_cast<size_t>(fd) >= fds_.size() || fds_[fd].kind != FdKind::kProcess) return -EBADF;
  return fds_[fd].pid;
}

}  // namespace xev_kqueue
