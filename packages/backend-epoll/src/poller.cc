#include "poller.h"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>

#include "socket.h"
#include "xev/layout.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

namespace xev_epoll {

namespace {

constexpr int32_t kChunk = 256;
constexpr int32_t kMaxSlots = 1 << 22;   // far above any loop's slot count; bounds what bad input can allocate
constexpr int kMaxFd = 1 << 24;
constexpr uint64_t kTagFd = 0;           // epoll data: tag in the high 32 bits, descriptor in the low 32
constexpr uint64_t kTagTimer = 1;
constexpr uint64_t kTagWake = 2;
constexpr uint32_t kInterest = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

/**
 * The descriptors asyncCreate issued, process-wide, so that notify() (from any thread, any loop) writes
 * only to eventfds and never into a socket or a file that happens to carry the number.
 */
constexpr int kAsyncBits = 1 << 20;
std::atomic<uint64_t> gAsyncFds[kAsyncBits / 64];

void markAsync(int fd, bool on) {
  if (fd < 0 || fd >= kAsyncBits) return;
  uint64_t bit = uint64_t{1} << (fd % 64);
  if (on) gAsyncFds[fd / 64].fetch_or(bit, std::memory_order_release);
  else gAsyncFds[fd / 64].fetch_and(~bit, std::memory_order_release);
}

bool isAsync(int fd) {
  return fd >= 0 && fd < kAsyncBits && (gAsyncFds[fd / 64].load(std::memory_order_acquire) >> (fd % 64)) & 1;
}

/** An integral double in [lo, hi], converted without undefined behaviour; false otherwise. */
bool toInt(double v, double lo, double hi, int64_t* out) {
  if (!(v >= lo && v <= hi) || std::floor(v) != v) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

double nowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

int closeFd(int fd) {
  // Linux releases the descriptor even when close reports EINTR; retrying could close a reused one.
  return (::close(fd) < 0 && errno != EINTR) ? -errno : 0;
}

bool shortTransferDrains(int code) {
  return code == xev::kOpCode_RECV || code == xev::kOpCode_READ || code == xev::kOpCode_SEND ||
         code == xev::kOpCode_WRITE;
}

}  // namespace

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
  if (!toInt(handle, 0, kAsyncBits - 1, &fd) || !isAsync(static_cast<int>(fd))) return;
  uint64_t one = 1;
  ssize_t ignored = ::write(static_cast<int>(fd), &one, sizeof(one));
  (void)ignored;  // EAGAIN only at a counter of 2^64-2: the loop is woken already
}

Poller::Poller(uint32_t entries, bool blocking) : blocking_(blocking) {
  // Preallocate for `entries` slots: the loop's slot numbers stay below its active operation count.
  uint32_t chunks = (entries + kChunk - 1) / kChunk;
  for (uint32_t i = 0; i < chunks; i++) chunks_.push_back(new Op[kChunk]);
  size_t ring = 64;
  while (ring < static_cast<size_t>(entries) * 2) ring *= 2;
  cqRing_.resize(ring);
  fds_.resize(1024);
}

Poller::~Poller() {
  close();
  for (Op* chunk : chunks_) delete[] chunk;
}

int Poller::open() {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) return -errno;
  timerfd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timerfd_ < 0) return -errno;
  wakefd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakefd_ < 0) return -errno;
  // Both edge-triggered and never read: timerfd_settime resets the timer's count, and the eventfd's 64-bit
  // count cannot overflow in practice. Each expiry or write is a new edge. That saves a read per wake.
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = kTagTimer << 32;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, timerfd_, &ev) < 0) return -errno;
  ev.data.u64 = kTagWake << 32;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &ev) < 0) return -errno;
  pool_ = new Pool(wakefd_);
  return 0;
}

