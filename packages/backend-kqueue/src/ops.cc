// Performing operations. Readiness operations never block: the poller calls them first at submission and
// again each time kqueue reports the descriptor ready. File operations run on pool threads and may block.
#include "ops.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/event.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "file-flags.h"
#include "xev/layout.h"
#include "xev/sockaddr.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0  // macOS: sockets get SO_NOSIGPIPE instead (setNoSigPipe)
#endif

namespace xev_kqueue {

void setNoSigPipe(int fd) {
#ifdef SO_NOSIGPIPE
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#else
  (void)fd;  // MSG_NOSIGNAL on every send does it
#endif
}

int prepareSocket(int fd) {
#ifndef SOCK_NONBLOCK
  // No atomic socket flags (macOS): set them now.
  if (::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
    int err = errno;
    ::close(fd);
    return -err;
  }
#endif
  setNoSigPipe(fd);
  return fd;
}

namespace {

/** A failed non-blocking syscall's result: park on EAGAIN, otherwise the negative errno. */
inline int64_t failed(int err) { return (err == EAGAIN || err == EWOULDBLOCK) ? kPark : -static_cast<int64_t>(err); }

int64_t acceptOnce(Op& op) {
  sockaddr_storage ss;
  for (;;) {
    socklen_t sl = sizeof(ss);
#if defined(__linux__) || defined(__FreeBSD__)
    int fd = ::accept4(op.fd, reinterpret_cast<sockaddr*>(&ss), &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
    // macOS has no accept4: set the flags right after (no exec can happen in between on this thread, and
    // a child spawned by another thread meanwhile would only inherit the descriptor until it execs).
    int fd = ::accept(op.fd, reinterpret_cast<sockaddr*>(&ss), &sl);
    if (fd >= 0) {
      ::fcntl(fd, F_SETFD, FD_CLOEXEC);
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
      setNoSigPipe(fd);
    }
#endif
    if (fd >= 0) {
      if (op.aux != nullptr) xev::SockaddrToAddr(reinterpret_cast<sockaddr*>(&ss), sl, op.aux, op.auxLen);
      return fd;
    }
    // A connection reset while queued is not the listener's failure: take the next one (as libuv does).
    if (errno == EINTR || errno == ECONNABORTED) continue;
    return failed(errno);
  }
}

/**
 * The outcome of a non-blocking connect once its socket is writable (or in error). A connection that was
 * established and then reset before this ran (a server closing its listener with connections still
 * queued) did connect: its SO_ERROR of ECONNRESET belongs to the connection, not to the connect, and its
 * reads then see end of file and its writes EPIPE. On Linux (the emulated build) the TCP state decides,
 * as in the epoll backend; elsewhere SO_ERROR and getpeername do.
 */
int64_t finishConnect(int fd) {
#ifdef __linux__
  tcp_info info;
  socklen_t infoLen = sizeof(info);
  bool tcp = ::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &infoLen) == 0;
  if (tcp && info.tcpi_state == TCP_SYN_SENT) return kPark;  // an event from before the attempt's end
  if (tcp && info.tcpi_state != TCP_CLOSE) return 0;
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return -static_cast<int64_t>(errno);
  if (!tcp) return err != 0 ? -static_cast<int64_t>(err) : 0;
  // Closed: a reset after the handshake (tcp_reset reports ECONNREFUSED for one before it) still connected.
  if (err == ECONNRESET || err == EPIPE) return 0;
  return err != 0 ? -static_cast<int64_t>(err) : -ECONNABORTED;
#else
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return -static_cast<int64_t>(errno);
  if (err == ECONNRESET || err == EPIPE) return 0;
  if (err != 0) return -static_cast<int64_t>(err);
  sockaddr_storage ss;
  socklen_t sl = sizeof(ss);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &sl) == 0) return 0;
  // Not connected and no error: still in progress (an event from before the attempt's end).
  return errno == ENOTCONN ? kPark : -static_cast<int64_t>(errno);
#endif
}

/** Reaps the child whose pid the poller put in op.arg0, without blocking (waitpid: portable and exact). */
int64_t processWait(Op& op, int32_t* resultAux) {
  int status = 0;
  pid_t r;
  do r = ::waitpid(static_cast<pid_t>(op.arg0), &status, WNOHANG); while (r < 0 && errno == EINTR);
  if (r < 0) return -static_cast<int64_t>(errno);  // ECHILD: reaped by someone else
  if (r == 0) return kPark;                       // still running
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  *resultAux = sig;  // killed: 128 + signal, with the signal in aux
  return 128 + sig;
}

