// Operation records and the code that performs each operation. Plain C++ over syscalls: nothing here knows
// about N-API or about kqueue; the poller decides when an operation runs, this file only runs it.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <climits>
#include <cstddef>
#include <cstdint>

namespace xev_kqueue {

/** Where an operation is in its life. Only the loop thread reads or writes it. */
enum class OpState : uint8_t {
  kIdle,        // no operation in this slot
  kParked,      // waiting in a descriptor's queue for readiness
  kPool,        // handed to the thread pool (queued or running; the pool knows which)
  kCloseWait,   // a close waiting for running pool jobs on its descriptor to finish
  kCancelWait,  // a cancel whose target is running on the pool; it completes right after its target
};

/** The per-descriptor queue a parked operation waits in. */
enum Dir : uint8_t { kRead = 0, kWrite = 1, kPoll = 2, kDirs = 3 };

/** An IPv4 or IPv6 socket address: what Addr encodes, in 28 bytes rather than sockaddr_storage's 128. */
union SockAddr {
  sockaddr sa;
  sockaddr_in in4;
  sockaddr_in6 in6;
};

/** What a descriptor is, which decides how its reads and writes are performed. */
enum class FdKind : uint8_t {
  kUnknown,       // not classified yet (a descriptor the backend did not create)
  kFile,          // regular file, directory, block or non-tty character device: thread pool (kqueue reports
                  // regular files always readable, and their reads still block on the disk)
  kStreamSocket,  // readiness; a short read or write means the kernel buffer was drained or filled
  kPollable,      // other readiness descriptors (datagram sockets, pipes, ttys)
  kAsync,         // a kqueue with one EVFILT_USER, from asyncCreate
  kProcess,       // a kqueue with the child's EVFILT_PROC, from spawn
};

/**
 * One operation, stored per loop slot and reused: nothing is allocated per operation. Records live in
 * fixed chunks, so their addresses stay valid while pool threads use them and the table grows.
 */
struct Op {
  // Inputs, copied from the submission entry.
  int32_t slot = -1;
  int32_t code = 0;
  int32_t fd = -1;
  uint8_t* buf = nullptr;  // the data buffer (JS memory kept alive by the loop until completion)
  size_t len = 0;
  uint8_t* aux = nullptr;  // address in/out, path, or stat record
  size_t auxLen = 0;
  int64_t arg0 = 0;
  int64_t arg1 = 0;
  SockAddr addr{};          // decoded destination for connect and sendto
  socklen_t addrLen = 0;

  // Loop-thread state.
  OpState state = OpState::kIdle;
  uint8_t dir = kRead;
  bool connecting = false;    // connect issued, waiting for writability
  bool streamSocket = false;  // write on a stream socket: send(MSG_NOSIGNAL), never SIGPIPE
  Op* prev = nullptr;         // descriptor queue links
  Op* next = nullptr;
  int32_t cancelBy = -1;      // slot of a cancel that completes after this op (kCancelWait)

  // Pool state: links guarded by the pool's mutex; result written by the worker before it is linked done.
  Op* poolNext = nullptr;
  int64_t result = 0;
  FdKind openedKind = FdKind::kUnknown;  // for open: what the new descriptor is
};

/** `perform*` returns this when the operation would block and must wait for readiness. */
constexpr int64_t kPark = INT64_MIN;

/**
 * Performs a read-side operation (accept, recv, recvfrom, read, asyncWait, processWait) once, without
 * blocking. Returns the result, a negative errno, or kPark. `aux` receives the process wait's signal.
 */
int64_t performRead(Op& op, int32_t* resultAux);

/** Performs a write-side operation (send, sendto, write, the second half of connect) once. */
int64_t performWrite(Op& op);

/** Issues a connect. Returns 0, a negative errno, or kPark (in progress: wait for writability). */
int64_t startConnect(Op& op);

/** The PollEvent bits ready on `fd` right now, or a negative errno. */
int64_t pollNow(int fd, uint32_t wanted);

/** Where send(2) has no MSG_NOSIGNAL (macOS): SO_NOSIGPIPE, so a write to a closed peer is EPIPE, not SIGPIPE. */
void setNoSigPipe(int fd);

/** Finishes a socket from xev::SocketCreate: non-blocking and close-on-exec where that was not atomic. fd or -errno. */
int prepareSocket(int fd);

/** shutdown(2) with a ShutdownHow value. */
int64_t performShutdown(int fd, int64_t how);

/** Decodes an Addr (xev/sockaddr.h) into the op's 28-byte address. 0, or -EINVAL / -EAFNOSUPPORT. */
int decodeOpAddr(Op& op);

/** Performs a thread-pool operation (open, read, write, pread, pwrite, fsync, stat, close); may block. */
void performFile(Op& op);

/** Classifies a descriptor the backend did not create; sets O_NONBLOCK on pollable ones. -errno on error. */
int classifyFd(int fd, FdKind* kind);

}  // namespace xev_kqueue
