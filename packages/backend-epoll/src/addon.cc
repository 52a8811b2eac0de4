// The N-API surface (packages/core/src/backend/native.ts, NativeAddon): probe(), notify(handle) and the
// Instance class. The only file that includes napi.h; it checks JavaScript arguments, turns the loop's
// submission entries into plain Submissions and forwards everything to the Poller.
#include <napi.h>
#include <uv.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "attach.h"
#include "poller.h"
#include "probe.h"
#include "xev/layout.h"
#include "xev/napi-rings.h"
#include "xev/socket.h"
#include "xev/spawn.h"

namespace xev_epoll {
namespace {

/**
 * The memory behind an ArrayBufferView (xev/napi-rings.h): 1 when `v` is null or undefined, 0 for a usable
 * view, -EINVAL for anything else, -EFAULT for a view over a detached buffer.
 */
int viewOf(napi_env env, napi_value v, uint8_t** data, size_t* len, bool* isFloat64) {
  xev::View view;
  int r = xev::ViewOf(env, v, &view);
  if (r != 0) return r;
  *data = static_cast<uint8_t*>(view.data);
  *len = view.bytes;
  if (isFloat64 != nullptr) *isFloat64 = view.type == napi_float64_array;
  return 0;
}

Napi::Value throwType(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value throwError(Napi::Env env, const std::string& message) {
  Napi::Error::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

class Instance : public Napi::ObjectWrap<Instance> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "Instance",
                       {
                           InstanceMethod<&Instance::init>("init"),
                           InstanceMethod<&Instance::enter>("enter"),
                           InstanceMethod<&Instance::attach>("attach"),
                           InstanceMethod<&Instance::armWake>("armWake"),
                           InstanceMethod<&Instance::setRef>("setRef"),
                           InstanceMethod<&Instance::socket>("socket"),
                           InstanceMethod<&Instance::bind>("bind"),
                           InstanceMethod<&Instance::listen>("listen"),
                           InstanceMethod<&Instance::setsockopt>("setsockopt"),
                           InstanceMethod<&Instance::sockname>("sockname"),
                           InstanceMethod<&Instance::asyncCreate>("asyncCreate"),
                           InstanceMethod<&Instance::spawn>("spawn"),
                           InstanceMethod<&Instance::pid>("pid"),
                           InstanceMethod<&Instance::closeSync>("closeSync"),
                           InstanceMethod<&Instance::destroy>("destroy"),
                       });
  }

