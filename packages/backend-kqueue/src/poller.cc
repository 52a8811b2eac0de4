// The kqueue half of the Poller (engine.cc has the operation lifecycle): the kqueue and its internal filters,
// per-descriptor readiness and queues, the batched change list, turning events into performed operations,
// and waiting.
#include "poller.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>

#include "xev/layout.h"

namespace xev_kqueue {

namespace {

double nowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

bool shortTransferDrains(int code) {
  return code == xev::kOpCode_RECV || code == xev::kOpCode_READ || code == xev::kOpCode_SEND ||
         code == xev::kOpCode_WRITE;
}

/** At most this many changes ride on one kevent call, so that their errors always fit in the event list. */
constexpr size_t kMaxChangesPerCall = 128;

}  // namespace

int closeKqueue(int fd) {
#ifdef XEV_KQUEUE_EMULATED
  return (::kqueue_emul_close(fd) < 0 && errno != EINTR) ? -errno : 0;
#else
  return closeFd(fd);
#endif
}

Poller::Poller(uint32_t entries) {
  // Preallocate for `entries` slots: the loop's slot numbers stay below its active operation count.
  uint32_t chunks = (entries + kChunk - 1) / kChunk;
  for (uint32_t i = 0; i < chunks; i++) chunks_.push_back(new Op[kChunk]);
  size_t ring = 64;
  while (ring < static_cast<size_t>(entries) * 2) ring *= 2;
  cqRing_.resize(ring);
  fds_.resize(1024);
  changes_.reserve(64);
}

Poller::~Poller() {
  close();
  if (!recordsLeaked_) {
    for (Op* chunk : chunks_) delete[] chunk;
  }
}

int Poller::open() {
  kq_ = ::kqueue();
  if (kq_ < 0) return -errno;
  // kqueues are not inherited across fork(2); close-on-exec as well, for exec without fork.
  ::fcntl(kq_, F_SETFD, FD_CLOEXEC);
  // The wake-up user event, EV_CLEAR: any number of triggers before a wait is one event.
  struct kevent c;
  EV_SET(&c, kWakeIdent, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, nullptr);
  if (::kevent(kq_, &c, 1, nullptr, 0, nullptr) < 0) return -errno;
  pool_ = new Pool(kq_);
  return 0;
}

void Poller::close() {
  if (pool_ != nullptr) {
    // A pool thread stuck in a syscall keeps using the pool and its op record: leak both rather than hang.
    if (pool_->stop()) delete pool_;
    else recordsLeaked_ = true;
    pool_ = nullptr;
  }
  if (kq_ >= 0) closeKqueue(kq_);
  kq_ = -1;
  changes_.clear();
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
    st.readable = false;  // the handle's user event was taken (EV_CLEAR reset it)
  } else if (o.code == xev::kOpCode_PROCESS_WAIT && r >= 0) {
    st.reaped = true;  // the pid may be reused from now on: never wait on it again
  }
  if (o.code == xev::kOpCode_ACCEPT && r >= 0) adopt(static_cast<int>(r), FdKind::kStreamSocket);
  complete(o, r, aux);
}

int64_t Poller::readOnce(Op& o, int32_t* aux) {
  if (o.code == xev::kOpCode_PROCESS_WAIT) {
    const FdState& st = state(o.fd);
    if (st.reaped) return -ECHILD;  // as waitpid says for a child reaped already, without asking it
    o.arg0 = st.pid;
  }
  return performRead(o, aux);
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
    int64_t r = dir == kRead ? readOnce(o, &aux) : performWrite(o);
    if (r != kPark) return finishReady(o, dir, r, aux);
    st = &state(o.fd);
    (dir == kRead ? st->readable : st->writable) = false;
  }
  registerFd(o.fd, dir);
  append(o.fd, dir, o);
}

void Poller::startPoll(Op& o) {
  uint32_t wanted = static_cast<uint32_t>(o.arg0) & (xev::kPollEvent_READABLE | xev::kPollEvent_WRITABLE);
  o.arg0 = wanted;
  int64_t r = pollNow(o.fd, wanted);
  if (r != 0) return complete(o, r);
  registerFd(o.fd, kPoll, wanted);
  append(o.fd, kPoll, o);
}

void Poller::registerFd(int fd, Dir dir, uint32_t pollBits) {
  bool want[2] = {dir == kRead, dir == kWrite};
  if (dir == kPoll) {
    want[kRead] = (pollBits & xev::kPollEvent_READABLE) != 0;
    want[kWrite] = (pollBits & xev::kPollEvent_WRITABLE) != 0;
  }
  FdState& st = state(fd);
  for (int d = 0; d < 2; d++) {
    if (!want[d] || st.filter[d]) continue;
    // Batched: the next kevent call applies it. EV_CLEAR reports the state at the time of the add, so
    // readiness that arrived since the EAGAIN that parked the operation is not lost.
    struct kevent c;
    EV_SET(&c, static_cast<uintptr_t>(fd), d == kRead ? EVFILT_READ : EVFILT_WRITE, EV_ADD | EV_CLEAR, 0, 0, nullptr);
    changes_.push_back(c);
    st.filter[d] = true;
  }
}

