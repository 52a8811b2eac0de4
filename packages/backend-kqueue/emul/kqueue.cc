// The kqueue emulation (see sys/event.h): kqueue() and kevent() on epoll, eventfd, timerfd and pidfd.
// Tests only: it lets the kqueue backend compile and run its conformance suite on Linux.
//
// Model. A kqueue is an epoll descriptor plus a table of knotes keyed by (ident, filter), guarded by one
// process-wide mutex (kevent is called from pool threads and from notify() on any thread).
//  - EVFILT_READ / EVFILT_WRITE on a descriptor share that descriptor's one epoll registration: its mask is
//    EPOLLIN|EPOLLRDHUP for an enabled read knote and EPOLLOUT for an enabled write knote, edge-triggered
//    (EPOLLET) when every enabled knote on it has EV_CLEAR, level-triggered otherwise. Descriptors epoll
//    refuses (regular files: EPERM) are always ready, as kqueue reports them.
//  - EVFILT_USER, EVFILT_TIMER and EVFILT_PROC each own a descriptor (eventfd, timerfd, pidfd) registered
//    level-triggered under a knote id.
// epoll waits happen outside the mutex; events are translated under it, and an event whose knote was
// deleted meanwhile is dropped.
#include "sys/event.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <map>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define KQ_EXPORT __attribute__((visibility("hidden")))