  explicit Instance(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Instance>(info) {
    Napi::Env env = info.Env();
    double entries = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : NAN;
    if (!(entries >= 1 && entries <= 1 << 20) || std::floor(entries) != entries) {
      Napi::RangeError::New(env, "entries must be an integer from 1 to 1048576").ThrowAsJavaScriptException();
      return;
    }
    // info[1] (NativeFlag) is not needed: both modes run the same way here, attached differing only in
    // who waits (libuv, after attach()), so blocking needs no setup of its own (unlike io_uring's
    // DEFER_TASKRUN), and sqpoll has no epoll equivalent.
    poller_ = new Poller(static_cast<uint32_t>(entries));
    int err = poller_->open();
    if (err != 0) {
      delete poller_;
      poller_ = nullptr;
      throwError(env, std::string("epoll backend: ") + std::strerror(-err));
      return;
    }
    env_ = env;
    napi_add_env_cleanup_hook(env, &Instance::cleanupHook, this);
    hooked_ = true;
  }

  ~Instance() override { release(false); }

 private:
  bool live(Napi::Env env) {
    if (poller_ != nullptr) return true;
    throwError(env, "this epoll backend instance was destroyed");
    return false;
  }

  /** The descriptor behind a handle argument, or a negative errno. */
  int fdArg(const Napi::Value& v) {
    return v.IsNumber() ? poller_->handleFd(v.As<Napi::Number>().DoubleValue()) : -EBADF;
  }

  Napi::Value init(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!live(env)) return env.Undefined();
    auto isF64 = [](const Napi::Value& v) {
      return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float64_array;
    };
    if (!isF64(info[0]) || !info[1].IsArray() || !isF64(info[2])) {
      return throwType(env, "init(sq, objects, cq) takes a Float64Array, an Array and a Float64Array");
    }
    auto sq = info[0].As<Napi::Float64Array>();
    auto cq = info[2].As<Napi::Float64Array>();
    if (cq.ElementLength() < static_cast<size_t>(xev::kCqe_STRIDE)) {
      Napi::RangeError::New(env, "the completion queue holds no entry").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    // Data pointers of JS-allocated typed arrays never move (napi_get_typedarray_info externalizes on-heap
    // ones), and the references keep them alive for the instance's life.
    sqRef_ = Napi::Persistent(static_cast<Napi::Object>(sq));
    cqRef_ = Napi::Persistent(static_cast<Napi::Object>(cq));
    objectsRef_ = Napi::Persistent(info[1].As<Napi::Object>());
    sq_ = sq.Data();
    sqEntries_ = static_cast<uint32_t>(sq.ElementLength() / xev::kSqe_STRIDE);
    cq_ = cq.Data();
    cqEntries_ = static_cast<uint32_t>(cq.ElementLength() / xev::kCqe_STRIDE);
    return env.Undefined();
  }

  /** Reads object `index` of the objects array into (data, len), reporting problems as errno values. */
  void object(napi_env env, napi_value objects, uint32_t index, uint8_t** data, size_t* len, int* error, bool* present,
              bool* isFloat64) {
    napi_value v;
    if (napi_get_element(env, objects, index, &v) != napi_ok) {
      *error = -EINVAL;
      return;
    }
    int r = viewOf(env, v, data, len, isFloat64);
    *present = r == 0;
    *error = r < 0 ? r : 0;
  }

  Napi::Value enter(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!live(env)) return env.Undefined();
    if (sq_ == nullptr) return throwError(env, "enter() before init()");
    double count = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : NAN;
    double waitMs = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0;
    if (!(count >= 0 && count <= sqEntries_) || std::floor(count) != count) {
      Napi::RangeError::New(env, "enter(submitCount): submitCount must be an integer from 0 to the queue size")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    uint32_t n = static_cast<uint32_t>(count);
    if (n > 0) {
      napi_value objects = objectsRef_.Value();
      for (uint32_t i = 0; i < n; i++) {
        const double* e = sq_ + static_cast<size_t>(i) * xev::kSqe_STRIDE;
        Submission s;
        s.op = e[xev::kSqe_OP];
        s.slot = e[xev::kSqe_SLOT];
        s.handle = e[xev::kSqe_HANDLE];
        s.arg0 = e[xev::kSqe_ARG0];
        s.arg1 = e[xev::kSqe_ARG1];
        s.target = e[xev::kSqe_TARGET];
        int code = s.op >= 0 && s.op < 256 ? static_cast<int>(s.op) : -1;
        if (opUsesBuffer(code)) object(env, objects, i * xev::kSqeObjects, &s.buf, &s.len, &s.bufError, &s.hasBuf, nullptr);
        if (opUsesAux(code)) {
          object(env, objects, i * xev::kSqeObjects + 1, &s.aux, &s.auxLen, &s.auxError, &s.hasAux, &s.auxIsFloat64);
        }
        poller_->submit(s);
      }
    }
    // Attached and not asked to wait: libuv watches the epoll set and calls onPollReady when it has events,
    // so polling here again would only add an epoll_wait per tick.
    if (waitMs != 0 || attachment_ == nullptr) poller_->wait(waitMs);
    else poller_->flushPool();
    return Napi::Number::New(env, poller_->drain(cq_, cqEntries_));
  }

  Napi::Value attach(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!live(env)) return env.Undefined();
    if (!info[0].IsFunction()) return throwType(env, "attach(onReady) takes a function");
    onReady_ = Napi::Persistent(info[0].As<Napi::Function>());
    if (attachment_ != nullptr) return env.Undefined();
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return throwError(env, "no libuv loop");
    napi_value name = Napi::String::New(env, "xev:epoll");
    if (napi_async_init(env, nullptr, name, &asyncContext_) != napi_ok) return throwError(env, "napi_async_init failed");
    int err = 0;
    attachment_ = Attachment::start(loop, poller_->epollFd(), &Instance::onPollReady, this, &err);
    if (attachment_ == nullptr) return throwError(env, std::string("uv_poll_start: ") + uv_strerror(err));
    // The uv_poll_t's close callback is code in this addon, and a worker's teardown unloads the addon
    // before its last uv_run: an async cleanup hook makes the environment wait until that callback ran.
    napi_async_cleanup_hook_handle hook = nullptr;
    if (napi_add_async_cleanup_hook(env, &Instance::asyncCleanupHook, attachment_, &hook) == napi_ok) {
      attachment_->setOnClosed(&Instance::removeAsyncCleanupHook, hook);
    }
    if (ref_) attachment_->setRef(true);
    return env.Undefined();
  }

