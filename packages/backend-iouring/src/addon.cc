// The N-API surface of the io_uring backend (NativeAddon in @xev/core's native.ts): probe, notify and the
// per-loop Instance class. The only file that includes napi.h; everything else is plain C++ with errno
// ints. Bad input from JavaScript becomes a thrown TypeError (wrong argument types to the control calls)
// or a negative errno completion (a bad entry in the rings), never a crash.
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <napi.h>
#include <uv.h>

#include "attach.h"
#include "engine.h"
#include "probe.h"
#include "xev/layout.h"
#include "xev/napi-rings.h"
#include "xev/socket.h"
#include "xev/spawn.h"

namespace xev::iouring {

namespace {

bool NumberArg(const Napi::CallbackInfo& info, size_t i, const char* name, double* out) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    Napi::TypeError::New(info.Env(), std::string(name) + " must be a number").ThrowAsJavaScriptException();
    return false;
  }
  *out = info[i].As<Napi::Number>().DoubleValue();
  return true;
}

// A handle argument: a number (else TypeError); -1 when it cannot name an fd (the call returns -EBADF).
bool HandleArg(const Napi::CallbackInfo& info, size_t i, int* fd) {
  double h;
  if (!NumberArg(info, i, "handle", &h)) return false;
  *fd = (h >= 0 && h <= 2147483647.0 && h == floor(h)) ? static_cast<int>(h) : -1;
  return true;
}

bool BytesArg(const Napi::CallbackInfo& info, size_t i, const char* name, View* view) {
  int r = info.Length() > i ? ViewOf(info.Env(), info[i], view) : 1;
  if (r == 0) return true;
  Napi::TypeError::New(info.Env(), std::string(name) + (r == -EFAULT ? " is detached" : " must be a Uint8Array"))
      .ThrowAsJavaScriptException();
  return false;
}

bool StringArg(Napi::Env env, Napi::Value v, const char* name, std::string* out) {
  if (!v.IsString()) {
    Napi::TypeError::New(env, std::string(name) + " must be a string").ThrowAsJavaScriptException();
    return false;
  }
  *out = v.As<Napi::String>().Utf8Value();
  return true;
}

bool StringListArg(Napi::Env env, Napi::Value v, const char* name, std::vector<std::string>* out) {
  if (!v.IsArray()) {
    Napi::TypeError::New(env, std::string(name) + " must be an array of strings").ThrowAsJavaScriptException();
    return false;
  }
  auto array = v.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    std::string s;
    if (!StringArg(env, array.Get(i), name, &s)) return false;
    out->push_back(std::move(s));
  }
  return true;
}

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

// Which objects an opcode reads: bit 0 the data buffer, bit 1 the auxiliary buffer.
int ObjectsOf(int op) {
  switch (op) {
    case kOpCode_READ: case kOpCode_WRITE: case kOpCode_PREAD: case kOpCode_PWRITE:
    case kOpCode_RECV: case kOpCode_SEND: return 1;
    case kOpCode_RECVFROM: case kOpCode_SENDTO: return 3;
    case kOpCode_OPEN: case kOpCode_STAT: case kOpCode_ACCEPT: case kOpCode_CONNECT: return 2;
    default: return 0;
  }
}

}  // namespace

class Instance;

// The uv_poll_t watcher of an attached instance, tracked so that a worker thread's environment cannot
// unload the addon while libuv still owes us the close callback (that would run unmapped code): an async
// cleanup hook holds the environment's teardown until the watcher is closed, and stops it if nobody did.
struct Watch {
  Attachment* attachment = nullptr;
  napi_async_cleanup_hook_handle hook = nullptr;
  Instance* owner = nullptr;
};

void WatchClosed(void* data) {
  auto* w = static_cast<Watch*>(data);
  if (w->hook != nullptr) napi_remove_async_cleanup_hook(w->hook);
  delete w;
}

void WatchCleanupHook(napi_async_cleanup_hook_handle, void* data);

