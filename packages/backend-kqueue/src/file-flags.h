// OpenFlag bits to O_* values. On Linux this is core's xev/file.h. That header includes the Linux-only
// <sys/sysmacros.h> (for its statx helper), so macOS and FreeBSD cannot include it: there the same
// translation is repeated here, identical to core's, until core guards that include (reported to core).
#pragma once

#ifdef __linux__
#include "xev/file.h"
#else
#include <fcntl.h>
#include <stdint.h>

#include "xev/layout.h"

namespace xev {

inline int OpenFlagsToPosix(uint32_t flags) {
  constexpr uint32_t known = kOpenFlag_WRITE | kOpenFlag_READ_WRITE | kOpenFlag_CREATE | kOpenFlag_EXCLUSIVE |
                             kOpenFlag_TRUNCATE | kOpenFlag_APPEND;
  if (flags & ~known) return -1;
  int out = O_CLOEXEC;
  if ((flags & kOpenFlag_READ_WRITE) != 0) out |= O_RDWR;
  else if ((flags & kOpenFlag_WRITE) != 0) out |= O_WRONLY;
  else out |= O_RDONLY;
  if (flags & kOpenFlag_CREATE) out |= O_CREAT;
  if (flags & kOpenFlag_EXCLUSIVE) out |= O_EXCL;
  if (flags & kOpenFlag_TRUNCATE) out |= O_TRUNC;
  if (flags & kOpenFlag_APPEND) out |= O_APPEND;
  return out;
}

}  // namespace xev
#endif
