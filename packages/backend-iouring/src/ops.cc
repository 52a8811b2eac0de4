#include "ops.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xev/file.h"
#include "xev/layout.h"
#include "xev/sockaddr.h"
#include "xev/spawn.h"

namespace xev::iouring {

namespace {

constexpr int kFloat64Array = 8;  // napi_float64_array
// Linux caps one read or write at MAX_RW_COUNT (INT_MAX rounded down to a page); so do we.
constexpr size_t kMaxRw = 0x7ffff000;

inline uint64_t OpData(uint32_t slot) { return static_cast<uint64_t>(kTagOp) << 32 | slot; }

// A handle from the sq (a double): an fd, or -EBADF for anything that is not a non-negative int32.
inline int FdOf(double h) {
  if (!(h >= 0 && h <= INT32_MAX) || h != static_cast<double>(static_cast<int32_t>(h))) return -EBADF;
  return static_cast<int>(h);
}

// A non-negative integral double that fits the target, or -1.
inline int64_t IntOf(double v, double max) {
  if (!(v >= 0 && v <= max) || v != static_cast<double>(static_cast<int64_t>(v))) return -1;
  return static_cast<int64_t>(v);
}

inline int NeedBuf(const OpInput& in) { return in.bufErr == 0 ? 0 : in.bufErr > 0 ? -EINVAL : in.bufErr; }
inline int NeedAux(const OpInput& in, size_t min) {
  if (in.auxErr != 0) return in.auxErr > 0 ? -EINVAL : in.auxErr;
  return in.auxLen < min ? -EINVAL : 0;
}

const char kEmptyPath[1] = {0};

}  // namespace

// The common start of an fd operation: a valid fd that is not being closed, an SQE, and the slot on the
// fd's in-flight list (which close walks to cancel). Call it after every other check that can fail.
int Ops::Begin(Engine& e, const OpInput& in, uint8_t opcode, io_uring_sqe** out) {
  int fd = FdOf(in.handle);
  if (fd < 0 || !e.PlausibleFd(fd)) return -EBADF;
  if (e.Fd(fd).closeSlot >= 0) return -EBADF;
  io_uring_sqe* sqe = e.Sqe(opcode, fd, OpData(in.slot));
  if (sqe == nullptr) return -EBUSY;
  e.Link(in.slot, fd);
  e.At(in.slot).state = kInKernel;
  *out = sqe;
  return 0;
}

int Ops::Prepare(Engine& e, const OpInput& in, Slot& s) {
  switch (in.op) {
    case kOpCode_NOP: return Nop(e, in, s);
    case kOpCode_CANCEL: return Cancel(e, in, s);
    case kOpCode_ASYNC_WAIT: return AsyncWait(e, in, s);
    case kOpCode_PROCESS_WAIT: return ProcessWait(e, in, s);
    case kOpCode_OPEN: return Open(e, in, s);
    case kOpCode_READ: case kOpCode_WRITE: case kOpCode_PREAD: case kOpCode_PWRITE: return ReadWrite(e, in, s);
    case kOpCode_FSYNC: return Fsync(e, in, s);
    case kOpCode_CLOSE: return Close(e, in, s);
    case kOpCode_STAT: return Stat(e, in, s);
    case kOpCode_ACCEPT: return Accept(e, in, s);
    case kOpCode_CONNECT: return Connect(e, in, s);
    case kOpCode_RECV: case kOpCode_SEND: return RecvSend(e, in, s);
    case kOpCode_RECVFROM: case kOpCode_SENDTO: return RecvFromSendTo(e, in, s);
    case kOpCode_SHUTDOWN: return Shutdown(e, in, s);
    case kOpCode_POLL: return Poll(e, in, s);
    default: return -EINVAL;  // loop-level opcodes (timers, work) and unknown numbers
  }
}

int Ops::Nop(Engine& e, const OpInput& in, Slot& s) {
  if (e.Sqe(IORING_OP_NOP, -1, OpData(in.slot)) == nullptr) return -EBUSY;
  s.state = kInKernel;
  return 0;
}

// Cancel by user_data. Whatever the kernel answers (0, -ENOENT, or -EALREADY for a request already
// running), the loop sees the uniform rule: the cancel completes after its target, with 0 if the target
// ended -ECANCELED and -ENOENT if it finished on its own (Engine::Retire and Complete below).
int Ops::Cancel(Engine& e, const OpInput& in, Slot& s) {
  int64_t target = IntOf(in.target, kMaxSlots - 1);
  if (target < 0 || target == in.slot) return -ENOENT;
  Slot& t = e.At(static_cast<uint32_t>(target));
  if (t.state != kInKernel) return -ENOENT;  // finished, or a close already committed
  if (t.waiter >= 0) return -EALREADY;       // another cancel of the same target is in flight
  io_uring_sqe* sqe = e.Sqe(IORING_OP_ASYNC_CANCEL, -1, OpData(in.slot));
  if (sqe == nullptr) return -EBUSY;
  sqe->addr = OpData(static_cast<uint32_t>(target));
  t.waiter = static_cast<int32_t>(in.slot);
  t.cancelled = 1;
  s.target = static_cast<int32_t>(target);
  s.state = kInKernel;
  return 0;
}

// asyncWait and processWait poll their fd, then finish the job synchronously when it is readable
// (reading the eventfd consumes every notification since the last completion: N notifies coalesce;
// waitid reaps the child). A spurious readiness re-arms the poll under the same user_data.
int Ops::AsyncWait(Engine& e, const OpInput& in, Slot& s) {
  (void)s;
  io_uring_sqe* sqe;
  int r = Begin(e, in, IORING_OP_POLL_ADD, &sqe);
  if (r < 0) return r;
  sqe->poll32_events = POLLIN;
  return 0;
}

int Ops::ProcessWait(Engine& e, const OpInput& in, Slot& s) { return AsyncWait(e, in, s); }

bool Ops::Rearm(Engine& e, uint32_t id, Slot& s, int32_t* res) {
  if (s.cancelled) {
    *res = -ECANCELED;
    return true;
  }
  io_uring_sqe* sqe = e.Sqe(IORING_OP_POLL_ADD, s.fd, OpData(id));
  if (sqe == nullptr) {
    *res = -EBUSY;
    return true;
  }
  sqe->poll32_events = POLLIN;
  return false;
}

int Ops::Open(Engine& e, const OpInput& in, Slot& s) {
  int r = NeedAux(in, 1);
  if (r < 0) return r;
  if (memchr(in.aux, 0, in.auxLen) == nullptr) return -EINVAL;  // the path must be NUL-terminated
  int64_t bits = IntOf(in.arg0, UINT32_MAX);
  int flags = bits < 0 ? -1 : OpenFlagsToPosix(static_cast<uint32_t>(bits));
  int64_t mode = IntOf(in.arg1, 07777);
  if (flags < 0 || mode < 0) return -EINVAL;
  io_uring_sqe* sqe = e.Sqe(IORING_OP_OPENAT, AT_FDCWD, OpData(in.slot));
  if (sqe == nullptr) return -EBUSY;
  sqe->addr = reinterpret_cast<uint64_t>(in.aux);
  sqe->len = static_cast<uint32_t>(mode);
  sqe->open_flags = static_cast<uint32_t>(flags);
  s.state = kInKernel;
  return 0;
}

int Ops::ReadWrite(Engine& e, const OpInput& in, Slot& s) {
  (void)s;
  int r = NeedBuf(in);
  if (r < 0) return r;
  bool positioned = in.op == kOpCode_PREAD || in.op == kOpCode_PWRITE;
  // -1 reads or writes at the file position (IORING_FEAT_RW_CUR_POS), as read(2) does.
  int64_t offset = positioned ? IntOf(in.arg0, 9007199254740991.0) : -1;
  if (positioned && offset < 0) return -EINVAL;
  bool write = in.op == kOpCode_WRITE || in.op == kOpCode_PWRITE;
  io_uring_sqe* sqe;
  r = Begin(e, in, write ? IORING_OP_WRITE : IORING_OP_READ, &sqe);
  if (r < 0) return r;
  sqe->addr = reinterpret_cast<uint64_t>(in.buf);
  sqe->len = static_cast<uint32_t>(in.bufLen > kMaxRw ? kMaxRw : in.bufLen);
  sqe->off = static_cast<uint64_t>(offset);
  return 0;
}

int Ops::Fsync(Engine& e, const OpInput& in, Slot& s) {
  (void)s;
  io_uring_sqe* sqe;
  return Begin(e, in, IORING_OP_FSYNC, &sqe);
}

// Close waits for every other operation on the fd: each is cancelled, and the close SQE is issued only
// when the fd's in-flight list is empty (Engine::MaybeClose), so their -ECANCELED completions always come
// before the close's own. Operations submitted on the fd meanwhile fail with -EBADF.
int Ops::Close(Engine& e, const OpInput& in, Slot& s) {
  int fd = FdOf(in.handle);
  if (fd < 0 || !e.PlausibleFd(fd)) return -EBADF;
  FdState& f = e.Fd(fd);
  if (f.closeSlot >= 0) return -EBADF;
  if (f.inflight == 0) {
    if (e.Sqe(IORING_OP_CLOSE, fd, OpData(in.slot)) == nullptr) return -EBUSY;
    s.state = kInKernel;
    f.pid = 0;
    return 0;
  }
  for (int32_t i = f.head; i >= 0; i = e.At(static_cast<uint32_t>(i)).next) e.CancelInternal(static_cast<uint32_t>(i));
  f.closeSlot = static_cast<int32_t>(in.slot);
  f.pid = 0;
  s.state = kWaitingClose;
  return 0;
}

int Ops::Stat(Engine& e, const OpInput& in, Slot& s) {
  int r = NeedAux(in, kStat_COUNT * sizeof(double));
  if (r < 0) return r;
  if (in.auxType != kFloat64Array) return -EINVAL;
  io_uring_sqe* sqe;
  r = Begin(e, in, IORING_OP_STATX, &sqe);
  if (r < 0) return r;
  sqe->addr = reinterpret_cast<uint64_t>(kEmptyPath);
  sqe->len = STATX_BASIC_STATS | STATX_BTIME;
  sqe->statx_flags = AT_EMPTY_PATH;
  sqe->off = reinterpret_cast<uint64_t>(&s.u.stx);
  s.aux = in.aux;
  return 0;
}

int Ops::Accept(Engine& e, const OpInput& in, Slot& s) {
  if (in.auxErr < 0) return in.auxErr;
  if (in.auxErr == 0 && in.auxLen < static_cast<size_t>(kAddr_SIZE)) return -EINVAL;
  io_uring_sqe* sqe;
  int r = Begin(e, in, IORING_OP_ACCEPT, &sqe);
  if (r < 0) return r;
  s.u.net.addrLen = sizeof(s.u.net.addr);
  sqe->addr = reinterpret_cast<uint64_t>(&s.u.net.addr);
  sqe->addr2 = reinterpret_cast<uint64_t>(&s.u.net.addrLen);
  sqe->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  if (in.auxErr == 0) {
    s.aux = in.aux;
    s.auxLen = in.auxLen;
  }
  return 0;
}

int Ops::Connect(Engine& e, const OpInput& in, Slot& s) {
  int r = NeedAux(in, kAddr_SIZE);
  if (r < 0) return r;
  r = AddrToSockaddr(static_cast<const uint8_t*>(in.aux), in.auxLen, &s.u.net.addr, &s.u.net.addrLen);
  if (r < 0) return r;
  io_uring_sqe* sqe;
  r = Begin(e, in, IORING_OP_CONNECT, &sqe);
  if (r < 0) return r;
  sqe->addr = reinterpret_cast<uint64_t>(&s.u.net.addr);
  sqe->off = s.u.net.addrLen;
  return 0;
}

int Ops::RecvSend(Engine& e, const OpInput& in, Slot& s) {
  (void)s;
  int r = NeedBuf(in);
  if (r < 0) return r;
  bool send = in.op == kOpCode_SEND;
  io_uring_sqe* sqe;
  r = Begin(e, in, send ? IORING_OP_SEND : IORING_OP_RECV, &sqe);
  if (r < 0) return r;
  sqe->addr = reinterpret_cast<uint64_t>(in.buf);
  sqe->len = static_cast<uint32_t>(in.bufLen > kMaxRw ? kMaxRw : in.bufLen);
  if (send) sqe->msg_flags = MSG_NOSIGNAL;  // a peer that went away is EPIPE, never SIGPIPE
  return 0;
}

// recvfrom and sendto are recvmsg/sendmsg on the slot's own msghdr, prepared here: no allocation.
int Ops::RecvFromSendTo(Engine& e, const OpInput& in, Slot& s) {
  int r = NeedBuf(in);
  if (r < 0) return r;
  r = NeedAux(in, kAddr_SIZE);
  if (r < 0) return r;
  bool send = in.op == kOpCode_SENDTO;
  auto& n = s.u.net;
  memset(&n.msg, 0, sizeof(n.msg));
  if (send) {
    r = AddrToSockaddr(static_cast<const uint8_t*>(in.aux), in.auxLen, &n.addr, &n.addrLen);
    if (r < 0) return r;
    n.msg.msg_namelen = n.addrLen;
  } else {
    n.msg.msg_namelen = sizeof(n.addr);
    s.aux = in.aux;
    s.auxLen = in.auxLen;
  }
  n.msg.msg_name = &n.addr;
  n.iov.iov_base = in.buf;
  n.iov.iov_len = in.bufLen > kMaxRw ? kMaxRw : in.bufLen;
  n.msg.msg_iov = &n.iov;
  n.msg.msg_iovlen = 1;
  io_uring_sqe* sqe;
  r = Begin(e, in, send ? IORING_OP_SENDMSG : IORING_OP_RECVMSG, &sqe);
  if (r < 0) return r;
  sqe->addr = reinterpret_cast<uint64_t>(&n.msg);
  sqe->len = 1;
  if (send) sqe->msg_flags = MSG_NOSIGNAL;
  return 0;
}

int Ops::Shutdown(Engine& e, const OpInput& in, Slot& s) {
  (void)s;
  int64_t how = IntOf(in.arg0, 2);
  if (how < 0) return -EINVAL;
  io_uring_sqe* sqe;
  int r = Begin(e, in, IORING_OP_SHUTDOWN, &sqe);
  if (r < 0) return r;
  sqe->len = static_cast<uint32_t>(how);
  return 0;
}

int Ops::Poll(Engine& e, const OpInput& in, Slot& s) {
  (void)s;
  int64_t bits = IntOf(in.arg0, UINT32_MAX);
  constexpr int64_t known = kPollEvent_READABLE | kPollEvent_WRITABLE | kPollEvent_ERROR | kPollEvent_HANGUP;
  if (bits < 0 || (bits & ~known) != 0) return -EINVAL;
  io_uring_sqe* sqe;
  int r = Begin(e, in, IORING_OP_POLL_ADD, &sqe);
  if (r < 0) return r;
  // PollEvent bits are the Linux POLL* values; errors and hang-ups are always reported.
  sqe->poll32_events = static_cast<uint32_t>(bits) & (POLLIN | POLLOUT);
  return 0;
}

bool Ops::Complete(Engine& e, uint32_t id, Slot& s, int32_t* res, int32_t* aux) {
  switch (s.op) {
    case kOpCode_CANCEL: {
      if (*res == -EALREADY) e.cancelAlready_++;  // the target was running: its own result decides
      if (s.targetDone) {
        *res = s.targetRes == -ECANCELED ? 0 : -ENOENT;
        return true;
      }
      if (s.target >= 0) {
        Slot& t = e.At(static_cast<uint32_t>(s.target));
        if (t.state == kInKernel && t.waiter == static_cast<int32_t>(id)) {
          s.state = kWaitingTarget;  // Engine::Retire of the target completes this cancel
          return false;
        }
      }
      *res = *res == 0 ? 0 : -ENOENT;
      return true;
    }
    case kOpCode_ASYNC_WAIT: {
      if (*res < 0) return true;
      ssize_t n = read(s.fd, &s.u.counter, sizeof(s.u.counter));
      if (n == static_cast<ssize_t>(sizeof(s.u.counter))) {
        *res = 0;
        return true;
      }
      if (n < 0 && errno != EAGAIN) {
        *res = -errno;
        return true;
      }
      return Rearm(e, id, s, res);  // another waiter consumed the notification first
    }
    case kOpCode_PROCESS_WAIT: {
      if (*res < 0) return true;
      int code = 0, signal = 0;
      int r = ReapPidfd(s.fd, &code, &signal);
      if (r == 0) return Rearm(e, id, s, res);
      if (r < 0) {
        *res = r;
        return true;
      }
      *res = code;
      *aux = signal;
      return true;
    }
    case kOpCode_STAT:
      if (*res == 0 && s.aux != nullptr) StatxToStat(s.u.stx, static_cast<double*>(s.aux));
      return true;
    case kOpCode_ACCEPT:
      if (*res >= 0 && s.aux != nullptr)
        SockaddrToAddr(reinterpret_cast<sockaddr*>(&s.u.net.addr), s.u.net.addrLen, static_cast<uint8_t*>(s.aux),
                       s.auxLen);
      return true;
    case kOpCode_RECVFROM:
      if (*res >= 0 && s.aux != nullptr)
        SockaddrToAddr(reinterpret_cast<sockaddr*>(&s.u.net.addr), s.u.net.msg.msg_namelen,
                       static_cast<uint8_t*>(s.aux), s.auxLen);
      return true;
    case kOpCode_POLL:
      if (*res >= 0) *res &= POLLIN | POLLOUT | POLLERR | POLLHUP;
      return true;
    default:
      return true;
  }
}

}  // namespace xev::iouring