  /** libuv says the epoll set has events: reap them, and call the loop only if something came of it. */
  static void onPollReady(void* data) {
    auto* self = static_cast<Instance*>(data);
    if (self->poller_ == nullptr) return;
    self->poller_->wait(0);
    bool fired = self->poller_->takeWakeFired();
    if (!fired && !self->poller_->hasCompletions()) return;  // e.g. an edge on a descriptor with nothing queued
    napi_env env = self->env_;
    Napi::HandleScope scope(env);
    napi_value global;
    napi_get_global(env, &global);
    napi_value result;
    // napi_make_callback opens a callback scope: microtasks and nextTicks run when it closes, as after any
    // libuv callback into JavaScript.
    uint64_t drainedBefore = self->poller_->drainedCompletions();
    self->inCallback_ = true;
    napi_status status = napi_make_callback(env, self->asyncContext_, global, self->onReady_.Value(), 0, nullptr, &result);
    self->inCallback_ = false;
    if (self->asyncContextDoomed_) {
      // destroy() ran inside the callback (from a promise continuation): release the context only now.
      napi_async_destroy(env, self->asyncContext_);
      self->asyncContext_ = nullptr;
      self->asyncContextDoomed_ = false;
    }
    if (status == napi_pending_exception) {
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_fatal_exception(env, error);  // an uncaught exception, as from any other callback
    }
    // More completions than the loop took in its bounded pass (a burst larger than its ticks times
    // cqEntries): they were reaped from epoll already, so no event would call us again. Make the epoll set
    // readable for libuv's next turn, but only while the loop is draining, never as a busy loop.
    if (self->poller_ != nullptr && self->poller_->hasCompletions() &&
        self->poller_->drainedCompletions() > drainedBefore) {
      self->poller_->selfWake();
    }
  }

  Napi::Value armWake(const Napi::CallbackInfo& info) {
    if (poller_ != nullptr && info[0].IsNumber()) poller_->armWake(info[0].As<Napi::Number>().DoubleValue());
    return info.Env().Undefined();
  }

  Napi::Value setRef(const Napi::CallbackInfo& info) {
    ref_ = info[0].ToBoolean().Value();
    if (attachment_ != nullptr) attachment_->setRef(ref_);
    return info.Env().Undefined();
  }

  Napi::Value socket(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (poller_ == nullptr) return Napi::Number::New(env, -EBADF);
    if (!info[0].IsNumber() || !info[1].IsNumber()) return throwType(env, "socket(family, type) takes two numbers");
    int64_t family, type;
    if (!toInt(info[0].As<Napi::Number>().DoubleValue(), 0, 255, &family)) return Napi::Number::New(env, -EAFNOSUPPORT);
    if (!toInt(info[1].As<Napi::Number>().DoubleValue(), 0, 255, &type)) return Napi::Number::New(env, -EINVAL);
    int fd = xev::SocketCreate(static_cast<int>(family), static_cast<int>(type));
    if (fd >= 0) poller_->adopt(fd, type == xev::kSockType_STREAM ? FdKind::kStreamSocket : FdKind::kPollable);
    return Napi::Number::New(env, fd);
  }

  /** An address argument; nullptr (with a TypeError thrown) when it is not an ArrayBufferView. */
  bool addressArg(Napi::Env env, const Napi::Value& v, uint8_t** data, size_t* len) {
    if (viewOf(env, v, data, len, nullptr) == 0) return true;
    throwType(env, "the address must be a Uint8Array");
    return false;
  }

  Napi::Value bind(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (poller_ == nullptr) return Napi::Number::New(env, -EBADF);
    uint8_t* addr;
    size_t len;
    if (!addressArg(env, info[1], &addr, &len)) return env.Undefined();
    int fd = fdArg(info[0]);
    return Napi::Number::New(env, fd < 0 ? fd : xev::SocketBind(fd, addr, len));
  }

