// Child processes: posix_spawn, then a process handle that the loop's kqueue can wait on.
#pragma once

namespace xev_kqueue {

/**
 * Spawns `file` (searched in PATH when it has no slash) with `argv` and `envp` (NULL-terminated; envp NULL
 * means the parent's environment), in `cwd` when not NULL, with stdio on /dev/null when `ignoreStdio`.
 * Signal dispositions and the signal mask are reset in the child. Returns the process handle — a kqueue
 * holding EVFILT_PROC NOTE_EXIT for the child, so it becomes readable when the child exits — and the pid
 * through `pid`, or -errno (the exec failure's errno, such as -ENOENT, included). The child is reaped
 * with waitpid by processWait, never by the kqueue.
 */
int spawnProcess(const char* file, char* const* argv, char* const* envp, const char* cwd, bool ignoreStdio, int* pid);

}  // namespace xev_kqueue
