// Attached mode: libuv watches the kqueue descriptor with a uv_poll_t (a kqueue is pollable; the emulated one is an epoll descriptor), so completions wake Node's own loop.
#pragma once

#include <uv.h>

namespace xev_kqueue {

/**
 * A uv_poll_t on the kqueue descriptor. It calls `callback(data)` from Node's loop whenever the kqueue has
 * events. Its memory outlives `close()` until libuv's close callback has run, which then calls
 * `onClosed(closedArg)` and frees the object.
 */
class Attachment {
 public:
  using Callback = void (*)(void* data);

  /** Starts watching `fd` on `loop`. Returns nullptr and sets `*err` (a libuv error) on failure. */
  static Attachment* start(uv_loop_t* loop, int fd, Callback callback, void* data, int* err);

  /** Whether the watch keeps Node's event loop alive. */
  void setRef(bool ref);

  /** Runs once libuv has released the handle (addon.cc removes its environment cleanup hook there). */
  void setOnClosed(Callback onClosed, void* closedArg) {
    onClosed_ = onClosed;
    closedArg_ = closedArg;
  }

  /** Stops watching; the callback never runs again. Later calls do nothing. */
  void close();
  bool closing() const { return closing_; }
  /** The `data` given to start(); meaningful only while not closing. */
  void* data() const { return data_; }

 private:
  Attachment() = default;
  static void onPoll(uv_poll_t* handle, int status, int events);
  static void onClose(uv_handle_t* handle);

  uv_poll_t handle_;
  Callback callback_ = nullptr;
  void* data_ = nullptr;
  Callback onClosed_ = nullptr;
  void* closedArg_ = nullptr;
  bool closing_ = false;
};

}  // namespace xev_kqueue
