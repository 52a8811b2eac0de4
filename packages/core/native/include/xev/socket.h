// The synchronous socket calls of the backend contract (socket, bind, listen, setsockopt, sockname) on
// POSIX, with errno ints: identical for every native backend, so they live here once.
#pragma once

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "layout.h"
#include "sockaddr.h"

namespace xev {

// A non-blocking, close-on-exec socket of `family` (4 or 6) and `type` (a SockType). Returns the fd or -errno.
inline int SocketCreate(int family, int type) {
  int domain = family == 4 ? AF_INET : family == 6 ? AF_INET6 : -1;
  if (domain < 0) return -EAFNOSUPPORT;
  int kind = type == kSockType_STREAM ? SOCK_STREAM : type == kSockType_DGRAM ? SOCK_DGRAM : -1;
  if (kind < 0) return -EINVAL;
#ifdef SOCK_NONBLOCK
  int fd = socket(domain, kind | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
#else
  int fd = socket(domain, kind, 0);  // macOS: no atomic flags; the kqueue backend sets them itself.
#endif
  return fd < 0 ? -errno : fd;
}

inline int SocketBind(int fd, const uint8_t* addr, size_t len) {
  sockaddr_storage ss;
  socklen_t ssLen;
  int r = AddrToSockaddr(addr, len, &ss, &ssLen);
  if (r < 0) return r;
  return bind(fd, reinterpret_cast<sockaddr*>(&ss), ssLen) < 0 ? -errno : 0;
}

inline int SocketListen(int fd, int backlog) { return listen(fd, backlog) < 0 ? -errno : 0; }

// Sets a `SockOpt` option. Booleans are 0/1, sizes in bytes.
inline int SocketSetOption(int fd, int option, int value) {
  int level = SOL_SOCKET, name;
  switch (option) {
    case kSockOpt_NO_DELAY: level = IPPROTO_TCP; name = TCP_NODELAY; break;
    case kSockOpt_KEEP_ALIVE: name = SO_KEEPALIVE; break;
    case kSockOpt_REUSE_ADDR: name = SO_REUSEADDR; break;
    case kSockOpt_REUSE_PORT: name = SO_REUSEPORT; break;
    case kSockOpt_RECV_BUFFER_SIZE: name = SO_RCVBUF; break;
    case kSockOpt_SEND_BUFFER_SIZE: name = SO_SNDBUF; break;
    default: return -ENOPROTOOPT;
  }
  return setsockopt(fd, level, name, &value, sizeof(value)) < 0 ? -errno : 0;
}

// Writes the local (or, with `peer`, the remote) address of `fd` into `out` as an `Addr`.
inline int SocketName(int fd, bool peer, uint8_t* out, size_t outLen) {
  if (out == nullptr || outLen < static_cast<size_t>(kAddr_SIZE)) return -EINVAL;
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  int r = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
               : getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (r < 0) return -errno;
  return SockaddrToAddr(reinterpret_cast<sockaddr*>(&ss), len, out, outLen);
}

}  // namespace xev
