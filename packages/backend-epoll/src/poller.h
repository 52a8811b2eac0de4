// The epoll poller: the epoll set and its internal descriptors, per-descriptor operation queues, per-slot
// operation records, the completion queue, and waiting. Plain C++ with errno results; addon.cc adapts it
// to N-API. Its implementation has two halves: poller.cc (epoll, readiness, waiting) and engine.cc (the
// operation lifecycle: submission, the thread-pool path, cancellation, close, handles).
//
// Readiness model. Every descriptor that has ever had to wait is registered once, edge-triggered, for
// EPOLLIN | EPOLLOUT | EPOLLRDHUP, and stays registered until it is closed. Edge-triggered because it lets
// interest stay registered for the descriptor's whole life without level-triggered wake-ups while nothing
// is queued: epoll_ctl runs once per descriptor, never per operation (0 per ping-pong round trip), where a
// level-triggered design has to add and drop interest as queues fill and empty. The price is that the poller
// must remember readiness: each descriptor has a readable and a writable flag, cleared when a syscall says
// EAGAIN (or when a stream socket's read or write comes back short, which means the kernel buffer was
// drained or filled: a later arrival or drain raises a new edge; except a short read after the peer's FIN
// was seen, since the end of file is reported by the next read and its edge is spent) and set again by the
// next edge. An operation is tried at once when its direction is (maybe) ready and nothing is queued before
// it, and parks otherwise, so steady-state ping-pong costs one syscall per operation plus the wait.
#pragma once

#include <sys/epoll.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ops.h"
#include "pool.h"

