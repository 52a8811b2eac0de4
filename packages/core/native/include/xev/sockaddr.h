// Conversion between xev's portable 28-byte address encoding (`Addr` in layout.ts) and the platform's
// sockaddr_in / sockaddr_in6. Plain C++ with errno ints, shared by the native backends.
#pragma once

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "layout.h"

namespace xev {

// Decodes `addr` (at least kAddr_SIZE bytes) into `out`. Returns 0, or -EINVAL / -EAFNOSUPPORT.
inline int AddrToSockaddr(const uint8_t* addr, size_t len, sockaddr_storage* out, socklen_t* outLen) {
  if (addr == nullptr || len < static_cast<size_t>(kAddr_SIZE)) return -EINVAL;
  memset(out, 0, sizeof(*out));
  uint16_t portBe;
  memcpy(&portBe, addr + kAddr_PORT, 2);  // already big-endian, as sin_port wants it
  if (addr[kAddr_FAMILY] == 4) {
    auto* in = reinterpret_cast<sockaddr_in*>(out);
    in->sin_family = AF_INET;
    in->sin_port = portBe;
    memcpy(&in->sin_addr, addr + kAddr_ADDRESS, 4);
    *outLen = sizeof(sockaddr_in);
    return 0;
  }
  if (addr[kAddr_FAMILY] == 6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(out);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = portBe;
    memcpy(&in6->sin6_addr, addr + kAddr_ADDRESS, 16);
    // The scope id is little-endian in `Addr`, whatever the host order.
    const uint8_t* s = addr + kAddr_SCOPE;
    in6->sin6_scope_id = static_cast<uint32_t>(s[0]) | static_cast<uint32_t>(s[1]) << 8 |
                         static_cast<uint32_t>(s[2]) << 16 | static_cast<uint32_t>(s[3]) << 24;
    *outLen = sizeof(sockaddr_in6);
    return 0;
  }
  return -EAFNOSUPPORT;
}

// Encodes `sa` into `out` (at least kAddr_SIZE bytes). Returns 0, or -EINVAL / -EAFNOSUPPORT.
inline int SockaddrToAddr(const sockaddr* sa, socklen_t saLen, uint8_t* out, size_t outLen) {
  if (out == nullptr || outLen < static_cast<size_t>(kAddr_SIZE)) return -EINVAL;
  memset(out, 0, kAddr_SIZE);
  if (sa->sa_family == AF_INET && saLen >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    out[kAddr_FAMILY] = 4;
    memcpy(out + kAddr_PORT, &in->sin_port, 2);
    memcpy(out + kAddr_ADDRESS, &in->sin_addr, 4);
    return 0;
  }
  if (sa->sa_family == AF_INET6 && saLen >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    out[kAddr_FAMILY] = 6;
    memcpy(out + kAddr_PORT, &in6->sin6_port, 2);
    memcpy(out + kAddr_ADDRESS, &in6->sin6_addr, 16);
    uint32_t scope = in6->sin6_scope_id;
    for (int i = 0; i < 4; i++) out[kAddr_SCOPE + i] = static_cast<uint8_t>(scope >> (8 * i));
    return 0;
  }
  return -EAFNOSUPPORT;
}

}  // namespace xev