  Napi::Value listen(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (poller_ == nullptr) return Napi::Number::New(env, -EBADF);
    if (!info[1].IsNumber()) return throwType(env, "listen(handle, backlog) takes a number backlog");
    int fd = fdArg(info[0]);
    int64_t backlog;
    if (fd >= 0 && !toInt(info[1].As<Napi::Number>().DoubleValue(), 0, 65535, &backlog)) fd = -EINVAL;
    return Napi::Number::New(env, fd < 0 ? fd : xev::SocketListen(fd, static_cast<int>(backlog)));
  }

  Napi::Value setsockopt(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (poller_ == nullptr) return Napi::Number::New(env, -EBADF);
    if (!info[1].IsNumber()) return throwType(env, "setsockopt(handle, option, value) takes a number option");
    double value;
    if (info[2].IsBoolean()) value = info[2].As<Napi::Boolean>().Value() ? 1 : 0;
    else if (info[2].IsNumber()) value = info[2].As<Napi::Number>().DoubleValue();
    else return throwType(env, "setsockopt value must be a number or a boolean");
    int fd = fdArg(info[0]);
    int64_t option, intValue;
    if (fd >= 0 && !toInt(info[1].As<Napi::Number>().DoubleValue(), 0, 255, &option)) fd = -ENOPROTOOPT;
    if (fd >= 0 && !toInt(value, 0, 2147483647.0, &intValue)) fd = -EINVAL;
    return Napi::Number::New(env, fd < 0 ? fd : xev::SocketSetOption(fd, static_cast<int>(option), static_cast<int>(intValue)));
  }

  Napi::Value sockname(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (poller_ == nullptr) return Napi::Number::New(env, -EBADF);
    uint8_t* out;
    size_t len;
    if (!addressArg(env, info[2], &out, &len)) return env.Undefined();
    int fd = fdArg(info[0]);
    return Napi::Number::New(env, fd < 0 ? fd : xev::SocketName(fd, info[1].ToBoolean().Value(), out, len));
  }

  Napi::Value asyncCreate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Napi::Number::New(env, poller_ == nullptr ? -EBADF : poller_->asyncCreate());
  }

  /** A JS array of strings as owned strings; false (TypeError thrown) when it is something else. */
  static bool strings(Napi::Env env, const Napi::Value& v, std::vector<std::string>* out, const char* what) {
    if (!v.IsArray()) {
      throwType(env, what);
      return false;
    }
    auto array = v.As<Napi::Array>();
    for (uint32_t i = 0; i < array.Length(); i++) {
      Napi::Value item = array.Get(i);
      if (!item.IsString()) {
        throwType(env, what);
        return false;
      }
      out->push_back(item.As<Napi::String>().Utf8Value());
    }
    return true;
  }

