#include "attach.h"

namespace xev_kqueue {

Attachment* Attachment::start(uv_loop_t* loop, int fd, Callback callback, void* data, int* err) {
  auto* a = new Attachment();
  a->callback_ = callback;
  a->data_ = data;
  a->handle_.data = a;
  *err = uv_poll_init(loop, &a->handle_, fd);
  if (*err != 0) {
    delete a;
    return nullptr;
  }
  *err = uv_poll_start(&a->handle_, UV_READABLE, &Attachment::onPoll);
  if (*err != 0) {
    a->close();
    return nullptr;
  }
  // Unreferenced until the loop says operations are active (setRef), as libuv's own idle handles.
  uv_unref(reinterpret_cast<uv_handle_t*>(&a->handle_));
  return a;
}

void Attachment::setRef(bool ref) {
  auto* h = reinterpret_cast<uv_handle_t*>(&handle_);
  if (ref) uv_ref(h);
  else uv_unref(h);
}

void Attachment::close() {
  if (closing_) return;
  closing_ = true;
  callback_ = nullptr;
  uv_poll_stop(&handle_);  // also removes the descriptor from libuv's own poller
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), &Attachment::onClose);
}

void Attachment::onClose(uv_handle_t* handle) {
  auto* a = static_cast<Attachment*>(handle->data);
  if (a->onClosed_ != nullptr) a->onClosed_(a->closedArg_);
  delete a;
}

void Attachment::onPoll(uv_poll_t* handle, int status, int events) {
  auto* a = static_cast<Attachment*>(handle->data);
  // status < 0 cannot happen for a kqueue descriptor in practice; reaping will report whatever is wrong.
  if (a->callback_ != nullptr) a->callback_(a->data_);
}

}  // namespace xev_kqueue