namespace {

// epoll data: the top bit tells a knote id (aux descriptor) from a watched descriptor number.
constexpr uint64_t kAuxTag = uint64_t{1} << 63;
constexpr uint16_t kStickyFlags = EV_ONESHOT | EV_CLEAR | EV_DISPATCH;

struct Knote {
  uintptr_t ident = 0;
  int16_t filter = 0;
  uint16_t flags = 0;    // the sticky flags: EV_ONESHOT, EV_CLEAR, EV_DISPATCH
  uint32_t fflags = 0;   // as registered (EVFILT_USER: the user flags)
  int64_t data = 0;      // as registered (EVFILT_TIMER: the period)
  void* udata = nullptr;
  bool enabled = true;
  int auxFd = -1;        // eventfd, timerfd or pidfd
  uint64_t id = 0;       // epoll data of auxFd
  bool alwaysReady = false;  // READ/WRITE on a descriptor epoll refuses
  bool reported = false;     // alwaysReady with EV_CLEAR: reported since the last add or enable
};

struct FdEntry {
  Knote* read = nullptr;
  Knote* write = nullptr;
  uint32_t mask = 0;  // what epoll holds for the descriptor; 0: not in the epoll set
};

struct Kq {
  int epfd = -1;
  std::map<std::pair<uintptr_t, int16_t>, Knote*> knotes;
  std::unordered_map<int, FdEntry> fds;
  std::unordered_map<uint64_t, Knote*> aux;
  uint64_t nextId = 1;
  // Events translated from one epoll event that did not fit in the caller's list: returned first next time.
  std::vector<struct kevent> pending;
};

std::mutex gMu;

// The hidden descriptors (aux fds), process-wide, readable without the mutex: kqueue_emul_owns.
constexpr int kOwnedBits = 1 << 20;
std::atomic<uint64_t> gOwned[kOwnedBits / 64];

void markOwned(int fd, bool on) {
  if (fd < 0 || fd >= kOwnedBits) return;
  uint64_t bit = uint64_t{1} << (fd % 64);
  if (on) gOwned[fd / 64].fetch_or(bit, std::memory_order_release);
  else gOwned[fd / 64].fetch_and(~bit, std::memory_order_release);
}

/** Closes a hidden descriptor, unmarking it first (its number may be reused as soon as it is closed). */
void closeAux(int fd) {
  markOwned(fd, false);
  ::close(fd);
}
std::unordered_map<int, Kq*>& kqs() {
  static auto* m = new std::unordered_map<int, Kq*>();  // never destroyed: kevent may run during exit
  return *m;
}

Kq* findKq(int kq) {
  auto it = kqs().find(kq);
  return it == kqs().end() ? nullptr : it->second;
}

bool isFdFilter(int16_t f) { return f == EVFILT_READ || f == EVFILT_WRITE; }

int64_t periodNs(const Knote& k) {
  int64_t d = k.data;
  switch (k.fflags & (NOTE_SECONDS | NOTE_MSECONDS | NOTE_USECONDS | NOTE_NSECONDS)) {
    case NOTE_SECONDS: return d * 1000000000LL;
    case NOTE_USECONDS: return d * 1000LL;
    case NOTE_NSECONDS: return d;
    default: return d * 1000000LL;  // milliseconds
  }
}

int armTimer(const Knote& k) {
  int64_t ns = periodNs(k);
  if (ns < 1) ns = 1;  // 0 would disarm a timerfd: fire as soon as possible
  itimerspec its{};
  its.it_value.tv_sec = static_cast<time_t>(ns / 1000000000LL);
  its.it_value.tv_nsec = static_cast<long>(ns % 1000000000LL);
  if (!(k.flags & EV_ONESHOT)) its.it_interval = its.it_value;
  return ::timerfd_settime(k.auxFd, 0, &its, nullptr) < 0 ? errno : 0;
}

/** Brings the epoll registration of descriptor `fd` in line with its knotes. 0 or an errno. */
int syncFd(Kq* q, int fd) {
  FdEntry& e = q->fds[fd];
  uint32_t mask = 0;
  bool allClear = true;
  for (Knote* k : {e.read, e.write}) {
    if (k == nullptr || !k->enabled || k->alwaysReady) continue;
    mask |= k->filter == EVFILT_READ ? (EPOLLIN | EPOLLRDHUP) : EPOLLOUT;
    if (!(k->flags & EV_CLEAR)) allClear = false;
  }
  if (mask != 0 && allClear) mask |= EPOLLET;
  int err = 0;
  if (mask == 0) {
    if (e.mask != 0) ::epoll_ctl(q->epfd, EPOLL_CTL_DEL, fd, nullptr);
  } else {
    epoll_event ev{};
    ev.events = mask;
    ev.data.u64 = static_cast<uint32_t>(fd);
    int r = ::epoll_ctl(q->epfd, e.mask == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
    // ENOENT on MOD: the descriptor was closed (dropping epoll's registration) and its number reused;
    // EEXIST on ADD: a registration survived through a dup of a closed descriptor. Either way, re-register.
    if (r < 0 && errno == ENOENT) r = ::epoll_ctl(q->epfd, EPOLL_CTL_ADD, fd, &ev);
    else if (r < 0 && errno == EEXIST) r = ::epoll_ctl(q->epfd, EPOLL_CTL_MOD, fd, &ev);
    if (r < 0) err = errno;
  }
  e.mask = err == 0 ? mask : 0;
  if (e.read == nullptr && e.write == nullptr) q->fds.erase(fd);
  return err;
}

void freeKnote(Kq* q, Knote* k) {
  q->knotes.erase({k->ident, k->filter});
  for (size_t i = 0; i < q->pending.size();) {
    if (q->pending[i].ident == k->ident && q->pending[i].filter == k->filter) q->pending.erase(q->pending.begin() + i);
    else i++;
  }
  if (k->auxFd >= 0) {
    ::epoll_ctl(q->epfd, EPOLL_CTL_DEL, k->auxFd, nullptr);
    closeAux(k->auxFd);
    q->aux.erase(k->id);
  }
  delete k;
}

void deleteKnote(Kq* q, Knote* k) {
  if (isFdFilter(k->filter)) {
    int fd = static_cast<int>(k->ident);
    FdEntry& e = q->fds[fd];
    (k->filter == EVFILT_READ ? e.read : e.write) = nullptr;
    freeKnote(q, k);
    syncFd(q, fd);
    return;
  }
  freeKnote(q, k);
}

int registerAux(Kq* q, Knote* k) {
  k->id = kAuxTag | q->nextId++;
  epoll_event ev{};
  ev.events = k->enabled ? static_cast<uint32_t>(EPOLLIN) : 0;
  ev.data.u64 = k->id;
  if (::epoll_ctl(q->epfd, EPOLL_CTL_ADD, k->auxFd, &ev) < 0) return errno;
  q->aux[k->id] = k;
  return 0;
}

void userFflags(Knote* k, uint32_t fflags) {
  uint32_t v = fflags & NOTE_FFLAGSMASK;
  switch (fflags & NOTE_FFCTRLMASK) {
    case NOTE_FFAND: k->fflags &= v; break;
    case NOTE_FFOR: k->fflags |= v; break;
    case NOTE_FFCOPY: k->fflags = v; break;
    default: break;
  }
}

void trigger(Knote* k) {
  uint64_t one = 1;
  ssize_t ignored = ::write(k->auxFd, &one, sizeof(one));
  (void)ignored;
}

/** Creates the knote for an EV_ADD that found none. 0 or an errno; *out is the new knote. */
int createKnote(Kq* q, const struct kevent& c, Knote** out) {
  auto* k = new Knote();
  k->ident = c.ident;
  k->filter = c.filter;
  k->flags = c.flags & kStickyFlags;
  k->fflags = c.fflags;
  k->data = c.data;
  k->udata = c.udata;
  k->enabled = !(c.flags & EV_DISABLE);
  int err = 0;
  switch (c.filter) {
    case EVFILT_READ:
    case EVFILT_WRITE: {
      if (c.ident > INT32_MAX || ::fcntl(static_cast<int>(c.ident), F_GETFD) < 0) {
        delete k;
        return EBADF;
      }
      int fd = static_cast<int>(c.ident);
      FdEntry& e = q->fds[fd];
      (c.filter == EVFILT_READ ? e.read : e.write) = k;
      q->knotes[{c.ident, c.filter}] = k;
      err = syncFd(q, fd);
      if (err == EPERM) {
        // A regular file or directory: kqueue reports it always ready; epoll refuses it.
        k->alwaysReady = true;
        err = syncFd(q, fd);
      }
      if (err != 0) {
        FdEntry& again = q->fds[fd];
        (c.filter == EVFILT_READ ? again.read : again.write) = nullptr;
        q->knotes.erase({c.ident, c.filter});
        syncFd(q, fd);
        delete k;
        return err;
      }
      *out = k;
      return 0;
    }
    case EVFILT_USER:
      k->fflags = 0;
      userFflags(k, c.fflags);
      k->auxFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      break;
    case EVFILT_TIMER:
      if (c.data < 0) err = EINVAL;
      else k->auxFd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
      break;
    case EVFILT_PROC:
      if ((c.fflags & ~NOTE_EXIT) != 0 || c.ident == 0 || c.ident > INT32_MAX) err = EINVAL;
      else k->auxFd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(c.ident), 0));
      break;
    default:
      err = EINVAL;
  }
  if (err == 0 && k->auxFd < 0) err = errno;
  if (k->auxFd >= 0) markOwned(k->auxFd, true);
  if (err == 0) err = registerAux(q, k);
  if (err == 0 && c.filter == EVFILT_TIMER) err = armTimer(*k);
  if (err != 0) {
    if (k->auxFd >= 0) {
      if (k->id != 0) {
        ::epoll_ctl(q->epfd, EPOLL_CTL_DEL, k->auxFd, nullptr);
        q->aux.erase(k->id);
      }
      closeAux(k->auxFd);
    }
    delete k;
    return err;
  }
  q->knotes[{c.ident, c.filter}] = k;
  if (c.filter == EVFILT_USER && (c.fflags & NOTE_TRIGGER)) trigger(k);
  *out = k;
  return 0;
}

