// Child processes: posix_spawn, then a pidfd that epoll can wait on and waitid(P_PIDFD) can reap.
#pragma once

namespace xev_epoll {

/**
 * Spawns `file` (searched in PATH when it has no slash) with `argv` and `envp` (NULL-terminated; envp NULL
 * means the parent's environment), in `cwd` when not NULL, with stdio on /dev/null when `ignoreStdio`.
 * Signal dispositions and the signal mask are reset in the child. Returns a close-on-exec pidfd and the
 * pid through `pid`, or -errno (the exec failure's errno, such as -ENOENT, included).
 */
int spawnProcess(const char* file, char* const* argv, char* const* envp, const char* cwd, bool ignoreStdio, int* pid);

/** pidfd_open(2) through syscall(2), for C libraries that predate its wrapper. */
int pidfdOpen(int pid);

}  // namespace xev_epoll
