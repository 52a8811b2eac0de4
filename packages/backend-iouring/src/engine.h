// The backend proper, free of N-API: the slot table (one entry per loop completion slot, with the
// per-operation scratch the kernel writes into), the per-fd lists of in-flight operations that make close
// and cancel uniform, the completion output, and the enter cycle. Opcode-specific code is in ops.cc.
#pragma once

#include <linux/io_uring.h>
#include <linux/stat.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <memory>
#include <unordered_map>
#include <vector>

#include "ring.h"
#include "xev/layout.h"

namespace xev::iouring {

// Chunk size of the slot table: 256 slots of ~300 bytes, one allocation when the loop first uses them.
constexpr uint32_t kSlotChunkBits = 8;
constexpr uint32_t kMaxSlots = 1u << 24;
// File descriptors below this index a dense per-fd table; the rare ones above live in a hash map.
constexpr int kDenseFds = 1 << 16;

// One submission entry of the loop, decoded by the addon (which alone reads JavaScript values).
struct OpInput {
  int op = 0;
  uint32_t slot = 0;
  double handle = -1, arg0 = 0, arg1 = 0, target = -1;
  // The data buffer and the auxiliary buffer: err 0 present, 1 absent, negative errno if unusable.
  void* buf = nullptr;
  size_t bufLen = 0;
  int bufErr = 1;
  void* aux = nullptr;
  size_t auxLen = 0;
  int auxType = -1;  // napi_typedarray_type of the aux view, -1 for a DataView
  int auxErr = 1;
};

// Whether an opcode's CQE needs Ops::Complete (post-processing, re-arming, the cancel rule) rather than
// being reported as the kernel gave it.
constexpr bool NeedsCompletion(uint8_t op) {
  return op == kOpCode_CANCEL || op == kOpCode_ASYNC_WAIT || op == kOpCode_PROCESS_WAIT || op == kOpCode_STAT ||
         op == kOpCode_ACCEPT || op == kOpCode_RECVFROM || op == kOpCode_POLL;
}

// user_data = tag << 32 | id. Loop operations carry their slot; the rest are the backend's own and never
// reach the loop.
enum Tag : uint32_t { kTagOp = 0, kTagInternal = 1, kTagWake = 2, kTagKick = 3 };

enum SlotState : uint8_t {
  kFree = 0,
  kInKernel = 1,       // an SQE with this slot's user_data is in flight
  kWaitingClose = 2,   // a close waiting for the fd's other operations to finish
  kWaitingTarget = 3,  // a cancel whose CQE arrived before its target's
  kInBacklog = 4,      // completed, waiting in the backlog for room in the loop's cq
};

// Per-slot state. Slots live in fixed chunks that never move: the kernel holds pointers into `u`.
struct Slot {
  uint8_t op = 0;
  uint8_t state = kFree;
  uint8_t cancelled = 0;   // a cancel or close asked the kernel to cancel this operation
  uint8_t targetDone = 0;  // for a cancel: its target completed before the cancel's own CQE
  int32_t fd = -1;         // the fd whose in-flight list holds this slot, or -1
  int32_t prev = -1, next = -1;
  int32_t waiter = -1;     // the cancel waiting for this operation's completion
  int32_t target = -1;     // for a cancel: the slot it targets
  int32_t targetRes = 0;   // for a cancel: the target's final result, once known
  uint32_t reportedTick = 0;  // the enter call that wrote this slot's completion into the loop's cq
  void* aux = nullptr;     // the loop's aux view, written on completion (stat, peer address)
  size_t auxLen = 0;
  union Scratch {
    Scratch() {}
    struct statx stx;
    struct Net {
      sockaddr_storage addr;
      socklen_t addrLen;
      msghdr msg;
      iovec iov;
    } net;
    uint64_t counter;
  } u;
};

struct FdState {
  int32_t head = -1;        // first in-flight slot on this fd
  uint32_t inflight = 0;
  int32_t closeSlot = -1;   // a close waiting for `inflight` to reach 0
  int32_t pid = 0;          // for process handles (pidfds)
};

class Engine {
 public:
  // `flags`: NativeFlag bits (0x1 SQPOLL, 0x2 blocking mode). Returns 0 or -errno.
  int Open(unsigned entries, unsigned flags);
  void Close();
  bool IsOpen() const { return ring_.IsOpen(); }
  int RingFd() const { return ring_.fd(); }
  bool blocking() const { return blocking_; }