void setEnabled(Kq* q, Knote* k, bool on) {
  k->enabled = on;
  if (on) k->reported = false;
  if (isFdFilter(k->filter)) {
    syncFd(q, static_cast<int>(k->ident));
  } else {
    epoll_event ev{};
    ev.events = on ? static_cast<uint32_t>(EPOLLIN) : 0;
    ev.data.u64 = k->id;
    ::epoll_ctl(q->epfd, EPOLL_CTL_MOD, k->auxFd, &ev);
  }
}

/** Applies one change. 0 or an errno. */
int apply(Kq* q, const struct kevent& c) {
  if (c.filter != EVFILT_READ && c.filter != EVFILT_WRITE && c.filter != EVFILT_USER && c.filter != EVFILT_TIMER &&
      c.filter != EVFILT_PROC) {
    return EINVAL;
  }
  auto it = q->knotes.find({c.ident, c.filter});
  Knote* k = it == q->knotes.end() ? nullptr : it->second;
  // A descriptor closed behind the emulation's back (epoll dropped it) leaves stale knotes: a descriptor
  // that is not open any more has none.
  if (k != nullptr && isFdFilter(c.filter) && ::fcntl(static_cast<int>(c.ident), F_GETFD) < 0) {
    deleteKnote(q, k);
    k = nullptr;
  }
  if (c.flags & EV_DELETE) {
    if (k == nullptr) return isFdFilter(c.filter) && ::fcntl(static_cast<int>(c.ident), F_GETFD) < 0 ? EBADF : ENOENT;
    deleteKnote(q, k);
    return 0;
  }
  if (c.flags & EV_ADD) {
    if (k == nullptr) return createKnote(q, c, &k);
    // Modify: new flags, filter data and udata; re-enable unless EV_DISABLE.
    k->flags = c.flags & kStickyFlags;
    k->udata = c.udata;
    if (c.filter == EVFILT_USER) {
      userFflags(k, c.fflags);
      if (c.fflags & NOTE_TRIGGER) trigger(k);
    } else if (c.filter == EVFILT_TIMER) {
      if (c.data < 0) return EINVAL;
      k->fflags = c.fflags;
      k->data = c.data;
      int err = armTimer(*k);  // re-adding a timer restarts it, as on FreeBSD
      if (err != 0) return err;
    } else {
      k->fflags = c.fflags;
      k->data = c.data;
    }
    setEnabled(q, k, !(c.flags & EV_DISABLE));
    return 0;
  }
  if (k == nullptr) return ENOENT;
  if (c.flags & EV_DISABLE) setEnabled(q, k, false);
  else if (c.flags & EV_ENABLE) setEnabled(q, k, true);
  if (c.filter == EVFILT_USER) {
    userFflags(k, c.fflags);
    if (c.fflags & NOTE_TRIGGER) trigger(k);
  }
  return 0;
}

