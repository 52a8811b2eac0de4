// The knote table of the kqueue emulation: applying changes (EV_ADD, EV_DELETE, EV_ENABLE, EV_DISABLE,
// NOTE_TRIGGER), keeping each descriptor's one epoll registration in line with its knotes, and the hidden
// eventfds, timerfds and pidfds behind EVFILT_USER, EVFILT_TIMER and EVFILT_PROC.
#include "internal.h"

namespace xev_kqueue_emul {

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

bool isOwned(int fd) {
  return fd >= 0 && fd < kOwnedBits && ((gOwned[fd / 64].load(std::memory_order_acquire) >> (fd % 64)) & 1) != 0;
}

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

}  // namespace xev_kqueue_emul
