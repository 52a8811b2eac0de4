#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/event.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "poller.h"

#ifdef __APPLE__
#include <crt_externs.h>
// A shared library on macOS cannot link against `environ` (it lives in the executable): ask for it.
#define XEV_ENVIRON (*_NSGetEnviron())
#else
extern char** environ;
#define XEV_ENVIRON environ
#endif

namespace xev_kqueue {

namespace {

/** A kqueue that becomes readable when `pid` exits. The handle, or -errno. */
int processHandle(int pid) {
  int kq = ::kqueue();
  if (kq < 0) return -errno;
  ::fcntl(kq, F_SETFD, FD_CLOEXEC);
  struct kevent c;
  EV_SET(&c, static_cast<uintptr_t>(pid), EVFILT_PROC, EV_ADD | EV_ONESHOT, NOTE_EXIT, 0, nullptr);
  if (::kevent(kq, &c, 1, nullptr, 0, nullptr) == 0) return kq;
  int err = errno;
  if (err == ESRCH) {
    // The child exited before the filter was added (some kernels refuse a zombie): nobody reaps it but
    // us, so it is still there to reap. Make the handle readable for good with a triggered user event.
    EV_SET(&c, 0, EVFILT_USER, EV_ADD, 0, 0, nullptr);
    if (::kevent(kq, &c, 1, nullptr, 0, nullptr) == 0) {
      EV_SET(&c, 0, EVFILT_USER, 0, NOTE_TRIGGER, 0, nullptr);
      if (::kevent(kq, &c, 1, nullptr, 0, nullptr) == 0) return kq;
    }
    err = errno;
  }
  closeKqueue(kq);
  return -err;
}

}  // namespace

int spawnProcess(const char* file, char* const* argv, char* const* envp, const char* cwd, bool ignoreStdio, int* pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  int err = posix_spawn_file_actions_init(&actions);
  if (err != 0) return -err;
  err = posix_spawnattr_init(&attr);
  if (err != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return -err;
  }
  // Node ignores SIGPIPE and libuv may block signals on this thread; a child must start with defaults.
  sigset_t all;
  sigset_t none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  if (ignoreStdio) {
    for (int fd = 0; fd < 3; fd++) {
      if (err == 0) err = posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    }
  }
  // glibc 2.29, macOS 10.15 and FreeBSD 13.1 have it.
  if (err == 0 && cwd != nullptr) err = posix_spawn_file_actions_addchdir_np(&actions, cwd);
  pid_t child = -1;
  if (err == 0) {
    char* const* env = envp != nullptr ? envp : XEV_ENVIRON;
    err = std::strchr(file, '/') != nullptr ? posix_spawn(&child, file, &actions, &attr, argv, env)
                                            : posix_spawnp(&child, file, &actions, &attr, argv, env);
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) return -err;

  // Nobody else reaps the child, so its pid cannot be reused before the handle watches it.
  int handle = processHandle(child);
  if (handle < 0) {
    ::kill(child, SIGKILL);
    while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
    return handle;
  }
  *pid = child;
  return handle;
}

}  // namespace xev_kqueue
