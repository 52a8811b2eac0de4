// The epoll half of the Poller (engine.cc has the operation lifecycle): the epoll set and its internal
// descriptors, per-descriptor readiness and queues, turning events into performed operations, and waiting.
#include "poller.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>

#include "xev/layout.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

namespace xev_epoll {

namespace {

constexpr uint64_t kTagFd = 0;           // epoll data: tag in the high 32 bits, descriptor in the low 32
constexpr uint64_t kTagTimer = 1;
constexpr uint64_t kTagWake = 2;
constexpr uint32_t kInterest = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

double nowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

bool shortTransferDrains(int code) {
  return code == xev::kOpCode_RECV || code == xev::kOpCode_READ || code == xev::kOpCode_SEND ||
         code == xev::kOpCode_WRITE;
}

}  // namespace

Poller::Poller(uint32_t entries) {
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
  if (!recordsLeaked_) {
    for (Op* chunk : chunks_) delete[] chunk;
  }
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
    // A pool thread stuck in a syscall keeps using the pool and its op record: leak both rather than hang.
    if (pool_->stop()) delete pool_;
    else recordsLeaked_ = true;
    pool_ = nullptr;
  }
  for (int* fd : {&wakefd_, &timerfd_, &epfd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

Poller::FdState& Poller::state(int fd) {
  if (static_cast<size_t>(fd) >= fds_.size()) fds_.resize(std::max(static_cast<size_t>(fd) + 1, fds_.size() * 2));
  return fds_[fd];
}

int Poller::track(int fd) {
  if (static_cast<size_t>(fd) < fds_.size()) return 0;
  // Beyond every descriptor seen so far: grow the table only for a descriptor that is open, so that a bad
  // handle (a huge number) costs an EBADF, not megabytes. Open descriptors stay below RLIMIT_NOFILE.
  if (::fcntl(fd, F_GETFD) < 0) return -errno;
  state(fd);
  return 0;
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
  // A short read drains the receive queue, except that data the peer sent before its FIN is returned
  // first and the end of file only by the next read; the FIN's edge may already have been reaped.
  if (r > 0 && static_cast<size_t>(r) < o.len && st.kind == FdKind::kStreamSocket && shortTransferDrains(o.code) &&
      !(dir == kRead && st.peerClosed)) {
    (dir == kRead ? st.readable : st.writable) = false;
  } else if (o.code == xev::kOpCode_ASYNC_WAIT && r == 0) {
    st.readable = false;  // this completion took every notification so far
  }
  if (o.code == xev::kOpCode_ACCEPT && r >= 0) adopt(static_cast<int>(r), FdKind::kStreamSocket);
  complete(o, r, aux);
}

void Poller::startReady(Op& o, Dir dir) {
  FdKind kind;
  int err = kindOf(o.fd, &kind);
  if (err != 0) return complete(o, err);
  o.streamSocket = kind == FdKind::kStreamSocket;
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
  // An eventfd is readable only once notified: its flag tracks notifications exactly (see performRead).
  if (kind == FdKind::kAsync) st.readable = false;
}

void Poller::releaseFd(int fd) {
  if (static_cast<size_t>(fd) >= fds_.size()) return;
  if (isAsyncFd(fd)) markAsyncFd(fd, false);
  fds_[fd] = FdState{};
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
  if (events & (EPOLLRDHUP | EPOLLERR | EPOLLHUP)) st.peerClosed = true;
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
  flushPool();
  if (cqCount_ > 0 || wakeFired_ || std::isnan(waitMs)) waitMs = 0;
  double deadline = waitMs > 0 ? nowMs() + waitMs : 0;
  for (;;) {
    int n = waitOnce(waitMs);
    flushPool();  // file closes that waited for running jobs start here
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

}  // namespace xev_epoll
