#include "attach.h"

#include <uv.h>

namespace xev::iouring {

struct Attachment {
  uv_poll_t poll;
  void (*onReadable)(void*);
  void* data;
  void (*onClosed)(void*) = nullptr;
  void* closedData = nullptr;
};

namespace {

void OnPoll(uv_poll_t* handle, int status, int events) {
  (void)status;  // an error (the fd went bad) is reported as readiness too: enter will say what is wrong
  (void)events;
  auto* a = static_cast<Attachment*>(handle->data);
  if (a->onReadable != nullptr) a->onReadable(a->data);
}

void OnClose(uv_handle_t* handle) {
  auto* a = static_cast<Attachment*>(handle->data);
  void (*onClosed)(void*) = a->onClosed;
  void* data = a->closedData;
  delete a;
  if (onClosed != nullptr) onClosed(data);
}

}  // namespace

Attachment* AttachStart(uv_loop_s* loop, int fd, void (*onReadable)(void*), void* data, int* err) {
  auto* a = new Attachment();
  a->onReadable = onReadable;
  a->data = data;
  int r = uv_poll_init(loop, &a->poll, fd);
  if (r != 0) {
    delete a;
    *err = r;  // libuv errors are already negative errnos on Unix
    return nullptr;
  }
  a->poll.data = a;
  r = uv_poll_start(&a->poll, UV_READABLE, OnPoll);
  if (r != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&a->poll), OnClose);
    *err = r;
    return nullptr;
  }
  return a;
}

void AttachSetRef(Attachment* a, bool ref) {
  if (ref) uv_ref(reinterpret_cast<uv_handle_t*>(&a->poll));
  else uv_unref(reinterpret_cast<uv_handle_t*>(&a->poll));
}

void AttachStop(Attachment* a, void (*onClosed)(void*), void* data) {
  a->onReadable = nullptr;
  a->onClosed = onClosed;
  a->closedData = data;
  uv_poll_stop(&a->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&a->poll), OnClose);
}

}  // namespace xev::iouring
