#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

extern char** environ;

namespace xev_epoll {

int pidfdOpen(int pid) {
  long fd = ::syscall(SYS_pidfd_open, pid, 0);
  return fd < 0 ? -errno : static_cast<int>(fd);
}

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
  if (err == 0 && cwd != nullptr) err = posix_spawn_file_actions_addchdir_np(&actions, cwd);
  pid_t child = -1;
  if (err == 0) {
    char* const* env = envp != nullptr ? envp : environ;
    err = std::strchr(file, '/') != nullptr ? posix_spawn(&child, file, &actions, &attr, argv, env)
                                            : posix_spawnp(&child, file, &actions, &attr, argv, env);
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) return -err;

  // The child is not reaped by anyone else, so its pid cannot be reused before this pidfd exists.
  int fd = pidfdOpen(child);
  if (fd < 0) {
    ::kill(child, SIGKILL);
    while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
    return fd;
  }
  *pid = child;
  return fd;
}

}  // namespace xev_epoll
