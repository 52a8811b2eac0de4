// Internals of the kqueue emulation (see sys/event.h), shared by knotes.cc (the knote table: changes,
// epoll registrations, hidden descriptors) and kqueue.cc (translating epoll events, waiting, the C API).
#pragma once

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

namespace xev_kqueue_emul {

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

/** Guards every table below; kevent waits outside it. */
extern std::mutex gMu;
std::unordered_map<int, Kq*>& kqs();
Kq* findKq(int kq);

/** Hidden descriptors (eventfd, timerfd, pidfd behind a filter): marked while open, for kqueue_emul_owns. */
void markOwned(int fd, bool on);
bool isOwned(int fd);
/** Closes a hidden descriptor, unmarking it first (its number may be reused as soon as it is closed). */
void closeAux(int fd);

bool isFdFilter(int16_t f);
/** Applies one change. 0 or an errno. */
int apply(Kq* q, const struct kevent& c);
void deleteKnote(Kq* q, Knote* k);
void setEnabled(Kq* q, Knote* k, bool on);

}  // namespace xev_kqueue_emul
