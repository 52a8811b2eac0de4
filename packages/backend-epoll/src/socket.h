// Socket control calls and the translation between xev's 28-byte Addr encoding and sockaddr.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

namespace xev_epoll {

/** An IPv4 or IPv6 socket address: what Addr encodes, in 28 bytes rather than sockaddr_storage's 128. */
union SockAddr {
  sockaddr sa;
  sockaddr_in in4;
  sockaddr_in6 in6;
};

/** Decodes an Addr into a sockaddr. 0, or -EINVAL / -EAFNOSUPPORT. */
int decodeAddr(const uint8_t* in, size_t len, SockAddr* out, socklen_t* outLen);

/** Encodes a sockaddr as Addr into `out` (at least Addr.size bytes); other families encode as zeros. */
void encodeAddr(const sockaddr* sa, socklen_t len, uint8_t* out);

/** socket(2) with family 4 or 6 and a SockType; non-blocking, close-on-exec. The fd or -errno. */
int socketCreate(double family, double type);
int socketBind(int fd, const uint8_t* addr, size_t len);
int socketListen(int fd, double backlog);
int socketSetOption(int fd, double option, double value);
int socketName(int fd, bool peer, uint8_t* out, size_t len);
/** Whether `fd` is a stream socket (SO_TYPE). */
bool isStreamSocket(int fd);

}  // namespace xev_epoll
