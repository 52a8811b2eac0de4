// Attached mode: libuv watches the ring fd (a uv_poll_t), so completions wake Node's own event loop.
// Plain C++ on libuv; the JavaScript call happens in addon.cc, through the callback given here.
#pragma once

struct uv_loop_s;

namespace xev::iouring {

struct Attachment;

// Starts watching `fd` for readability on `loop`; `onReadable(data)` runs on Node's thread each time.
// Returns null and sets *err (-errno) on failure.
Attachment* AttachStart(uv_loop_s* loop, int fd, void (*onReadable)(void*), void* data, int* err);
// Whether the watcher keeps Node's event loop alive.
void AttachSetRef(Attachment* a, bool ref);
// Stops watching at once (call it before closing `fd`) and frees the watcher asynchronously, as libuv
// requires; `onClosed(data)` runs when that is done (the addon must stay loaded until then).
void AttachStop(Attachment* a, void (*onClosed)(void*), void* data);

}  // namespace xev::iouring
