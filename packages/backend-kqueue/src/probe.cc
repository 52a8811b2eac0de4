// Whether kqueue and the filters this backend builds on work here. Never throws, never kills the process.
#include "probe.h"

#include <sys/event.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "poller.h"

namespace xev_kqueue {

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
  int kq = ::kqueue();
  if (kq < 0) return refused(errno, "kqueue", "a sandbox may forbid kqueue; use the portable backend");
  // The filters beyond descriptors: a user event (async, wake-ups) and a timer (attached wake deadline).
  struct kevent c[2];
  struct kevent out[2];
  EV_SET(&c[0], 1, EVFILT_USER, EV_ADD | EV_CLEAR | EV_RECEIPT, 0, 0, nullptr);
  EV_SET(&c[1], 2, EVFILT_TIMER, EV_ADD | EV_ONESHOT | EV_RECEIPT, NOTE_USECONDS, 1000000, nullptr);
  timespec zero{0, 0};
  int n = ::kevent(kq, c, 2, out, 2, &zero);
  int err = n < 0 ? errno : 0;
  for (int i = 0; i < n && err == 0; i++) {
    if ((out[i].flags & EV_ERROR) && out[i].data != 0) err = static_cast<int>(out[i].data);
  }
  closeKqueue(kq);
  if (err != 0) return refused(err, "kevent (EVFILT_USER, EVFILT_TIMER)", "macOS 10.6 or FreeBSD 8.1 or later is needed");

  ProbeResult r;
  r.ok = true;
  utsname u;
  std::string os = ::uname(&u) == 0 ? std::string(u.sysname) + " " + u.release : "unknown";
#ifdef XEV_KQUEUE_EMULATED
  r.detail = "kqueue emulated on epoll (tests only), " + os;
#else
  r.detail = "kqueue on " + os;
#endif
  return r;
}

}  // namespace xev_kqueue
