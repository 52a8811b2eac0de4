// File helpers shared by the Linux backends: the portable OpenFlag bits to O_* values, and a statx
// record to the `Stat` slots of layout.ts. Plain C++ with errno ints.
#pragma once

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/sysmacros.h>  // major()/minor() live here only on Linux
#endif

#include "layout.h"

namespace xev {

// Translates `OpenFlag` bits; always adds O_CLOEXEC so that spawned children never inherit a loop's files.
// Returns -1 for bits xev does not define.
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

#ifdef STATX_BASIC_STATS
inline double StatxMs(const struct statx_timestamp& t) {
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// Fills `out` (kStat_COUNT doubles). The birth time is 0 where the filesystem does not record it.
inline void StatxToStat(const struct statx& s, double* out) {
  out[kStat_DEV] = static_cast<double>(makedev(s.stx_dev_major, s.stx_dev_minor));
  out[kStat_INO] = static_cast<double>(s.stx_ino);
  out[kStat_MODE] = s.stx_mode;
  out[kStat_NLINK] = s.stx_nlink;
  out[kStat_UID] = s.stx_uid;
  out[kStat_GID] = s.stx_gid;
  out[kStat_RDEV] = static_cast<double>(makedev(s.stx_rdev_major, s.stx_rdev_minor));
  out[kStat_SIZE] = static_cast<double>(s.stx_size);
  out[kStat_BLKSIZE] = s.stx_blksize;
  out[kStat_BLOCKS] = static_cast<double>(s.stx_blocks);
  out[kStat_ATIME_MS] = StatxMs(s.stx_atime);
  out[kStat_MTIME_MS] = StatxMs(s.stx_mtime);
  out[kStat_CTIME_MS] = StatxMs(s.stx_ctime);
  out[kStat_BIRTHTIME_MS] = (s.stx_mask & STATX_BTIME) ? StatxMs(s.stx_btime) : 0;
}
#endif

}  // namespace xev
