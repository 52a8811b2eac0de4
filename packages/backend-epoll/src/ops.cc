// Performing operations. Readiness operations never block: the poller calls them first at submission and
// again each time epoll reports the descriptor ready. File operations run on pool threads and may block.
#include "ops.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "xev/file.h"
#include "xev/layout.h"
#include "xev/sockaddr.h"
#include "xev/spawn.h"

namespace xev_epoll {

namespace {

/** A failed non-blocking syscall's result: park on EAGAIN, otherwise the negative errno. */
inline int64_t failed(int err) { return (err == EAGAIN || err == EWOULDBLOCK) ? kPark : -static_cast<int64_t>(err); }

int64_t acceptOnce(Op& op) {
  sockaddr_storage ss;
  for (;;) {
    socklen_t sl = sizeof(ss);
    int fd = ::accept4(op.fd, reinterpret_cast<sockaddr*>(&ss), &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
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
 * The outcome of a non-blocking connect once its socket is writable (or in error). The TCP state decides,
 * not SO_ERROR alone: a connection that was established and then reset before this ran (a server closing
 * its listener with connections still queued) did connect, and its SO_ERROR of ECONNRESET belongs to the
 * connection, not to the connect. Its reads then see end of file and its writes EPIPE.
 */
int64_t finishConnect(int fd) {
  tcp_info info;
  socklen_t infoLen = sizeof(info);
  bool tcp = ::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &infoLen) == 0;
  if (tcp && info.tcpi_state == TCP_SYN_SENT) return kPark;  // an edge from before the attempt's end
  if (tcp && info.tcpi_state != TCP_CLOSE) return 0;
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return -static_cast<int64_t>(errno);
  if (!tcp) return err != 0 ? -static_cast<int64_t>(err) : 0;
  // Closed: a reset after the handshake (tcp_reset reports ECONNREFUSED for one before it) still connected.
  if (err == ECONNRESET || err == EPIPE) return 0;
  return err != 0 ? -static_cast<int64_t>(err) : -ECONNABORTED;
}

int64_t processWait(Op& op, int32_t* resultAux) {
  int code = 0;
  int signal = 0;
  int r;
  do r = xev::ReapPidfd(op.fd, &code, &signal); while (r == -EINTR);
  if (r < 0) return r;  // -ECHILD: reaped already
  if (r == 0) return kPark;  // still running
  *resultAux = signal;  // exit code, or 128 + signal with the signal in aux
  return code;
}

int64_t statFd(Op& op) {
  struct statx st;
  if (::statx(op.fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS | STATX_BTIME, &st) < 0) {
    return -static_cast<int64_t>(errno);
  }
  xev::StatxToStat(st, reinterpret_cast<double*>(op.aux));
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
  // Regular files, directories, block devices and other character devices (/dev/null refuses epoll).
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
    case xev::kOpCode_ASYNC_WAIT:
      // Called only when the poller's readable flag says a notification arrived since the last completion
      // (the flag starts false for an eventfd and each notify's write is an edge): that is the completion.
      // The eventfd's counter is never read, which saves a syscall per wake-up; at one per notify it cannot
      // reach its 2^64 - 2 limit. N notifies before a reap are one edge, so they coalesce into one completion.
      return 0;
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

uint32_t pollEventsFromEpoll(uint32_t events) {
  uint32_t out = 0;
  if (events & (EPOLLIN | EPOLLRDHUP)) out |= xev::kPollEvent_READABLE;
  if (events & EPOLLOUT) out |= xev::kPollEvent_WRITABLE;
  if (events & EPOLLERR) out |= xev::kPollEvent_ERROR;
  if (events & EPOLLHUP) out |= xev::kPollEvent_HANGUP;
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
      op.result = retry([&] { return ::fsync(op.fd); });
      return;
    case xev::kOpCode_STAT:
      op.result = statFd(op);
      return;
    case xev::kOpCode_CLOSE:
      // Linux releases the descriptor even when close reports EINTR; retrying could close a reused one.
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

}  // namespace xev_epoll
