// The native thread pool for regular-file operations: kqueue reports regular files always readable and
// their reads still block on the disk, so those run on threads. Results come back through the poller's
// normal completion path: a worker links the finished op onto a locked done list and triggers the
// kqueue's wake-up EVFILT_USER (kWakeIdent).
#pragma once

#include <pthread.h>

#include <cstdint>

#include "ops.h"

namespace xev_kqueue {

class Pool {
 public:
  /** `kq` is the kqueue whose wake-up user event is triggered when the done list goes from empty to non-empty. */
  explicit Pool(int kq);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /**
   * Stages `op` (loop thread only; starts the threads on first use). 0, or -errno when no thread could be
   * started. Staged ops reach the threads at the next flush().
   */
  int submit(Op* op);

  /** Hands every staged op to the threads under one lock, waking no more idle threads than there is work. */
  void flush();

  /** Removes `op` if no thread has picked it up yet. False when it is running (or already done). */
  bool tryRemove(Op* op);

  /** Removes every queued (not running) op on `fd`; returns them linked through poolNext, in order. */
  Op* removeFd(int fd);

  /** Takes every finished op, linked through poolNext in completion order. */
  Op* takeDone();

  /**
   * Stops the threads after their current op and joins them; queued ops are dropped. Returns false when a
   * thread is still stuck in a blocking syscall after a grace period (an open of a FIFO nobody writes):
   * the threads are then detached rather than joined, so that closing a loop or exiting never hangs, and
   * the caller must leak this pool and the op records it may still write.
   */
  bool stop();

 private:
  static void* threadMain(void* self);
  void run();
  int start();

  pthread_mutex_t mu_ = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cv_ = PTHREAD_COND_INITIALIZER;
  pthread_cond_t exited_ = PTHREAD_COND_INITIALIZER;
  int alive_ = 0;  // threads that have not finished run()
  // Staged by the loop thread since the last flush; only the loop thread touches these.
  Op* stagedHead_ = nullptr;
  Op* stagedTail_ = nullptr;
  int stagedCount_ = 0;
  // Guarded by mu_.
  int idle_ = 0;  // threads waiting for work
  Op* queueHead_ = nullptr;
  Op* queueTail_ = nullptr;
  Op* doneHead_ = nullptr;
  Op* doneTail_ = nullptr;
  bool stopping_ = false;
  int kq_;
  static constexpr int kMaxThreads = 64;
  pthread_t threads_[kMaxThreads];
  int threadCount_ = 0;
};

}  // namespace xev_kqueue