/** Bytes waiting to be read on `fd` (FIONREAD), or for a regular file, from the offset to its end. */
int64_t readable(int fd, bool file) {
  if (file) {
    off_t pos = ::lseek(fd, 0, SEEK_CUR);
    off_t end = ::lseek(fd, 0, SEEK_END);
    if (pos >= 0) ::lseek(fd, pos, SEEK_SET);
    return pos >= 0 && end >= pos ? end - pos : 0;
  }
  int n = 0;
  return ::ioctl(fd, FIONREAD, &n) == 0 ? n : 0;
}

/** Writes one event for `k` and applies EV_ONESHOT / EV_DISPATCH. */
void emit(Kq* q, Knote* k, uint16_t extraFlags, uint32_t fflags, int64_t data, struct kevent* out) {
  EV_SET(out, k->ident, k->filter, static_cast<uint16_t>(k->flags | extraFlags), fflags, data, k->udata);
  if (k->flags & EV_ONESHOT) deleteKnote(q, k);
  else if (k->flags & EV_DISPATCH) setEnabled(q, k, false);
}

/** Translates one epoll event into up to two kevents; returns how many it wrote. */
int translate(Kq* q, const epoll_event& ev, struct kevent* out, int room) {
  int n = 0;
  if (ev.data.u64 & kAuxTag) {
    auto it = q->aux.find(ev.data.u64);
    if (it == q->aux.end() || !it->second->enabled || room < 1) return 0;
    Knote* k = it->second;
    switch (k->filter) {
      case EVFILT_USER: {
        uint32_t fflags = k->fflags;
        if (k->flags & EV_CLEAR) {
          uint64_t count;
          ssize_t ignored = ::read(k->auxFd, &count, sizeof(count));  // reset the trigger
          (void)ignored;
          k->fflags = 0;
        }
        emit(q, k, 0, fflags, 0, out);
        return 1;
      }
      case EVFILT_TIMER: {
        uint64_t count = 0;
        if (::read(k->auxFd, &count, sizeof(count)) != sizeof(count) || count == 0) return 0;  // re-armed meanwhile
        emit(q, k, 0, 0, static_cast<int64_t>(count), out);
        return 1;
      }
      case EVFILT_PROC: {
        // The exit status in wait(2) encoding, read without reaping the child.
        siginfo_t info{};
        int64_t status = 0;
        if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(k->auxFd), &info, WEXITED | WNOHANG | WNOWAIT) == 0) {
          status = info.si_code == CLD_EXITED ? (info.si_status & 0xff) << 8 : (info.si_status & 0x7f);
        }
        Knote copy = *k;
        deleteKnote(q, k);  // the process is gone: its knote is too, as on kqueue
        EV_SET(out, copy.ident, copy.filter, static_cast<uint16_t>(copy.flags | EV_EOF | EV_ONESHOT), NOTE_EXIT, status,
               copy.udata);
        return 1;
      }
      default:
        return 0;
    }
  }
  int fd = static_cast<int>(ev.data.u64);
  auto it = q->fds.find(fd);
  if (it == q->fds.end()) return 0;
  uint32_t e = ev.events;
  Knote* r = it->second.read;
  Knote* w = it->second.write;
  if (r != nullptr && r->enabled && n < room && (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
    uint16_t eof = (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ? EV_EOF : 0;
    emit(q, r, eof, 0, readable(fd, false), out + n++);
    it = q->fds.find(fd);  // EV_ONESHOT may have erased the entry
    if (it == q->fds.end()) return n;
  }
  w = it->second.write;
  if (w != nullptr && w->enabled && (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))) {
    uint16_t eof = (e & (EPOLLHUP | EPOLLERR)) ? EV_EOF : 0;
    if (n < room) {
      emit(q, w, eof, 0, 0, out + n++);
    } else {
      // An edge-triggered registration reports this edge once: keep the event rather than lose it.
      struct kevent later;
      emit(q, w, eof, 0, 0, &later);
      q->pending.push_back(later);
    }
  }
  return n;
}