  Napi::Value spawn(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (poller_ == nullptr) return Napi::Number::New(env, -EBADF);
    if (!info[0].IsString()) return throwType(env, "spawn(file, args, cwd, env, ignoreStdio): file must be a string");
    std::string file = info[0].As<Napi::String>().Utf8Value();
    std::vector<std::string> args{file};  // argv[0] is the file, as in child_process.spawn
    if (!strings(env, info[1], &args, "spawn: args must be an array of strings")) return env.Undefined();
    bool hasCwd = info[2].IsString();
    if (!hasCwd && !info[2].IsNull() && !info[2].IsUndefined()) return throwType(env, "spawn: cwd must be a string or null");
    std::string cwd = hasCwd ? info[2].As<Napi::String>().Utf8Value() : "";
    std::vector<std::string> envStrings;
    bool hasEnv = !info[3].IsNull() && !info[3].IsUndefined();
    if (hasEnv && !strings(env, info[3], &envStrings, "spawn: env must be an array of KEY=value strings or null")) {
      return env.Undefined();
    }
    for (const auto* list : {&args, &envStrings}) {
      for (const auto& s : *list) {
        if (s.find('\0') != std::string::npos) return Napi::Number::New(env, -EINVAL);
      }
    }
    std::vector<char*> argv;
    for (auto& s : args) argv.push_back(&s[0]);
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& s : envStrings) envp.push_back(&s[0]);
    envp.push_back(nullptr);
    pid_t pid = 0;
    int fd = xev::SpawnPidfd(file.c_str(), argv.data(), hasCwd ? cwd.c_str() : nullptr, hasEnv ? envp.data() : nullptr,
                             info[4].ToBoolean().Value(), &pid);
    if (fd >= 0) poller_->adoptProcess(fd, pid);
    return Napi::Number::New(env, fd);
  }

  Napi::Value pid(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (poller_ == nullptr || !info[0].IsNumber()) return Napi::Number::New(env, -EBADF);
    return Napi::Number::New(env, poller_->pid(info[0].As<Napi::Number>().DoubleValue()));
  }

  Napi::Value closeSync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (poller_ == nullptr || !info[0].IsNumber()) return Napi::Number::New(env, -EBADF);
    int r = poller_->closeSync(info[0].As<Napi::Number>().DoubleValue());
    // Operations it cancelled completed outside enter: make libuv call the attached loop back for them.
    if (attachment_ != nullptr && poller_->hasCompletions()) poller_->selfWake();
    return Napi::Number::New(env, r);
  }

  Napi::Value destroy(const Napi::CallbackInfo& info) {
    release(false);
    return info.Env().Undefined();
  }

  static void cleanupHook(void* data) { static_cast<Instance*>(data)->release(true); }

  /** Environment teardown: close the libuv handle; teardown waits for removeAsyncCleanupHook. */
  static void asyncCleanupHook(napi_async_cleanup_hook_handle, void* arg) {
    auto* a = static_cast<Attachment*>(arg);
    if (a->closing()) return;  // destroy() closed it already; its close callback removes the hook
    static_cast<Instance*>(a->data())->attachment_ = nullptr;
    a->close();
  }

  static void removeAsyncCleanupHook(void* hook) {
    napi_remove_async_cleanup_hook(static_cast<napi_async_cleanup_hook_handle>(hook));
  }

  /** Releases everything; safe to call more than once, from destroy(), the finalizer or env teardown. */
  void release(bool fromHook) {
    if (attachment_ != nullptr) {
      attachment_->close();
      attachment_ = nullptr;
    }
    if (poller_ != nullptr) {
      poller_->close();
      delete poller_;
      poller_ = nullptr;
    }
    sq_ = cq_ = nullptr;
    if (hooked_) {
      hooked_ = false;
      if (!fromHook) napi_remove_env_cleanup_hook(env_, &Instance::cleanupHook, this);
      if (inCallback_) {
        asyncContextDoomed_ = true;  // napi_make_callback is still using it
      } else if (asyncContext_ != nullptr) {
        napi_async_destroy(env_, asyncContext_);
        asyncContext_ = nullptr;
      }
      onReady_.Reset();
      sqRef_.Reset();
      cqRef_.Reset();
      objectsRef_.Reset();
    }
  }

  napi_env env_ = nullptr;
  Poller* poller_ = nullptr;
  bool hooked_ = false;
  bool ref_ = false;
  Napi::ObjectReference sqRef_;
  Napi::ObjectReference cqRef_;
  Napi::ObjectReference objectsRef_;
  double* sq_ = nullptr;
  double* cq_ = nullptr;
  uint32_t sqEntries_ = 0;
  uint32_t cqEntries_ = 0;
  Attachment* attachment_ = nullptr;
  Napi::FunctionReference onReady_;
  napi_async_context asyncContext_ = nullptr;
  bool inCallback_ = false;          // inside napi_make_callback in onPollReady
  bool asyncContextDoomed_ = false;  // released while inCallback_
};

Napi::Value probeJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ProbeResult r = probe();
  Napi::Object out = Napi::Object::New(env);
  out.Set("ok", r.ok);
  if (r.ok) {
    if (!r.detail.empty()) out.Set("detail", r.detail);
  } else {
    out.Set("errno", r.err);
    out.Set("message", r.message);
    if (!r.fix.empty()) out.Set("fix", r.fix);
  }
  return out;
}

Napi::Value notifyJs(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) return throwType(info.Env(), "notify(handle) takes a number");
  notifyAsync(info[0].As<Napi::Number>().DoubleValue());
  return info.Env().Undefined();
}

Napi::Object initModule(Napi::Env env, Napi::Object exports) {
  exports.Set("probe", Napi::Function::New<probeJs>(env, "probe"));
  exports.Set("notify", Napi::Function::New<notifyJs>(env, "notify"));
  exports.Set("Instance", Instance::define(env));
  return exports;
}

}  // namespace
}  // namespace xev_epoll

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return xev_epoll::initModule(env, exports); }

NODE_API_MODULE(xev_epoll, Init)
