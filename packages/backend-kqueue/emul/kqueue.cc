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
#include "internal.h"

namespace xev_kqueue_emul {

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


}  // namespace xev_kqueue_emul

using namespace xev_kqueue_emul;

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
  return isOwned(fd) ? 1 : 0;
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

