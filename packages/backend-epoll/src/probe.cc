// Whether epoll and the descriptors this backend builds on work here. Never throws, never kills the process.
#include "probe.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>


#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

namespace xev_epoll {

namespace {

ProbeResult refused(int err, const char* what, const char* fix) {
  ProbeResult r;
  r.ok = false;
  r.err = err;
  r.message = std::string(what) + " failed: " + std::strerror(err);
  r.fix = fix;
  return r;
}

}  // namespace

ProbeResult probe() {
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return refused(errno, "epoll_create1", "a seccomp profile or sandbox may forbid epoll; use the portable backend");
  int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  int tfdErr = errno;
  int efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  int efdErr = errno;
  long pidfd = ::syscall(SYS_pidfd_open, ::getpid(), 0);
  int pfd = pidfd < 0 ? -errno : static_cast<int>(pidfd);
  epoll_event ev;
  timespec zero{0, 0};
  bool pwait2 = ::syscall(SYS_epoll_pwait2, ep, &ev, 1, &zero, nullptr, 0) >= 0 || errno != ENOSYS;
  for (int fd : {tfd, efd, pfd}) {
    if (fd >= 0) ::close(fd);
  }
  ::close(ep);
  if (tfd < 0) return refused(tfdErr, "timerfd_create", "Linux 2.6.27 or later is needed");
  if (efd < 0) return refused(efdErr, "eventfd", "Linux 2.6.27 or later is needed");
  if (pfd < 0) return refused(-pfd, "pidfd_open", "Linux 5.3 or later is needed for process waits");

  ProbeResult r;
  r.ok = true;
  utsname u;
  std::string kernel = ::uname(&u) == 0 ? u.release : "unknown";
  r.detail = "epoll on Linux " + kernel + (pwait2 ? ", epoll_pwait2" : ", epoll_wait (no epoll_pwait2: millisecond waits)");
  return r;
}

}  // namespace xev_epoll