  // The enter cycle: BeginTick, Submit per staged entry, then FinishTick (which waits, reaps and returns
  // how many completions it wrote into `cq`).
  void BeginTick(double* cq, unsigned cqCapacity);
  void Submit(const OpInput& in);
  unsigned FinishTick(double waitMs);

  // Attached mode: one wake-up of the ring fd after `ms` milliseconds (-1 disarms). See ArmWake in
  // engine.cc for why this is an IORING_OP_TIMEOUT and not a timerfd.
  int ArmWake(double ms);

  // Synchronous calls that need the engine's tables.
  int CloseSync(int fd);
  int Pid(int fd);
  int TrackProcess(int pidfd, int pid);

  // Operations the loop submitted with a slot that was still in flight (a loop bug); for tests.
  uint64_t protocolErrors() const { return protocolErrors_; }
  // Cancels the kernel answered with -EALREADY (target already running); for tests.
  uint64_t cancelAlready() const { return cancelAlready_; }

 private:
  friend struct Ops;
  // Inline: called several times per operation on the hot path.
  Slot& At(uint32_t slot) {
    uint32_t chunk = slot >> kSlotChunkBits;
    if (__builtin_expect(chunk >= chunks_.size(), 0)) Grow(chunk);
    return chunks_[chunk][slot & ((1u << kSlotChunkBits) - 1)];
  }
  void Grow(uint32_t chunk);
  FdState& Fd(int fd);
  // Whether `fd` may name an open file: below the descriptor limit, and checked with fcntl beyond the
  // dense table, so that a bogus handle such as 2e9 costs an -EBADF, not a 32 GiB table.
  bool PlausibleFd(int fd);
  void Link(uint32_t slot, int fd);
  void Unlink(uint32_t slot);
  io_uring_sqe* Sqe(uint8_t opcode, int fd, uint64_t userData) {
    io_uring_sqe* sqe = ring_.NextSqe();
    if (sqe == nullptr) return nullptr;
    if ((userData >> 32) == kTagOp) opSqes_++;
    sqe->opcode = opcode;
    sqe->fd = fd;
    sqe->user_data = userData;
    return sqe;
  }
  void CancelInternal(uint32_t slot);
  void OnCqe(uint64_t userData, int32_t res, uint32_t flags);
  void Retire(uint32_t slot, int32_t res, int32_t aux);
  void MaybeClose(int fd);
  void Emit(uint32_t slot, int32_t res, int32_t aux);
  unsigned DrainBacklog();
  void Reap();

  Ring ring_;
  bool blocking_ = false;
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  std::vector<FdState> fds_;                   // dense, for fds below kDenseFds
  std::unordered_map<int, FdState> sparseFds_;  // the rare fds above it
  struct Done {
    uint32_t slot;
    int32_t res, aux;
  };
  // Completions that did not fit into `cq` (or arose outside enter): delivered first next time.
  std::vector<Done> backlog_;
  size_t backlogHead_ = 0;
  double* cq_ = nullptr;
  unsigned cqCapacity_ = 0, out_ = 0;
  uint32_t tick_ = 1;  // counts enter calls, for Slot::reportedTick
  bool kickInFlight_ = false;
  uint32_t wakeGen_ = 0;
  bool wakeActive_ = false;  // a wake timeout is in the kernel and has not fired
  // Timespecs stay valid until the kernel has read them (with SQPOLL that is after Submit returns).
  static constexpr unsigned kWakeTsCount = 8;
  __kernel_timespec wakeTs_[kWakeTsCount];
  unsigned wakeTsNext_ = 0;
  uint64_t protocolErrors_ = 0;
  // SQEs and CQEs of loop operations (one CQE each): their difference is what is still in the kernel.
  uint64_t opSqes_ = 0, opCqes_ = 0;
  uint64_t cancelAlready_ = 0;
};


}  // namespace xev::iouring