/** Reports enabled always-ready knotes (regular files). */
int alwaysReady(Kq* q, struct kevent* out, int room) {
  int n = 0;
  std::vector<Knote*> ready;
  for (auto& [key, k] : q->knotes) {
    if (k->alwaysReady && k->enabled && !((k->flags & EV_CLEAR) && k->reported)) ready.push_back(k);
  }
  for (Knote* k : ready) {
    if (n >= room) break;
    k->reported = true;
    int fd = static_cast<int>(k->ident);
    emit(q, k, 0, 0, k->filter == EVFILT_READ ? readable(fd, true) : 0, out + n++);
  }
  return n;
}

double monoNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

/** epoll_pwait2 with a nanosecond timeout (NULL: forever); epoll_wait in milliseconds before Linux 5.11. */
int waitEpoll(int epfd, epoll_event* events, int max, const timespec* ts) {
  static bool havePwait2 = true;
  if (havePwait2) {
    int n = static_cast<int>(::syscall(SYS_epoll_pwait2, epfd, events, max, ts, nullptr, 0));
    if (n >= 0 || errno != ENOSYS) return n;
    havePwait2 = false;
  }
  int ms = -1;
  if (ts != nullptr) {
    double v = std::ceil(static_cast<double>(ts->tv_sec) * 1e3 + static_cast<double>(ts->tv_nsec) / 1e6);
    ms = v > 2147483647.0 ? 2147483647 : static_cast<int>(v);
  }
  return ::epoll_wait(epfd, events, max, ms);
}

}  // namespace