namespace xev_epoll {

/** One staged submission, with its objects already checked and turned into raw pointers by the addon. */
struct Submission {
  double op = 0;
  double slot = -1;
  double handle = -1;
  double arg0 = 0;
  double arg1 = 0;
  double target = -1;
  uint8_t* buf = nullptr;
  size_t len = 0;
  int bufError = 0;       // -EINVAL: the data object was not a usable ArrayBufferView
  bool hasBuf = false;
  uint8_t* aux = nullptr;
  size_t auxLen = 0;
  int auxError = 0;
  bool hasAux = false;
  bool auxIsFloat64 = false;  // the aux view is a Float64Array (stat)
};

/** Which opcodes read the data object and the aux object; the addon skips the others. */
bool opUsesBuffer(int code);
bool opUsesAux(int code);

/** Wakes an async handle from any thread. Ignores handles that asyncCreate did not issue. */
void notifyAsync(double handle);

// Shared by poller.cc and engine.cc.
constexpr int32_t kChunk = 256;          // op records per allocation; chunks never move
constexpr int32_t kMaxSlots = 1 << 22;   // far above any loop's slot count; bounds what bad input can allocate
constexpr int kMaxFd = 1 << 24;

/** An integral double in [lo, hi], converted without undefined behaviour; false otherwise. */
inline bool toInt(double v, double lo, double hi, int64_t* out) {
  if (!(v >= lo && v <= hi) || __builtin_floor(v) != v) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

/** close(2), treating EINTR as done: Linux releases the descriptor anyway, and a retry could close a reused one. */
int closeFd(int fd);

/** The process-wide set of descriptors asyncCreate issued (notify writes only to those). */
bool isAsyncFd(int fd);
void markAsyncFd(int fd, bool on);

class Poller {
 public:
  explicit Poller(uint32_t entries);
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  /** Creates the epoll set, the wake timerfd and the pool eventfd. 0 or -errno. */
  int open();
  /** Stops the pool and closes the internal descriptors. Idempotent. */
  void close();

  /** Starts one operation; may complete it at once. */
  void submit(const Submission& s);
  /**
   * Reaps readiness and pool results. `waitMs` 0 never blocks; > 0 waits at most that long (fractional
   * milliseconds honoured through epoll_pwait2) for a first completion; < 0 waits without limit.
   */
  void wait(double waitMs);
  /** Hands the file operations started since the last call to the pool threads, in one batch. */
  void flushPool() {
    if (pool_ != nullptr) pool_->flush();
  }
  /** Writes up to `capacity` completions into `cq` (Cqe layout) and returns how many. */
  uint32_t drain(double* cq, uint32_t capacity);
  bool hasCompletions() const { return cqCount_ > 0; }
  /** Completions handed to the loop so far (it only grows): tells whether the loop is draining. */
  uint64_t drainedCompletions() const { return drained_; }

  /** Arms the wake timerfd `delayMs` from now (fractional allowed); < 0 disarms. */
  void armWake(double delayMs);
  /** Whether the wake deadline passed since the last call. */
  bool takeWakeFired();
  /** Makes the epoll set readable so that an attached loop is called back (completions queued outside enter). */
  void selfWake();
  int epollFd() const { return epfd_; }

  // Synchronous control calls.
  /** Takes ownership of a descriptor the backend just created: resets any stale per-descriptor state. */
  void adopt(int fd, FdKind kind);
  int closeSync(double handle);
  int asyncCreate();
  int adoptProcess(int pidfd, int pid);
  int pid(double handle);
  /** A handle number as a descriptor the caller may act on, or -EBADF (never one of the internal ones). */
  int handleFd(double handle) const;

 private:
  struct FdState {
    Op* head[kDirs] = {nullptr, nullptr, nullptr};
    Op* tail[kDirs] = {nullptr, nullptr, nullptr};
    FdKind kind = FdKind::kUnknown;
    bool registered = false;
    bool readable = true;  // unknown counts as ready: try the syscall
    bool writable = true;
    bool peerClosed = false;  // an event reported EPOLLRDHUP/EPOLLHUP/EPOLLERR: an EOF or error is pending
    int32_t pid = 0;
    uint32_t poolOps = 0;     // pool jobs on this descriptor, queued or running
    int32_t closeSlot = -1;   // a close (or kCloseSyncPending) waiting for those jobs
  };
  static constexpr int32_t kCloseSyncPending = -2;

  Op* op(int32_t slot);
  FdState& state(int fd);
  /** Makes sure `fd` has a state entry; -EBADF (without growing the table) when it is not open. */
  int track(int fd);
  void push(double slot, double result, double aux = 0);
  void complete(Op& o, int64_t result, int32_t aux = 0);
  void fail(const Submission& s, int err);

  void startReady(Op& o, Dir dir);
  void finishReady(Op& o, Dir dir, int64_t result, int32_t aux);
  void startPoll(Op& o);
  void startPool(Op& o);
  void startClose(Op& o);
  void finishClose(Op& o);
  void startCancel(Op& o, int32_t target);
  int kindOf(int fd, FdKind* kind);
  int registerFd(int fd);
  void unregisterFd(int fd);
  void append(int fd, Dir dir, Op& o);
  void unlinkParked(Op& o);
  void cancelFdOps(int fd);
  void releaseFd(int fd);

  void process(const epoll_event* events, int n);
  void onFdEvent(int fd, uint32_t events);
  void runQueue(int fd, Dir dir);
  void runPolls(int fd, uint32_t events);
  void drainPool();
  void poolJobsDone(int fd, uint32_t count);
  int waitOnce(double timeoutMs);

  int epfd_ = -1;
  int timerfd_ = -1;
  int wakefd_ = -1;  // pool results and self-wakes
  bool wakeArmed_ = false;
  bool wakeFired_ = false;
  bool havePwait2_ = true;
  Pool* pool_ = nullptr;
  bool recordsLeaked_ = false;  // a stuck pool thread may still write an op record

  std::vector<Op*> chunks_;  // per-slot records, kChunk per chunk; chunks never move
  std::vector<FdState> fds_;

  // Completion ring (power-of-two capacity; grows only when more completions are pending than ever before).
  struct Cqe {
    double slot, result, aux;
  };
  std::vector<Cqe> cqRing_;
  size_t cqHead_ = 0;
  size_t cqCount_ = 0;
  uint64_t drained_ = 0;

  static constexpr int kMaxEvents = 256;
  epoll_event events_[kMaxEvents];
};

}  // namespace xev_epoll
