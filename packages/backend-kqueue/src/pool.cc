#include "pool.h"

#include <sys/event.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <cstdint>
#include <cstdlib>

#include "poller.h"
#include "xev/layout.h"

namespace xev_kqueue {

namespace {

/**
 * Threads per loop: 4 by default, as libuv's pool (UV_THREADPOOL_SIZE), because 4 concurrent page-cache
 * reads already saturate 2 cores; XEV_KQUEUE_THREADS overrides it (1 to 64).
 */
int poolSize() {
  const char* env = std::getenv("XEV_KQUEUE_THREADS");
  if (env != nullptr) {
    int n = std::atoi(env);
    if (n >= 1 && n <= 64) return n;
  }
  return 4;
}

/** Unlinks `op` from the singly linked FIFO (head, tail); true if it was there. */
bool unlink(Op*& head, Op*& tail, Op* op) {
  Op* prev = nullptr;
  for (Op* o = head; o != nullptr; prev = o, o = o->poolNext) {
    if (o != op) continue;
    if (prev != nullptr) prev->poolNext = o->poolNext;
    else head = o->poolNext;
    if (tail == o) tail = prev;
    o->poolNext = nullptr;
    return true;
  }
  return false;
}

}  // namespace

Pool::Pool(int kq) : kq_(kq) {}

Pool::~Pool() { stop(); }

int Pool::start() {
  int want = poolSize();
  while (threadCount_ < want) {
    // Small stacks: the workers only make syscalls.
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    int err = pthread_create(&threads_[threadCount_], &attr, &Pool::threadMain, this);
    pthread_attr_destroy(&attr);
    if (err != 0) return threadCount_ > 0 ? 0 : -err;
    threadCount_++;
    alive_++;
  }
  return 0;
}

int Pool::submit(Op* op) {
  if (threadCount_ == 0) {
    pthread_mutex_lock(&mu_);
    int err = stopping_ ? -ECANCELED : start();
    pthread_mutex_unlock(&mu_);
    if (err != 0) return err;
  }
  op->poolNext = nullptr;
  if (stagedTail_ != nullptr) stagedTail_->poolNext = op;
  else stagedHead_ = op;
  stagedTail_ = op;
  stagedCount_++;
  return 0;
}

void Pool::flush() {
  if (stagedHead_ == nullptr) return;
  pthread_mutex_lock(&mu_);
  if (queueTail_ != nullptr) queueTail_->poolNext = stagedHead_;
  else queueHead_ = stagedHead_;
  queueTail_ = stagedTail_;
  // One futex wake per idle thread that has something to do: a batch of 64 reads wakes 4 threads, not 64.
  for (int i = 0; i < stagedCount_ && i < idle_; i++) pthread_cond_signal(&cv_);
  pthread_mutex_unlock(&mu_);
  stagedHead_ = stagedTail_ = nullptr;
  stagedCount_ = 0;
}

bool Pool::tryRemove(Op* op) {
  if (unlink(stagedHead_, stagedTail_, op)) {
    stagedCount_--;
    return true;
  }
  pthread_mutex_lock(&mu_);
  bool removed = unlink(queueHead_, queueTail_, op);
  pthread_mutex_unlock(&mu_);
  return removed;
}

namespace {

/** Moves the ops on `fd` from (head, tail) to the end of (outHead, outTail), in order; returns how many. */
int takeFd(Op*& head, Op*& tail, int fd, Op*& outHead, Op*& outTail) {
  int moved = 0;
  Op* prev = nullptr;
  for (Op* o = head; o != nullptr;) {
    Op* next = o->poolNext;
    if (o->fd == fd && o->code != xev::kOpCode_OPEN /* no descriptor yet */) {
      if (prev != nullptr) prev->poolNext = next;
      else head = next;
      if (tail == o) tail = prev;
      o->poolNext = nullptr;
      if (outTail != nullptr) outTail->poolNext = o;
      else outHead = o;
      outTail = o;
      moved++;
    } else {
      prev = o;
    }
    o = next;
  }
  return moved;
}

}  // namespace

Op* Pool::removeFd(int fd) {
  Op* head = nullptr;
  Op* tail = nullptr;
  pthread_mutex_lock(&mu_);
  takeFd(queueHead_, queueTail_, fd, head, tail);  // queued before anything staged
  pthread_mutex_unlock(&mu_);
  stagedCount_ -= takeFd(stagedHead_, stagedTail_, fd, head, tail);
  return head;
}

Op* Pool::takeDone() {
  pthread_mutex_lock(&mu_);
  Op* head = doneHead_;
  doneHead_ = doneTail_ = nullptr;
  pthread_mutex_unlock(&mu_);
  return head;
}

bool Pool::stop() {
  pthread_mutex_lock(&mu_);
  stopping_ = true;
  queueHead_ = queueTail_ = nullptr;
  stagedHead_ = stagedTail_ = nullptr;
  stagedCount_ = 0;
  pthread_cond_broadcast(&cv_);
  // 200 ms: far longer than any file operation on a local disk, short enough not to stall an exit.
  timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_nsec += 200 * 1000 * 1000;
  if (deadline.tv_nsec >= 1000 * 1000 * 1000) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000 * 1000 * 1000;
  }
  while (alive_ > 0 && pthread_cond_timedwait(&exited_, &mu_, &deadline) != ETIMEDOUT) {
  }
  bool clean = alive_ == 0;
  pthread_mutex_unlock(&mu_);
  for (int i = 0; i < threadCount_; i++) {
    if (clean) pthread_join(threads_[i], nullptr);
    else pthread_detach(threads_[i]);
  }
  threadCount_ = 0;
  return clean;
}

void* Pool::threadMain(void* self) {
  static_cast<Pool*>(self)->run();
  return nullptr;
}

void Pool::run() {
  pthread_mutex_lock(&mu_);
  for (;;) {
    while (queueHead_ == nullptr && !stopping_) {
      idle_++;
      pthread_cond_wait(&cv_, &mu_);
      idle_--;
    }
    if (stopping_) break;
    Op* op = queueHead_;
    queueHead_ = op->poolNext;
    if (queueHead_ == nullptr) queueTail_ = nullptr;
    op->poolNext = nullptr;
    pthread_mutex_unlock(&mu_);

    performFile(*op);

    pthread_mutex_lock(&mu_);
    if (stopping_) break;  // the loop is gone: its kqueue may already be another descriptor
    bool wasEmpty = doneHead_ == nullptr;
    if (doneTail_ != nullptr) doneTail_->poolNext = op;
    else doneHead_ = op;
    doneTail_ = op;
    if (wasEmpty) {
      // Only the first result of a batch wakes the loop; it takes the whole list at once.
      struct kevent c;
      EV_SET(&c, kWakeIdent, EVFILT_USER, 0, NOTE_TRIGGER, 0, nullptr);
      ::kevent(kq_, &c, 1, nullptr, 0, nullptr);
    }
  }
  alive_--;
  pthread_cond_signal(&exited_);
  pthread_mutex_unlock(&mu_);
}

}  // namespace xev_kqueue
