// Attached mode: libuv watches the epoll descriptor with a uv_poll_t, so completions wake Node's own loop.
#pragma once

#include <uv.h>

namespace xev_epoll {

/**
 * A uv_poll_t on the epoll descriptor. It calls `callback(data)` from Node's loop whenever the epoll set has
 * events. Its memory outlives `close()` until libuv's close callback runs.
 */
class Attachment {
 public:
  using Callback = void (*)(void* data);

  /** Starts watching `fd` on `loop`. Returns nullptr and sets `*err` (a libuv error) on failure. */
  static Attachment* start(uv_loop_t* loop, int fd, Callback callback, void* data, int* err);

  /** Whether the watch keeps Node's event loop alive. */
  void setRef(bool ref);

  /** Stops watching and frees the handle once libuv is done with it; the callback never runs again. */
  void close();

 private:
  Attachment() = default;
  static void onPoll(uv_poll_t* handle, int status, int events);

  uv_poll_t handle_;
  Callback callback_ = nullptr;
  void* data_ = nullptr;
};

}  // namespace xev_epoll