void Poller::unregisterFd(int fd) {
  if (static_cast<size_t>(fd) >= fds_.size()) return;
  FdState& st = fds_[fd];
  if (!st.filter[kRead] && !st.filter[kWrite]) return;
  // Changes still queued for this number must not reach a descriptor that reuses it.
  changes_.erase(std::remove_if(changes_.begin(), changes_.end(),
                                [fd](const struct kevent& c) { return c.ident == static_cast<uintptr_t>(fd); }),
                 changes_.end());
#ifdef XEV_KQUEUE_EMULATED
  // A real kqueue drops a descriptor's filters when it is closed; the emulation cannot see close(2).
  struct kevent c[2];
  struct kevent out[2];
  int n = 0;
  for (int d = 0; d < 2; d++) {
    if (st.filter[d]) EV_SET(&c[n++], static_cast<uintptr_t>(fd), d == kRead ? EVFILT_READ : EVFILT_WRITE,
                             EV_DELETE | EV_RECEIPT, 0, 0, nullptr);
  }
  timespec zero{0, 0};
  ::kevent(kq_, c, n, out, n, &zero);
#endif
  st.filter[kRead] = st.filter[kWrite] = false;
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
  if (isAsyncFd(fd)) markAsyncFd(fd, false);
  fds_[fd] = FdState{};
}

// ---- Events -----------------------------------------------------------------------------------------------

void Poller::process(const struct kevent* events, int n) {
  for (int i = 0; i < n; i++) {
    const struct kevent& ev = events[i];
    if (ev.flags & EV_ERROR) {
      if (ev.data != 0) onChangeError(ev);
      continue;
    }
    switch (ev.filter) {
      case EVFILT_TIMER:
        if (ev.ident == kTimerIdent) {
          wakeFired_ = true;
          wakeArmed_ = false;
        }
        break;
      case EVFILT_USER:
        if (ev.ident == kWakeIdent) drainPool();
        break;
      case EVFILT_READ:
      case EVFILT_WRITE:
        onFdEvent(ev);
        break;
      default:
        break;
    }
  }
}

void Poller::onChangeError(const struct kevent& ev) {
  if (ev.filter != EVFILT_READ && ev.filter != EVFILT_WRITE) return;
  int fd = static_cast<int>(ev.ident);
  if (ev.ident > static_cast<uintptr_t>(kMaxFd) || static_cast<size_t>(fd) >= fds_.size()) return;
  Dir dir = ev.filter == EVFILT_READ ? kRead : kWrite;
  FdState& st = fds_[fd];
  st.filter[dir] = false;
  int64_t err = -static_cast<int64_t>(ev.data);
  while (Op* o = fds_[fd].head[dir]) {
    unlinkParked(*o);
    complete(*o, err);
  }
  // Polls waiting on this direction fail too; a poll also waiting on the other direction keeps waiting.
  uint32_t bit = dir == kRead ? xev::kPollEvent_READABLE : xev::kPollEvent_WRITABLE;
  for (Op* o = fds_[fd].head[kPoll]; o != nullptr;) {
    Op* next = o->next;
    if ((static_cast<uint32_t>(o->arg0) & ~bit) == 0 || !fds_[fd].filter[dir == kRead ? kWrite : kRead]) {
      unlinkParked(*o);
      complete(*o, err);
    }
    o = next;
  }
}

void Poller::onFdEvent(const struct kevent& ev) {
  if (ev.ident > static_cast<uintptr_t>(kMaxFd)) return;
  int fd = static_cast<int>(ev.ident);
  if (static_cast<size_t>(fd) >= fds_.size()) return;
  FdState& st = fds_[fd];
  uint32_t ready = 0;
  if (ev.filter == EVFILT_READ) {
    if (!st.filter[kRead]) return;
    st.readable = true;
    ready |= xev::kPollEvent_READABLE;
    // EV_EOF: the peer shut down its side (or an error is pending, in fflags): the next read returns it.
    if (ev.flags & EV_EOF) st.peerClosed = true;
  } else {
    if (!st.filter[kWrite]) return;
    st.writable = true;
    ready |= xev::kPollEvent_WRITABLE;
    if (ev.flags & EV_EOF) ready |= xev::kPollEvent_HANGUP;
  }
  if ((ev.flags & EV_EOF) && ev.fflags != 0) ready |= xev::kPollEvent_ERROR;
  runQueue(fd, ev.filter == EVFILT_READ ? kRead : kWrite);
  if (fds_[fd].head[kPoll] != nullptr) runPolls(fd, ready);
}