class Instance : public Napi::ObjectWrap<Instance> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Instance",
                       {
                           InstanceMethod<&Instance::Init>("init"),
                           InstanceMethod<&Instance::Enter>("enter"),
                           InstanceMethod<&Instance::Attach>("attach"),
                           InstanceMethod<&Instance::ArmWake>("armWake"),
                           InstanceMethod<&Instance::SetRef>("setRef"),
                           InstanceMethod<&Instance::Socket>("socket"),
                           InstanceMethod<&Instance::Bind>("bind"),
                           InstanceMethod<&Instance::Listen>("listen"),
                           InstanceMethod<&Instance::SetSockOpt>("setsockopt"),
                           InstanceMethod<&Instance::SockName>("sockname"),
                           InstanceMethod<&Instance::AsyncCreate>("asyncCreate"),
                           InstanceMethod<&Instance::Spawn>("spawn"),
                           InstanceMethod<&Instance::Pid>("pid"),
                           InstanceMethod<&Instance::CloseSync>("closeSync"),
                           InstanceMethod<&Instance::Destroy>("destroy"),
                           InstanceMethod<&Instance::Stats>("stats"),
                       });
  }

  explicit Instance(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Instance>(info) {
    double entries, flags;
    if (!NumberArg(info, 0, "entries", &entries) || !NumberArg(info, 1, "flags", &flags)) return;
    if (!(entries >= 1 && entries <= 65536)) {
      Napi::RangeError::New(info.Env(), "entries must be between 1 and 65536").ThrowAsJavaScriptException();
      return;
    }
    int r = engine_.Open(static_cast<unsigned>(entries), static_cast<unsigned>(flags) & 0x3);
    if (r < 0) {
      Napi::Error err = Napi::Error::New(info.Env(), std::string("io_uring_setup failed: ") + strerror(-r));
      err.Set("errno", Napi::Number::New(info.Env(), r));
      err.ThrowAsJavaScriptException();
    }
  }

  // Garbage-collected without destroy(): release the ring and the watcher all the same.
  ~Instance() override {
    Release();
    if (asyncContext_ != nullptr && inCallback_ == 0) napi_async_destroy(Env(), asyncContext_);
  }

  // The environment is going away: the cleanup hook stopped the watcher.
  void WatchGone() { watch_ = nullptr; }

 private:
  bool Alive(Napi::Env env) {
    if (engine_.IsOpen()) return true;
    Napi::Error::New(env, "this io_uring backend instance was destroyed").ThrowAsJavaScriptException();
    return false;
  }

  Napi::Value Init(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Alive(env)) return env.Undefined();
    double* sq;
    double* cq;
    size_t sqLen, cqLen;
    if (info.Length() < 3 || !Float64ArrayOf(env, info[0], &sq, &sqLen) || !info[1].IsArray() ||
        !Float64ArrayOf(env, info[2], &cq, &cqLen)) {
      Napi::TypeError::New(env, "init(sq: Float64Array, objects: Array, cq: Float64Array)")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    sqRef_ = Napi::Persistent(info[0].As<Napi::Object>());
    objectsRef_ = Napi::Persistent(info[1].As<Napi::Object>());
    cqRef_ = Napi::Persistent(info[2].As<Napi::Object>());
    sq_ = sq;
    cq_ = cq;
    sqEntries_ = static_cast<unsigned>(sqLen / kSqe_STRIDE);
    cqEntries_ = static_cast<unsigned>(cqLen / kCqe_STRIDE);
    return env.Undefined();
  }

  // The hot path: one call per tick. Reads `n` staged entries, submits them, optionally waits, and
  // writes completions into cq.
  Napi::Value Enter(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    double n, waitMs;
    if (!NumberArg(info, 0, "submitCount", &n) || !NumberArg(info, 1, "waitMs", &waitMs)) return env.Undefined();
    if (!Alive(env)) return env.Undefined();
    if (sq_ == nullptr) {
      Napi::Error::New(env, "enter() before init()").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (!(n >= 0 && n <= sqEntries_) || n != floor(n)) {
      Napi::RangeError::New(env, "submitCount must be an integer between 0 and the sq's entry count")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (waitMs != waitMs) waitMs = 0;
    engine_.BeginTick(cq_, cqEntries_);
    napi_value objects = nullptr;
    unsigned count = static_cast<unsigned>(n);
    for (unsigned i = 0; i < count; i++) {
      const double* e = sq_ + static_cast<size_t>(i) * kSqe_STRIDE;
      double slot = e[kSqe_SLOT];
      OpInput in;
      // Range first, then integrality by round trip through an integer (cheaper than floor()).
      if (!(slot >= 0 && slot < kMaxSlots) || slot != static_cast<double>(static_cast<uint32_t>(slot))) {
        in.slot = kMaxSlots;  // counted as a protocol error and dropped: no slot to report it on
      } else {
        in.slot = static_cast<uint32_t>(slot);
      }
      double op = e[kSqe_OP];
      in.op = (op >= 0 && op < 256 && op == static_cast<double>(static_cast<int>(op))) ? static_cast<int>(op) : -1;
      in.handle = e[kSqe_HANDLE];
      in.arg0 = e[kSqe_ARG0];
      in.arg1 = e[kSqe_ARG1];
      in.target = e[kSqe_TARGET];
      int want = ObjectsOf(in.op);
      if (want != 0) {
        if (objects == nullptr) objects = objectsRef_.Value();
        View view;
        if (want & 1) {
          in.bufErr = ViewAt(env, objects, i * kSqeObjects, &view);
          in.buf = view.data;
          in.bufLen = view.bytes;
        }
        if (want & 2) {
          View aux;
          in.auxErr = ViewAt(env, objects, i * kSqeObjects + 1, &aux);
          in.aux = aux.data;
          in.auxLen = aux.bytes;
          in.auxType = aux.type;
        }
      }
      engine_.Submit(in);
    }
    return Napi::Number::New(env, engine_.FinishTick(waitMs));
  }

  static void OnReadable(void* data) {
    auto* self = static_cast<Instance*>(data);
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    if (self->onReady_.IsEmpty()) return;
    // MakeCallback, not Call: it opens a callback scope, so process.nextTick callbacks and microtasks
    // (promise continuations) run when onReady returns, as after any libuv callback in Node.
    napi_value result;
    napi_async_context context = self->asyncContext_;
    self->inCallback_++;
    napi_status status = napi_make_callback(env, context, env.Global(), self->onReady_.Value(), 0, nullptr, &result);
    // destroy() may have run inside the callback (or a microtask it queued): the async context it
    // released had to outlive napi_make_callback, so it is destroyed only now.
    if (--self->inCallback_ == 0 && self->asyncContextDoomed_) {
      napi_async_destroy(env, context);
      self->asyncContextDoomed_ = false;
    }
    if (status == napi_pending_exception) {
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_fatal_exception(env, error);  // an uncaught exception, as from any other Node callback
    }
  }

  Napi::Value Attach(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Alive(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsFunction()) {
      Napi::TypeError::New(env, "onReady must be a function").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (engine_.blocking()) {
      // A blocking-mode ring may use DEFER_TASKRUN, whose fd never becomes readable for libuv.
      Napi::Error::New(env, "attach() needs an instance created for attached mode").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    onReady_ = Napi::Persistent(info[0].As<Napi::Function>());
    if (watch_ != nullptr) return env.Undefined();
    if (asyncContext_ == nullptr) napi_async_init(env, nullptr, Napi::String::New(env, "xev:io_uring"), &asyncContext_);
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    int err = 0;
    Attachment* a = AttachStart(loop, engine_.RingFd(), &Instance::OnReadable, this, &err);
    if (a == nullptr) {
      Napi::Error::New(env, std::string("uv_poll_start on the ring fd failed: ") + uv_strerror(err))
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    watch_ = new Watch();
    watch_->attachment = a;
    watch_->owner = this;
    napi_add_async_cleanup_hook(env, WatchCleanupHook, watch_, &watch_->hook);
    AttachSetRef(a, ref_);
    return env.Undefined();
  }

  Napi::Value ArmWake(const Napi::CallbackInfo& info) {
    double ms;
    if (!NumberArg(info, 0, "delayMs", &ms) || !Alive(info.Env())) return info.Env().Undefined();
    engine_.ArmWake(ms != ms ? -1 : ms);
    return info.Env().Undefined();
  }

  Napi::Value SetRef(const Napi::CallbackInfo& info) {
    ref_ = info.Length() > 0 && info[0].ToBoolean().Value();
    if (watch_ != nullptr && watch_->attachment != nullptr) AttachSetRef(watch_->attachment, ref_);
    return info.Env().Undefined();
  }

  Napi::Value Socket(const Napi::CallbackInfo& info) {
    double family, type;
    if (!NumberArg(info, 0, "family", &family) || !NumberArg(info, 1, "type", &type)) return info.Env().Undefined();
    return Napi::Number::New(info.Env(), SocketCreate(static_cast<int>(family), static_cast<int>(type)));
  }

  Napi::Value Bind(const Napi::CallbackInfo& info) {
    int fd;
    View addr;
    if (!HandleArg(info, 0, &fd) || !BytesArg(info, 1, "address", &addr)) return info.Env().Undefined();
    int r = fd < 0 ? -EBADF : SocketBind(fd, static_cast<const uint8_t*>(addr.data), addr.bytes);
    return Napi::Number::New(info.Env(), r);
  }

  Napi::Value Listen(const Napi::CallbackInfo& info) {
    int fd;
    double backlog;
    if (!HandleArg(info, 0, &fd) || !NumberArg(info, 1, "backlog", &backlog)) return info.Env().Undefined();
    int b = backlog >= 0 && backlog < 65536 ? static_cast<int>(backlog) : 511;
    return Napi::Number::New(info.Env(), fd < 0 ? -EBADF : SocketListen(fd, b));
  }

  Napi::Value SetSockOpt(const Napi::CallbackInfo& info) {
    int fd;
    double option, value;
    if (!HandleArg(info, 0, &fd) || !NumberArg(info, 1, "option", &option) || !NumberArg(info, 2, "value", &value))
      return info.Env().Undefined();
    if (!(value >= INT32_MIN && value <= INT32_MAX)) return Napi::Number::New(info.Env(), -EINVAL);
    int r = fd < 0 ? -EBADF : SocketSetOption(fd, static_cast<int>(option), static_cast<int>(value));
    return Napi::Number::New(info.Env(), r);
  }

  Napi::Value SockName(const Napi::CallbackInfo& info) {
    int fd;
    View out;
    if (!HandleArg(info, 0, &fd) || !BytesArg(info, 2, "out", &out)) return info.Env().Undefined();
    bool peer = info.Length() > 1 && info[1].ToBoolean().Value();
    int r = fd < 0 ? -EBADF : SocketName(fd, peer, static_cast<uint8_t*>(out.data), out.bytes);
    return Napi::Number::New(info.Env(), r);
  }

  Napi::Value AsyncCreate(const Napi::CallbackInfo& info) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return Napi::Number::New(info.Env(), fd < 0 ? -errno : fd);
  }

  Napi::Value Spawn(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Alive(env)) return env.Undefined();
    std::string file, cwd;
    std::vector<std::string> args, envList;
    if (!StringArg(env, info[0], "file", &file) || !StringListArg(env, info[1], "args", &args)) return env.Undefined();
    bool hasCwd = !info[2].IsNull() && !info[2].IsUndefined();
    bool hasEnv = !info[3].IsNull() && !info[3].IsUndefined();
    if (hasCwd && !StringArg(env, info[2], "cwd", &cwd)) return env.Undefined();
    if (hasEnv && !StringListArg(env, info[3], "env", &envList)) return env.Undefined();
    bool ignoreStdio = info.Length() > 4 && info[4].ToBoolean().Value();
    bool nul = HasNul(file) || HasNul(cwd);
    std::vector<char*> argv{const_cast<char*>(file.c_str())};
    for (auto& a : args) nul |= HasNul(a), argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& a : envList) nul |= HasNul(a), envp.push_back(const_cast<char*>(a.c_str()));
    envp.push_back(nullptr);
    if (nul || file.empty()) return Napi::Number::New(env, -EINVAL);
    pid_t pid = 0;
    int fd = SpawnPidfd(file.c_str(), argv.data(), hasCwd ? cwd.c_str() : nullptr, hasEnv ? envp.data() : nullptr,
                        ignoreStdio, &pid);
    if (fd >= 0) engine_.TrackProcess(fd, pid);
    return Napi::Number::New(env, fd);
  }

  Napi::Value Pid(const Napi::CallbackInfo& info) {
    int fd;
    if (!HandleArg(info, 0, &fd)) return info.Env().Undefined();
    return Napi::Number::New(info.Env(), fd < 0 ? -EBADF : engine_.Pid(fd));
  }

  Napi::Value CloseSync(const Napi::CallbackInfo& info) {
    int fd;
    if (!HandleArg(info, 0, &fd)) return info.Env().Undefined();
    if (fd == engine_.RingFd() && fd >= 0) return Napi::Number::New(info.Env(), -EBADF);  // not the loop's to close
    return Napi::Number::New(info.Env(), fd < 0 ? -EBADF : engine_.CloseSync(fd));
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("protocolErrors", Napi::Number::New(info.Env(), static_cast<double>(engine_.protocolErrors())));
    o.Set("ringFd", Napi::Number::New(info.Env(), engine_.RingFd()));
    o.Set("cancelAlready", Napi::Number::New(info.Env(), static_cast<double>(engine_.cancelAlready())));
    return o;
  }

  void Release() {
    if (watch_ != nullptr) {
      // Before the ring fd closes, as libuv requires.
      Attachment* a = watch_->attachment;
      watch_->attachment = nullptr;
      watch_->owner = nullptr;
      if (a != nullptr) AttachStop(a, WatchClosed, watch_);
      watch_ = nullptr;
    }
    engine_.Close();
    sq_ = cq_ = nullptr;
    sqEntries_ = cqEntries_ = 0;
  }

  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    Release();
    if (asyncContext_ != nullptr) {
      if (inCallback_ > 0) asyncContextDoomed_ = true;  // OnReadable destroys it after napi_make_callback
      else napi_async_destroy(info.Env(), asyncContext_);
    }
    asyncContext_ = nullptr;
    onReady_.Reset();
    sqRef_.Reset();
    objectsRef_.Reset();
    cqRef_.Reset();
    return info.Env().Undefined();
  }

  Engine engine_;
  Napi::ObjectReference sqRef_, objectsRef_, cqRef_;
  double* sq_ = nullptr;
  double* cq_ = nullptr;
  unsigned sqEntries_ = 0, cqEntries_ = 0;
  Napi::FunctionReference onReady_;
  napi_async_context asyncContext_ = nullptr;
  Watch* watch_ = nullptr;
  bool ref_ = false;
  int inCallback_ = 0;
  bool asyncContextDoomed_ = false;
};

void WatchCleanupHook(napi_async_cleanup_hook_handle, void* data) {
  auto* w = static_cast<Watch*>(data);
  Attachment* a = w->attachment;
  if (a == nullptr) return;  // already closing: WatchClosed removes the hook
  w->attachment = nullptr;
  if (w->owner != nullptr) w->owner->WatchGone();
  w->owner = nullptr;
  AttachStop(a, WatchClosed, w);
}

namespace {

Napi::Value ProbeJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const ProbeReport& p = Probe();
  Napi::Object o = Napi::Object::New(env);
  o.Set("ok", Napi::Boolean::New(env, p.ok));
  if (p.ok) {
    o.Set("detail", Napi::String::New(env, p.detail));
  } else {
    o.Set("errno", Napi::Number::New(env, p.err));
    o.Set("message", Napi::String::New(env, p.message));
    if (!p.fix.empty()) o.Set("fix", Napi::String::New(env, p.fix));
  }
  return o;
}

// What the kernel offers beyond the required operation set (see ProbeReport).
Napi::Value KernelFeaturesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const ProbeReport& p = Probe();
  Napi::Object o = Napi::Object::New(env);
  o.Set("usable", Napi::Boolean::New(env, p.ok));
  o.Set("multishotAccept", Napi::Boolean::New(env, p.ok && p.multishotAccept));
  o.Set("multishotRecv", Napi::Boolean::New(env, p.ok && p.multishotRecv));
  o.Set("providedBufferRing", Napi::Boolean::New(env, p.ok && p.providedBufferRing));
  o.Set("registeredBuffers", Napi::Boolean::New(env, p.ok && p.registeredBuffers));
  o.Set("zeroCopySend", Napi::Boolean::New(env, p.ok && p.zeroCopySend));
  o.Set("sqpoll", Napi::Boolean::New(env, p.ok && p.sqpoll));
  return o;
}

// Thread-safe: an eventfd write, callable from any worker's copy of the addon.
Napi::Value NotifyJs(const Napi::CallbackInfo& info) {
  int fd;
  if (!HandleArg(info, 0, &fd)) return info.Env().Undefined();
  uint64_t one = 1;
  ssize_t n = fd < 0 ? -1 : write(fd, &one, sizeof(one));
  return Napi::Number::New(info.Env(), n == sizeof(one) ? 0 : fd < 0 ? -EBADF : errno == EAGAIN ? 0 : -errno);
}

}  // namespace

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("probe", Napi::Function::New(env, ProbeJs, "probe"));
  exports.Set("kernelFeatures", Napi::Function::New(env, KernelFeaturesJs, "kernelFeatures"));
  exports.Set("notify", Napi::Function::New(env, NotifyJs, "notify"));
  exports.Set("Instance", Instance::Define(env));
  return exports;
}

}  // namespace xev::iouring

static Napi::Object InitXevIouring(Napi::Env env, Napi::Object exports) {
  return xev::iouring::InitModule(env, exports);
}

NODE_API_MODULE(xev_iouring, InitXevIouring)