[[maybe_unused]] double timespecMs(const timespec& t) {
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

int64_t statFd(Op& op) {
  double* out = reinterpret_cast<double*>(op.aux);
#ifdef __linux__
  struct statx st;
  if (::statx(op.fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS | STATX_BTIME, &st) < 0) {
    return -static_cast<int64_t>(errno);
  }
  xev::StatxToStat(st, out);
#else
  struct stat st;
  if (::fstat(op.fd, &st) < 0) return -static_cast<int64_t>(errno);
  out[xev::kStat_DEV] = static_cast<double>(st.st_dev);
  out[xev::kStat_INO] = static_cast<double>(st.st_ino);
  out[xev::kStat_MODE] = st.st_mode;
  out[xev::kStat_NLINK] = static_cast<double>(st.st_nlink);
  out[xev::kStat_UID] = st.st_uid;
  out[xev::kStat_GID] = st.st_gid;
  out[xev::kStat_RDEV] = static_cast<double>(st.st_rdev);
  out[xev::kStat_SIZE] = static_cast<double>(st.st_size);
  out[xev::kStat_BLKSIZE] = st.st_blksize;
  out[xev::kStat_BLOCKS] = static_cast<double>(st.st_blocks);
#ifdef __APPLE__
  out[xev::kStat_ATIME_MS] = timespecMs(st.st_atimespec);
  out[xev::kStat_MTIME_MS] = timespecMs(st.st_mtimespec);
  out[xev::kStat_CTIME_MS] = timespecMs(st.st_ctimespec);
  out[xev::kStat_BIRTHTIME_MS] = timespecMs(st.st_birthtimespec);
#else
  out[xev::kStat_ATIME_MS] = timespecMs(st.st_atim);
  out[xev::kStat_MTIME_MS] = timespecMs(st.st_mtim);
  out[xev::kStat_CTIME_MS] = timespecMs(st.st_ctim);
  out[xev::kStat_BIRTHTIME_MS] = timespecMs(st.st_birthtim);
#endif
#endif
  return 0;
}

bool isStreamSocket(int fd) {
  int type = 0;
  socklen_t len = sizeof(type);
  return ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
}

FdKind kindOfMode(int fd, mode_t mode) {
  if (S_ISSOCK(mode)) return isStreamSocket(fd) ? FdKind::kStreamSocket : FdKind::kPollable;
  if (S_ISFIFO(mode)) return FdKind::kPollable;
  if (S_ISCHR(mode) && ::isatty(fd)) return FdKind::kPollable;
  // Regular files, directories, block devices and other character devices: their reads may block.
  return FdKind::kFile;
}

int setNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return -errno;
  if ((flags & O_NONBLOCK) == 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -errno;
  return 0;
}

/** Retries a blocking syscall interrupted by a signal. */
template <typename F>
int64_t retry(F f) {
  for (;;) {
    auto r = f();
    if (r >= 0) return static_cast<int64_t>(r);
    if (errno != EINTR) return -static_cast<int64_t>(errno);
  }
}

}  // namespace

int64_t performRead(Op& op, int32_t* resultAux) {
  ssize_t n;
  switch (op.code) {
    case xev::kOpCode_ACCEPT:
      return acceptOnce(op);
    case xev::kOpCode_RECV:
      do n = ::recv(op.fd, op.buf, op.len, MSG_DONTWAIT); while (n < 0 && errno == EINTR);
      break;
    case xev::kOpCode_READ:
      do n = ::read(op.fd, op.buf, op.len); while (n < 0 && errno == EINTR);
      break;
    case xev::kOpCode_RECVFROM: {
      sockaddr_storage ss;
      socklen_t sl;
      do {
        sl = sizeof(ss);
        n = ::recvfrom(op.fd, op.buf, op.len, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&ss), &sl);
      } while (n < 0 && errno == EINTR);
      if (n >= 0 && op.aux != nullptr) xev::SockaddrToAddr(reinterpret_cast<sockaddr*>(&ss), sl, op.aux, op.auxLen);
      break;
    }
    case xev::kOpCode_ASYNC_WAIT: {
      // Taking the handle's user event resets it (EV_CLEAR): every notification since the last one is
      // consumed by this completion, so N notifies coalesce into one.
      struct kevent ev;
      timespec zero{0, 0};
      int got;
      do got = ::kevent(op.fd, nullptr, 0, &ev, 1, &zero); while (got < 0 && errno == EINTR);
      if (got > 0) return 0;
      if (got == 0) return kPark;
      return -static_cast<int64_t>(errno);
    }
    case xev::kOpCode_PROCESS_WAIT:
      return processWait(op, resultAux);
    default:
      return -EINVAL;
  }
  return n >= 0 ? static_cast<int64_t>(n) : failed(errno);
}

