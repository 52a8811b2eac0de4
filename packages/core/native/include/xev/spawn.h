// Spawning a child as a pollable process handle on Linux: posix_spawn (vfork speed, no async-signal
// hazards in a multi-threaded Node process) followed by pidfd_open. The pidfd is the handle the loop
// sees; it becomes readable when the child exits, and waitid(P_PIDFD) reaps exactly that child, so no
// SIGCHLD handler is needed and libuv's own children are never touched. Plain C++ with errno ints.
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace xev {

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

// Spawns `file` (searched in PATH when it has no slash) with `argv` (NULL-terminated), in `cwd` (or the
// parent's when null), with `envp` (or the parent's when null); `ignoreStdio` connects fds 0-2 to
// /dev/null. Returns a close-on-exec pidfd and sets *pidOut, or -errno (-ENOENT for a missing program).
inline int SpawnPidfd(const char* file, char* const argv[], const char* cwd, char* const envp[], bool ignoreStdio,
                      pid_t* pidOut) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  int err = 0;
  if (ignoreStdio) {
    for (int fd = 0; fd < 3 && err == 0; fd++)
      err = posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  }
  if (cwd != nullptr && err == 0) err = posix_spawn_file_actions_addchdir_np(&actions, cwd);
  // Node ignores SIGPIPE and may block signals in helper threads: give the child default dispositions
  // and an empty mask, as libuv's uv_spawn does.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  if (err == 0) err = posix_spawnattr_setsigdefault(&attr, &all);
  if (err == 0) err = posix_spawnattr_setsigmask(&attr, &none);
  if (err == 0) err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  if (err == 0) {
    char* const* env = envp != nullptr ? envp : environ;
    err = strchr(file, '/') != nullptr ? posix_spawn(&pid, file, &actions, &attr, argv, env)
                                       : posix_spawnp(&pid, file, &actions, &attr, argv, env);
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) return -err;
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));  // pidfds are always close-on-exec
  if (pidfd < 0) {
    int e = errno;
    // Without a handle nobody could reap the child: do it now rather than leave a zombie.
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return -e;
  }
  *pidOut = pid;
  return pidfd;
}

// Reaps the child behind `pidfd` without blocking. Returns 1 and sets *code (the exit code, or 128 +
// signal) and *signal (0 for a normal exit); 0 if the child is still running; -ECHILD if it was reaped
// already; other -errno.
inline int ReapPidfd(int pidfd, int* code, int* signal) {
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  if (waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info, WEXITED | WNOHANG) < 0) return -errno;
  if (info.si_pid == 0) return 0;
  if (info.si_code == CLD_EXITED) {
    *code = info.si_status;
    *signal = 0;
  } else {
    *code = 128 + info.si_status;
    *signal = info.si_status;
  }
  return 1;
}

}  // namespace xev
