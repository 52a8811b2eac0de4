#include "socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "xev/layout.h"

namespace xev_epoll {

int decodeAddr(const uint8_t* in, size_t len, SockAddr* out, socklen_t* outLen) {
  if (in == nullptr || len < static_cast<size_t>(xev::kAddr_SIZE)) return -EINVAL;
  std::memset(out, 0, sizeof(*out));
  uint16_t portBe;
  std::memcpy(&portBe, in + xev::kAddr_PORT, 2);  // already network order
  switch (in[xev::kAddr_FAMILY]) {
    case 4: {
      sockaddr_in* sin = &out->in4;
      sin->sin_family = AF_INET;
      sin->sin_port = portBe;
      std::memcpy(&sin->sin_addr, in + xev::kAddr_ADDRESS, 4);
      *outLen = sizeof(sockaddr_in);
      return 0;
    }
    case 6: {
      sockaddr_in6* sin6 = &out->in6;
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = portBe;
      std::memcpy(&sin6->sin6_addr, in + xev::kAddr_ADDRESS, 16);
      const uint8_t* s = in + xev::kAddr_SCOPE;  // little-endian
      sin6->sin6_scope_id = static_cast<uint32_t>(s[0]) | static_cast<uint32_t>(s[1]) << 8 |
                            static_cast<uint32_t>(s[2]) << 16 | static_cast<uint32_t>(s[3]) << 24;
      *outLen = sizeof(sockaddr_in6);
      return 0;
    }
    default:
      return -EAFNOSUPPORT;
  }
}

void encodeAddr(const sockaddr* sa, socklen_t len, uint8_t* out) {
  std::memset(out, 0, xev::kAddr_SIZE);
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
    out[xev::kAddr_FAMILY] = 4;
    std::memcpy(out + xev::kAddr_PORT, &sin->sin_port, 2);
    std::memcpy(out + xev::kAddr_ADDRESS, &sin->sin_addr, 4);
  } else if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
    out[xev::kAddr_FAMILY] = 6;
    std::memcpy(out + xev::kAddr_PORT, &sin6->sin6_port, 2);
    std::memcpy(out + xev::kAddr_ADDRESS, &sin6->sin6_addr, 16);
    uint32_t scope = sin6->sin6_scope_id;
    for (int i = 0; i < 4; i++) out[xev::kAddr_SCOPE + i] = static_cast<uint8_t>(scope >> (8 * i));
  }
}

int socketCreate(double family, double type) {
  int domain;
  if (family == 4) domain = AF_INET;
  else if (family == 6) domain = AF_INET6;
  else return -EAFNOSUPPORT;
  int kind;
  if (type == xev::kSockType_STREAM) kind = SOCK_STREAM;
  else if (type == xev::kSockType_DGRAM) kind = SOCK_DGRAM;
  else return -EINVAL;
  int fd = ::socket(domain, kind | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  return fd < 0 ? -errno : fd;
}

int socketBind(int fd, const uint8_t* addr, size_t len) {
  SockAddr sa;
  socklen_t sl;
  int e = decodeAddr(addr, len, &sa, &sl);
  if (e != 0) return e;
  return ::bind(fd, &sa.sa, sl) < 0 ? -errno : 0;
}

int socketListen(int fd, double backlog) {
  if (!(backlog >= 0 && backlog <= 65535) || std::floor(backlog) != backlog) return -EINVAL;
  return ::listen(fd, static_cast<int>(backlog)) < 0 ? -errno : 0;
}

int socketSetOption(int fd, double option, double value) {
  if (!std::isfinite(value) || value < 0 || value > 2147483647.0) return -EINVAL;
  int v = static_cast<int>(value);
  int level = SOL_SOCKET;
  int name;
  switch (static_cast<int>(option) == option ? static_cast<int>(option) : -1) {
    case xev::kSockOpt_NO_DELAY: level = IPPROTO_TCP; name = TCP_NODELAY; v = v != 0; break;
    case xev::kSockOpt_KEEP_ALIVE: name = SO_KEEPALIVE; v = v != 0; break;
    case xev::kSockOpt_REUSE_ADDR: name = SO_REUSEADDR; v = v != 0; break;
    case xev::kSockOpt_REUSE_PORT: name = SO_REUSEPORT; v = v != 0; break;
    case xev::kSockOpt_RECV_BUFFER_SIZE: name = SO_RCVBUF; break;
    case xev::kSockOpt_SEND_BUFFER_SIZE: name = SO_SNDBUF; break;
    default: return -EINVAL;
  }
  return ::setsockopt(fd, level, name, &v, sizeof(v)) < 0 ? -errno : 0;
}

int socketName(int fd, bool peer, uint8_t* out, size_t len) {
  if (out == nullptr || len < static_cast<size_t>(xev::kAddr_SIZE)) return -EINVAL;
  sockaddr_storage ss;
  socklen_t sl = sizeof(ss);
  int r = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &sl)
               : ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &sl);
  if (r < 0) return -errno;
  encodeAddr(reinterpret_cast<sockaddr*>(&ss), sl, out);
  return 0;
}

bool isStreamSocket(int fd) {
  int type = 0;
  socklen_t len = sizeof(type);
  return ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
}

}  // namespace xev_epoll