int64_t performWrite(Op& op) {
  ssize_t n;
  switch (op.code) {
    case xev::kOpCode_SEND:
      do n = ::send(op.fd, op.buf, op.len, MSG_DONTWAIT | MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
      break;
    case xev::kOpCode_WRITE:
      do {
        n = op.streamSocket ? ::send(op.fd, op.buf, op.len, MSG_DONTWAIT | MSG_NOSIGNAL) : ::write(op.fd, op.buf, op.len);
      } while (n < 0 && errno == EINTR);
      break;
    case xev::kOpCode_SENDTO:
      do {
        n = ::sendto(op.fd, op.buf, op.len, MSG_DONTWAIT | MSG_NOSIGNAL, &op.addr.sa,
                     op.addrLen);
      } while (n < 0 && errno == EINTR);
      break;
    case xev::kOpCode_CONNECT:
      return finishConnect(op.fd);
    default:
      return -EINVAL;
  }
  return n >= 0 ? static_cast<int64_t>(n) : failed(errno);
}

int64_t startConnect(Op& op) {
  if (::connect(op.fd, &op.addr.sa, op.addrLen) == 0) return 0;
  int err = errno;
  if (err == EINPROGRESS || err == EINTR || err == EAGAIN) return kPark;
  return -static_cast<int64_t>(err);
}

int64_t pollNow(int fd, uint32_t wanted) {
  pollfd p{};
  p.fd = fd;
  p.events = static_cast<short>(((wanted & xev::kPollEvent_READABLE) ? POLLIN : 0) |
                                ((wanted & xev::kPollEvent_WRITABLE) ? POLLOUT : 0));
  int r;
  do r = ::poll(&p, 1, 0); while (r < 0 && errno == EINTR);
  if (r < 0) return -static_cast<int64_t>(errno);
  if (p.revents & POLLNVAL) return -EBADF;
  uint32_t out = 0;
  if (p.revents & POLLIN) out |= xev::kPollEvent_READABLE;
  if (p.revents & POLLOUT) out |= xev::kPollEvent_WRITABLE;
  if (p.revents & POLLERR) out |= xev::kPollEvent_ERROR;
  if (p.revents & POLLHUP) out |= xev::kPollEvent_HANGUP;
  return out;
}

int64_t performShutdown(int fd, int64_t how) {
  int h;
  switch (how) {
    case xev::kShutdownHow_READ: h = SHUT_RD; break;
    case xev::kShutdownHow_WRITE: h = SHUT_WR; break;
    case xev::kShutdownHow_BOTH: h = SHUT_RDWR; break;
    default: return -EINVAL;
  }
  return ::shutdown(fd, h) < 0 ? -static_cast<int64_t>(errno) : 0;
}

int decodeOpAddr(Op& op) {
  sockaddr_storage ss;
  socklen_t len;
  int err = xev::AddrToSockaddr(op.aux, op.auxLen, &ss, &len);
  if (err != 0) return err;
  std::memcpy(&op.addr, &ss, len);  // sockaddr_in or sockaddr_in6: both fit
  op.addrLen = len;
  return 0;
}

void performFile(Op& op) {
  switch (op.code) {
    case xev::kOpCode_OPEN: {
      const char* path = reinterpret_cast<const char*>(op.aux);
      int64_t fd = retry([&] { return ::open(path, static_cast<int>(op.arg0), static_cast<mode_t>(op.arg1)); });
      op.openedKind = FdKind::kUnknown;
      if (fd >= 0) {
        struct stat st;
        if (::fstat(static_cast<int>(fd), &st) == 0) {
          op.openedKind = kindOfMode(static_cast<int>(fd), st.st_mode);
          if (op.openedKind != FdKind::kFile) setNonBlocking(static_cast<int>(fd));
        }
      }
      op.result = fd;
      return;
    }
    case xev::kOpCode_READ:
      op.result = retry([&] { return ::read(op.fd, op.buf, op.len); });
      return;
    case xev::kOpCode_WRITE:
      op.result = retry([&] { return ::write(op.fd, op.buf, op.len); });
      return;
    case xev::kOpCode_PREAD:
      op.result = retry([&] { return ::pread(op.fd, op.buf, op.len, static_cast<off_t>(op.arg0)); });
      return;
    case xev::kOpCode_PWRITE:
      op.result = retry([&] { return ::pwrite(op.fd, op.buf, op.len, static_cast<off_t>(op.arg0)); });
      return;
    case xev::kOpCode_FSYNC:
#ifdef __APPLE__
      // fsync on macOS does not flush the drive's cache; F_FULLFSYNC does (as libuv's uv_fs_fsync).
      op.result = retry([&] { return ::fcntl(op.fd, F_FULLFSYNC); });
      if (op.result == -ENOTTY || op.result == -ENOTSUP) op.result = retry([&] { return ::fsync(op.fd); });
#else
      op.result = retry([&] { return ::fsync(op.fd); });
#endif
      return;
    case xev::kOpCode_STAT:
      op.result = statFd(op);
      return;
    case xev::kOpCode_CLOSE:
      // The descriptor is released even when close reports EINTR; retrying could close a reused one.
      op.result = (::close(op.fd) < 0 && errno != EINTR) ? -static_cast<int64_t>(errno) : 0;
      return;
    default:
      op.result = -EINVAL;
  }
}

int classifyFd(int fd, FdKind* kind) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return -errno;
  *kind = kindOfMode(fd, st.st_mode);
  // A descriptor inherited in blocking mode would stall the loop on its first read; libuv does the same.
  if (*kind != FdKind::kFile) return setNonBlocking(fd);
  return 0;
}

}  // namespace xev_kqueue