void Poller::close() {
  if (pool_ != nullptr) {
    pool_->stop();
    delete pool_;
    pool_ = nullptr;
  }
  for (int* fd : {&wakefd_, &timerfd_, &epfd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

Op* Poller::op(int32_t slot) {
  size_t chunk = static_cast<size_t>(slot / kChunk);
  while (chunks_.size() <= chunk) chunks_.push_back(new Op[kChunk]);
  return &chunks_[chunk][slot % kChunk];
}

Poller::FdState& Poller::state(int fd) {
  if (static_cast<size_t>(fd) >= fds_.size()) fds_.resize(std::max(static_cast<size_t>(fd) + 1, fds_.size() * 2));
  return fds_[fd];
}

int Poller::handleFd(double handle) const {
  int64_t fd;
  if (!toInt(handle, 0, kMaxFd - 1, &fd)) return -EBADF;
  if (fd == epfd_ || fd == timerfd_ || fd == wakefd_) return -EBADF;
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
      int flags = openFlags(toInt(s.arg0, 0, 1 << 30, &o.arg0) ? o.arg0 : -1);
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
  switch (o.code) {
    case xev::kOpCode_ASYNC_WAIT:
      if (!isAsync(o.fd)) return complete(o, -EBADF);
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
      int err = decodeAddr(o.aux, o.auxLen, &o.addr, &o.addrLen);
      if (err != 0) return complete(o, err);
      return startReady(o, kWrite);
    }
    case xev::kOpCode_CONNECT: {
      int err = decodeAddr(o.aux, o.auxLen, &o.addr, &o.addrLen);
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

int Poller::kindOf(int fd, FdKind* kind) {
  FdState& st = state(fd);
  if (st.kind == FdKind::kUnknown) {
    FdKind k;
    int err = classifyFd(fd, &k);
    if (err != 0) return err;
    state(fd).kind = k;
  }
  *kind = state(fd).kind;
  return 0;
}

/** Applies a finished readiness op's result: readiness hints, new descriptors, the completion. */
void Poller::finishReady(Op& o, Dir dir, int64_t r, int32_t aux) {
  FdState& st = state(o.fd);
  if (r > 0 && static_cast<size_t>(r) < o.len && st.kind == FdKind::kStreamSocket && shortTransferDrains(o.code)) {
    (dir == kRead ? st.readable : st.writable) = false;
  } else if (o.code == xev::kOpCode_ASYNC_WAIT && r == 0) {
    st.readable = false;  // the read emptied the eventfd
  }
  if (o.code == xev::kOpCode_ACCEPT && r >= 0) adopt(static_cast<int>(r), FdKind::kStreamSocket);
  complete(o, r, aux);
}

void Poller::startReady(Op& o, Dir dir) {
  FdKind kind;
  int err = kindOf(o.fd, &kind);
  if (err != 0) return complete(o, err);
  FdState* st = &state(o.fd);
  bool& ready = dir == kRead ? st->readable : st->writable;
  if (ready && st->head[dir] == nullptr && !o.connecting) {
    int32_t aux = 0;
    int64_t r = dir == kRead ? performRead(o, &aux) : performWrite(o);
    if (r != kPark) return finishReady(o, dir, r, aux);
    st = &state(o.fd);
    (dir == kRead ? st->readable : st->writable) = false;
  }
  if (!st->registered) {
    err = registerFd(o.fd);
    if (err != 0) return complete(o, err);
  }
  append(o.fd, dir, o);
}

void Poller::startPoll(Op& o) {
  uint32_t wanted = static_cast<uint32_t>(o.arg0) & (xev::kPollEvent_READABLE | xev::kPollEvent_WRITABLE);
  o.arg0 = wanted;
  int64_t r = pollNow(o.fd, wanted);
  if (r != 0) return complete(o, r);
  if (!state(o.fd).registered) {
    int err = registerFd(o.fd);
    if (err != 0) return complete(o, err);
  }
  append(o.fd, kPoll, o);
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

int Poller::registerFd(int fd) {
  epoll_event ev{};
  ev.events = kInterest;
  ev.data.u64 = (kTagFd << 32) | static_cast<uint32_t>(fd);
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) {
    // EEXIST: a duplicate of a descriptor closed behind our back is still in the set under this number.
    if (errno != EEXIST || ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) < 0) return -errno;
  }
  state(fd).registered = true;
  return 0;
}

void Poller::unregisterFd(int fd) {
  if (static_cast<size_t>(fd) >= fds_.size() || !fds_[fd].registered) return;
  // Explicitly, not by close: a dup() elsewhere would keep the registration (and its events) alive.
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  fds_[fd].registered = false;
}

void Poller::append(int fd, Dir dir, Op& o) {
  FdState& st = state(fd);
  o.state = OpState::kParked;
  o.dir = dir;
  o.next = nullptr;
  o.prev = st.tail[dir];
  if (st.tail[dir] != nullptr) st.tail[dir]->next = &o;
  else st.head[dir] = &o;
  st.tail[dir] = &o;
}

void Poller::unlinkParked(Op& o) {
  FdState& st = state(o.fd);
  if (o.prev != nullptr) o.prev->next = o.next;
  else st.head[o.dir] = o.next;
  if (o.next != nullptr) o.next->prev = o.prev;
  else st.tail[o.dir] = o.prev;
  o.prev = o.next = nullptr;
}

void Poller::adopt(int fd, FdKind kind) {
  FdState& st = state(fd);
  st = FdState{};
  st.kind = kind;
}

void Poller::releaseFd(int fd) {
  if (static_cast<size_t>(fd) >= fds_.size()) return;
  if (isAsync(fd)) markAsync(fd, false);
  fds_[fd] = FdState{};
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
  unregisterFd(o.fd);
  releaseFd(o.fd);
  if (file) return startPool(o);  // closing a file can block (NFS flushes, last reference to a big file)
  complete(o, closeFd(o.fd));
}

void Poller::poolJobsDone(int fd, uint32_t count) {
  FdState& st = state(fd);
  st.poolOps -= count;
  if (st.poolOps != 0 || st.closeSlot == -1) return;
  int32_t closeSlot = st.closeSlot;
  st.closeSlot = -1;
  if (closeSlot >= 0) return finishClose(*op(closeSlot));
  unregisterFd(fd);  // kCloseSyncPending
  releaseFd(fd);
  closeFd(fd);
}

int Poller::closeSync(double handle) {
  int fd = handleFd(handle);
  if (fd < 0) return fd;
  cancelFdOps(fd);
  if (state(fd).poolOps > 0) {
    state(fd).closeSlot = kCloseSyncPending;
    return 0;
  }
  unregisterFd(fd);
  releaseFd(fd);
  return closeFd(fd);
}

// ---- Events -----------------------------------------------------------------------------------------------

void Poller::process(const epoll_event* events, int n) {
  for (int i = 0; i < n; i++) {
    uint64_t data = events[i].data.u64;
    switch (data >> 32) {
      case kTagTimer:
        wakeFired_ = true;
        wakeArmed_ = false;
        break;
      case kTagWake:
        drainPool();
        break;
      default:
        onFdEvent(static_cast<int>(data & 0xffffffffu), events[i].events);
    }
  }
}

void Poller::onFdEvent(int fd, uint32_t events) {
  if (static_cast<size_t>(fd) >= fds_.size() || !fds_[fd].registered) return;
  FdState& st = fds_[fd];
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) st.readable = true;
  if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) st.writable = true;
  runQueue(fd, kRead);
  runQueue(fd, kWrite);
  if (fds_[fd].head[kPoll] != nullptr) runPolls(fd, events);
}

void Poller::runQueue(int fd, Dir dir) {
  for (;;) {
    FdState& st = fds_[fd];
    Op* o = st.head[dir];
    if (o == nullptr || !(dir == kRead ? st.readable : st.writable)) return;
    int32_t aux = 0;
    int64_t r = dir == kRead ? performRead(*o, &aux) : performWrite(*o);
    if (r == kPark) {
      (dir == kRead ? fds_[fd].readable : fds_[fd].writable) = false;
      return;
    }
    unlinkParked(*o);
    finishReady(*o, dir, r, aux);
  }
}

void Poller::runPolls(int fd, uint32_t events) {
  uint32_t ready = pollEventsFromEpoll(events);
  for (Op* o = fds_[fd].head[kPoll]; o != nullptr;) {
    Op* next = o->next;
    uint32_t got = ready & (static_cast<uint32_t>(o->arg0) | xev::kPollEvent_ERROR | xev::kPollEvent_HANGUP);
    if (got != 0) {
      unlinkParked(*o);
      complete(*o, got);
    }
    o = next;
  }
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

// ---- Waiting ----------------------------------------------------------------------------------------------

int Poller::waitOnce(double timeoutMs) {
  int total = 0;
  for (;;) {
    int n;
    if (timeoutMs == 0) {
      n = ::epoll_wait(epfd_, events_, kMaxEvents, 0);
    } else if (havePwait2_) {
      // epoll_pwait2 takes a timespec: timers shorter than a millisecond do not round up to one.
      timespec ts;
      timespec* tsp = nullptr;
      if (timeoutMs > 0) {
        double ns = std::ceil(timeoutMs * 1e6);
        ts.tv_sec = static_cast<time_t>(ns / 1e9);
        ts.tv_nsec = static_cast<long>(ns - static_cast<double>(ts.tv_sec) * 1e9);
        tsp = &ts;
      }
      n = static_cast<int>(::syscall(SYS_epoll_pwait2, epfd_, events_, kMaxEvents, tsp, nullptr, 0));
      if (n < 0 && errno == ENOSYS) {
        havePwait2_ = false;  // Linux before 5.11
        continue;
      }
    } else {
      int ms = timeoutMs < 0 ? -1 : timeoutMs > 2147483647.0 ? 2147483647 : static_cast<int>(std::ceil(timeoutMs));
      n = ::epoll_wait(epfd_, events_, kMaxEvents, ms);
    }
    if (n < 0) return total > 0 ? total : -errno;
    process(events_, n);
    total += n;
    if (n < kMaxEvents) return total;
    timeoutMs = 0;  // a full batch: take the rest without waiting
  }
}

void Poller::wait(double waitMs) {
  if (epfd_ < 0) return;
  if (cqCount_ > 0 || wakeFired_ || std::isnan(waitMs)) waitMs = 0;
  double deadline = waitMs > 0 ? nowMs() + waitMs : 0;
  for (;;) {
    int n = waitOnce(waitMs);
    // EINTR: return, so that a signal's JavaScript handler is not held up by a long wait.
    if (n < 0 || waitMs == 0 || cqCount_ > 0 || wakeFired_) return;
    if (waitMs > 0) {
      waitMs = deadline - nowMs();
      if (waitMs <= 0) return;
    }
  }
}

void Poller::armWake(double delayMs) {
  if (timerfd_ < 0) return;
  itimerspec its{};
  if (!(delayMs >= 0) || std::isinf(delayMs)) {
    if (!wakeArmed_) return;
    wakeArmed_ = false;
  } else {
    double ns = std::max(1.0, std::ceil(delayMs * 1e6));  // 0 would disarm: fire as soon as possible
    its.it_value.tv_sec = static_cast<time_t>(ns / 1e9);
    its.it_value.tv_nsec = static_cast<long>(ns - static_cast<double>(its.it_value.tv_sec) * 1e9);
    wakeArmed_ = true;
  }
  ::timerfd_settime(timerfd_, 0, &its, nullptr);
}

bool Poller::takeWakeFired() {
  bool fired = wakeFired_;
  wakeFired_ = false;
  return fired;
}

void Poller::selfWake() {
  uint64_t one = 1;
  ssize_t ignored = ::write(wakefd_, &one, sizeof(one));
  (void)ignored;
}

// ---- Handles ----------------------------------------------------------------------------------------------

int Poller::asyncCreate() {
  int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return -errno;
  if (fd >= kAsyncBits) {
    ::close(fd);
    return -EMFILE;
  }
  adopt(fd, FdKind::kAsync);
  markAsync(fd, true);
  return fd;
}

int Poller::adoptProcess(int pidfd, int pid) {
  adopt(pidfd, FdKind::kProcess);
  state(pidfd).pid = pid;
  return pidfd;
}

int Poller::pid(double handle) {
  int fd = handleFd(handle);
  if (fd < 0) return fd;
  if (static_cast<size_t>(fd) >= fds_.size() || fds_[fd].kind != FdKind::kProcess) return -EBADF;
  return fds_[fd].pid;
}

}  // namespace xev_epoll