extern "C" {

KQ_EXPORT int kqueue(void) {
  int epfd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return -1;
  std::lock_guard<std::mutex> lock(gMu);
  auto it = kqs().find(epfd);
  if (it != kqs().end()) {
    // An earlier kqueue with this number was closed with close(2): release what it held.
    Kq* old = it->second;
    for (auto& [id, k] : old->aux) closeAux(k->auxFd);
    for (auto& [key, k] : old->knotes) delete k;
    delete old;
  }
  auto* q = new Kq();
  q->epfd = epfd;
  kqs()[epfd] = q;
  return epfd;
}

KQ_EXPORT int kqueue_emul_close(int kq) {
  {
    std::lock_guard<std::mutex> lock(gMu);
    Kq* q = findKq(kq);
    if (q != nullptr) {
      kqs().erase(kq);
      for (auto& [id, k] : q->aux) closeAux(k->auxFd);
      for (auto& [key, k] : q->knotes) delete k;
      delete q;
    }
  }
  return ::close(kq);
}

KQ_EXPORT int kqueue_emul_owns(int fd) {
  return fd >= 0 && fd < kOwnedBits && ((gOwned[fd / 64].load(std::memory_order_acquire) >> (fd % 64)) & 1) != 0;
}

KQ_EXPORT int kevent(int kq, const struct kevent* changelist, int nchanges, struct kevent* eventlist, int nevents,
                     const struct timespec* timeout) {
  if (nchanges < 0 || nevents < 0 || (nchanges > 0 && changelist == nullptr) || (nevents > 0 && eventlist == nullptr)) {
    errno = EINVAL;
    return -1;
  }
  if (timeout != nullptr && (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L)) {
    errno = EINVAL;
    return -1;
  }
  int out = 0;
  int epfd;
  {
    std::lock_guard<std::mutex> lock(gMu);
    Kq* q = findKq(kq);
    if (q == nullptr) {
      errno = EBADF;
      return -1;
    }
    epfd = q->epfd;
    for (int i = 0; i < nchanges; i++) {
      const struct kevent& c = changelist[i];
      int err = apply(q, c);
      if (err == 0 && !(c.flags & EV_RECEIPT)) continue;
      if (out < nevents) {
        eventlist[out] = c;
        eventlist[out].flags |= EV_ERROR;
        eventlist[out].data = err;
        out++;
      } else if (err != 0) {
        errno = err;
        return -1;
      }
    }
    // Change errors (and receipts) are returned at once, without collecting events: so kqueue does.
    if (out > 0 || nevents == 0) return out;
    while (out < nevents && !q->pending.empty()) {
      eventlist[out++] = q->pending.front();
      q->pending.erase(q->pending.begin());
    }
    out += alwaysReady(q, eventlist + out, nevents - out);
  }
  double deadline = timeout != nullptr ? monoNs() + static_cast<double>(timeout->tv_sec) * 1e9 + timeout->tv_nsec : 0;
  for (;;) {
    timespec zero{0, 0};
    timespec left{0, 0};
    const timespec* ts = nullptr;
    if (out > 0) {
      ts = &zero;
    } else if (timeout != nullptr) {
      double ns = deadline - monoNs();
      if (ns < 0) ns = 0;
      left.tv_sec = static_cast<time_t>(ns / 1e9);
      left.tv_nsec = static_cast<long>(ns - static_cast<double>(left.tv_sec) * 1e9);
      ts = &left;
    }
    epoll_event events[64];
    int max = nevents - out < 64 ? nevents - out : 64;
    int n = waitEpoll(epfd, events, max, ts);
    if (n < 0) {
      if (out > 0) return out;
      return -1;  // EINTR included: a signal ends the wait, as in kevent
    }
    std::lock_guard<std::mutex> lock(gMu);
    Kq* q = findKq(kq);
    if (q == nullptr || q->epfd != epfd) return out;
    for (int i = 0; i < n && out < nevents; i++) out += translate(q, events[i], eventlist + out, nevents - out);
    // Every event was stale (a knote deleted meanwhile, a timer re-armed): wait on, for what is left.
    if (out > 0 || n == 0 || (ts != nullptr && ts->tv_sec == 0 && ts->tv_nsec == 0)) return out;
  }
}

}  // extern "C"