void Poller::runQueue(int fd, Dir dir) {
  for (;;) {
    FdState& st = fds_[fd];
    Op* o = st.head[dir];
    if (o == nullptr || !(dir == kRead ? st.readable : st.writable)) return;
    int32_t aux = 0;
    int64_t r = dir == kRead ? readOnce(*o, &aux) : performWrite(*o);
    if (r == kPark) {
      (dir == kRead ? fds_[fd].readable : fds_[fd].writable) = false;
      return;
    }
    unlinkParked(*o);
    finishReady(*o, dir, r, aux);
  }
}

void Poller::runPolls(int fd, uint32_t ready) {
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
  timespec zero{0, 0};
  // More changes than one call carries: apply the surplus first, without waiting.
  while (changes_.size() > kMaxChangesPerCall) {
    int n = ::kevent(kq_, changes_.data(), static_cast<int>(kMaxChangesPerCall), events_, kMaxEvents, &zero);
    changes_.erase(changes_.begin(), changes_.begin() + kMaxChangesPerCall);
    if (n > 0) {
      process(events_, n);
      total += n;
      timeoutMs = 0;
    }
  }
  for (;;) {
    timespec ts;
    timespec* tsp = nullptr;
    if (timeoutMs >= 0) {
      // kevent takes a timespec: timers shorter than a millisecond do not round up to one.
      double ns = std::ceil(timeoutMs * 1e6);
      if (ns > 1e18) ns = 1e18;
      ts.tv_sec = static_cast<time_t>(ns / 1e9);
      ts.tv_nsec = static_cast<long>(ns - static_cast<double>(ts.tv_sec) * 1e9);
      tsp = &ts;
    }
    int nchanges = static_cast<int>(changes_.size());
    int n = ::kevent(kq_, nchanges > 0 ? changes_.data() : nullptr, nchanges, events_, kMaxEvents, tsp);
    // The changes were applied (an error for one comes back as an EV_ERROR event; EINTR only ends the wait).
    changes_.clear();
    if (n < 0) return total > 0 ? total : -errno;
    process(events_, n);
    total += n;
    if (n < kMaxEvents) return total;
    timeoutMs = 0;  // a full batch: take the rest without waiting
  }
}

void Poller::wait(double waitMs) {
  if (kq_ < 0) return;
  flushPool();
  if (cqCount_ > 0 || wakeFired_ || std::isnan(waitMs)) waitMs = 0;
  double deadline = waitMs > 0 ? nowMs() + waitMs : 0;
  for (;;) {
    int n = waitOnce(waitMs);
    flushPool();  // file closes that waited for running jobs start here
    // EINTR: return, so that a signal's JavaScript handler is not held up by a long wait.
    if (n < 0 || waitMs == 0 || cqCount_ > 0 || wakeFired_) return;
    if (!changes_.empty()) continue;  // operations parked while processing: register them before sleeping
    if (waitMs > 0) {
      waitMs = deadline - nowMs();
      if (waitMs <= 0) return;
    }
  }
}

void Poller::armWake(double delayMs) {
  if (kq_ < 0) return;
  struct kevent c;
  if (!(delayMs >= 0) || std::isinf(delayMs)) {
    if (!wakeArmed_) return;
    wakeArmed_ = false;
    EV_SET(&c, kTimerIdent, EVFILT_TIMER, EV_DELETE | EV_RECEIPT, 0, 0, nullptr);
  } else {
    // Microseconds, rounded up: the wake never comes before the deadline. 0 would fire at once anyway.
    double us = std::max(1.0, std::ceil(delayMs * 1e3));
    if (us > 9.0e15) us = 9.0e15;
    EV_SET(&c, kTimerIdent, EVFILT_TIMER, EV_ADD | EV_ONESHOT | EV_RECEIPT, NOTE_USECONDS, static_cast<int64_t>(us),
           nullptr);
    wakeArmed_ = true;
  }
  // Now, not batched: an attached loop sleeps in libuv, not in kevent. EV_RECEIPT: drain no events.
  struct kevent out;
  timespec zero{0, 0};
  ::kevent(kq_, &c, 1, &out, 1, &zero);
}

bool Poller::takeWakeFired() {
  bool fired = wakeFired_;
  wakeFired_ = false;
  return fired;
}

void Poller::selfWake() {
  if (kq_ < 0) return;
  struct kevent c;
  EV_SET(&c, kWakeIdent, EVFILT_USER, 0, NOTE_TRIGGER, 0, nullptr);
  ::kevent(kq_, &c, 1, nullptr, 0, nullptr);
}

}  // namespace xev_kqueue
