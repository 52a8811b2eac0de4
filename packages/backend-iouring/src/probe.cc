#include "probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ring.h"

namespace xev::iouring {

namespace {

// Opcodes the backend needs, with the kernel that added the last of them.
constexpr unsigned char kRequired[] = {
    IORING_OP_NOP,     IORING_OP_READ,    IORING_OP_WRITE,      IORING_OP_FSYNC,        IORING_OP_POLL_ADD,
    IORING_OP_SENDMSG, IORING_OP_RECVMSG, IORING_OP_TIMEOUT,    IORING_OP_TIMEOUT_REMOVE, IORING_OP_ACCEPT,
    IORING_OP_ASYNC_CANCEL, IORING_OP_CONNECT, IORING_OP_OPENAT, IORING_OP_CLOSE,   IORING_OP_STATX,
    IORING_OP_SEND,    IORING_OP_RECV,    IORING_OP_SHUTDOWN,
};

const char* OpName(unsigned op) {
  switch (op) {
    case IORING_OP_SHUTDOWN: return "SHUTDOWN";
    case IORING_OP_STATX: return "STATX";
    case IORING_OP_OPENAT: return "OPENAT";
    case IORING_OP_SEND: return "SEND";
    case IORING_OP_RECV: return "RECV";
    case IORING_OP_READ: return "READ";
    case IORING_OP_WRITE: return "WRITE";
    default: return "an opcode";
  }
}

std::string ReadSysctl(const char* path) {
  FILE* f = fopen(path, "r");
  if (f == nullptr) return "";
  char buf[32] = {0};
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) buf[--n] = 0;
  return buf;
}

ProbeReport Refused(int err, const char* call) {
  ProbeReport r;
  r.err = err;
  std::string disabled = ReadSysctl("/proc/sys/kernel/io_uring_disabled");
  r.message = std::string(call) + " failed: " + strerror(err) + " (errno " + std::to_string(err) + ")";
  if (err == EPERM) {
    if (disabled == "2") {
      r.message += "; io_uring is disabled on this system (kernel.io_uring_disabled = 2)";
      r.fix = "set the sysctl kernel.io_uring_disabled to 0, or use the epoll backend (XEV_BACKEND=epoll)";
    } else if (disabled == "1") {
      r.message += "; io_uring is restricted to the group in kernel.io_uring_group (kernel.io_uring_disabled = 1)";
      r.fix = "add this user to kernel.io_uring_group, or use the epoll backend (XEV_BACKEND=epoll)";
    } else {
      r.message += "; a seccomp filter (a container runtime such as Docker's default profile) denies io_uring";
      r.fix = "allow io_uring_setup/io_uring_enter/io_uring_register in the seccomp profile, or use the epoll "
              "backend (XEV_BACKEND=epoll)";
    }
  } else if (err == ENOSYS) {
    r.message += "; this kernel was built without io_uring";
    r.fix = "use the epoll backend (XEV_BACKEND=epoll)";
  } else if (err == ENOMEM) {
    r.fix = "raise RLIMIT_MEMLOCK (ulimit -l), or use the epoll backend";
  }
  return r;
}

ProbeReport Run() {
  io_uring_params p;
  memset(&p, 0, sizeof(p));
  int fd = SysSetup(4, &p);
  if (fd < 0) return Refused(errno, "io_uring_setup");

  ProbeReport r;
  struct utsname u;
  uname(&u);
  const size_t probeSize = sizeof(io_uring_probe) + 256 * sizeof(io_uring_probe_op);
  auto* probe = static_cast<io_uring_probe*>(calloc(1, probeSize));
  if (SysRegister(fd, IORING_REGISTER_PROBE, probe, 256) < 0) {
    int e = errno;
    free(probe);
    close(fd);
    ProbeReport bad = Refused(e, "io_uring_register(IORING_REGISTER_PROBE)");
    bad.message += " on Linux " + std::string(u.release) + "; xev needs Linux 5.11 or newer";
    return bad;
  }
  auto has = [&](unsigned op) {
    return op <= probe->last_op && (probe->ops[op].flags & IO_URING_OP_SUPPORTED) != 0;
  };
  for (unsigned char op : kRequired) {
    if (!has(op)) {
      r.err = ENOSYS;
      r.message = std::string("io_uring on Linux ") + u.release + " lacks IORING_OP_" + OpName(op) +
                  "; xev needs Linux 5.11 or newer";
      r.fix = "use the epoll backend (XEV_BACKEND=epoll)";
      free(probe);
      close(fd);
      return r;
    }
  }
  if (!(p.features & IORING_FEAT_EXT_ARG) || !(p.features & IORING_FEAT_NODROP) ||
      !(p.features & IORING_FEAT_RW_CUR_POS)) {
    r.err = ENOSYS;
    r.message = std::string("io_uring on Linux ") + u.release +
                " lacks IORING_FEAT_EXT_ARG, NODROP or RW_CUR_POS; xev needs Linux 5.11 or newer";
    r.fix = "use the epoll backend (XEV_BACKEND=epoll)";
    free(probe);
    close(fd);
    return r;
  }
  // Feature proxies: IORING_OP_SOCKET arrived with multishot accept and provided buffer rings (5.19),
  // IORING_OP_SEND_ZC with multishot recv (6.0).
  r.multishotAccept = has(IORING_OP_SOCKET);
  r.providedBufferRing = has(IORING_OP_SOCKET);
  r.multishotRecv = has(IORING_OP_SEND_ZC);
  r.zeroCopySend = has(IORING_OP_SEND_ZC);
  // Registered buffers: try one page (fails under a tiny RLIMIT_MEMLOCK on kernels before 5.12's
  // memcg accounting).
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page != MAP_FAILED) {
    iovec iov = {page, 4096};
    r.registeredBuffers = SysRegister(fd, IORING_REGISTER_BUFFERS, &iov, 1) == 0;
    munmap(page, 4096);
  }
  free(probe);
  close(fd);
  // SQPOLL: allowed unprivileged since 5.11, but a seccomp or LSM policy may still refuse it.
  memset(&p, 0, sizeof(p));
  p.flags = IORING_SETUP_SQPOLL;
  p.sq_thread_idle = 1;
  int sq = SysSetup(2, &p);
  if (sq >= 0) {
    r.sqpoll = true;
    close(sq);
  }
  r.ok = true;
  r.detail = std::string("io_uring on Linux ") + u.release;
  std::string features;
  auto add = [&](bool on, const char* name) {
    if (on) features += (features.empty() ? "" : ", ") + std::string(name);
  };
  add(r.sqpoll, "SQPOLL");
  add(r.multishotAccept, "multishot accept");
  add(r.multishotRecv, "multishot recv");
  add(r.providedBufferRing, "provided buffer rings");
  add(r.registeredBuffers, "registered buffers");
  add(r.zeroCopySend, "zero-copy send");
  if (!features.empty()) r.detail += "; kernel features: " + features;
  return r;
}

}  // namespace

const ProbeReport& Probe() {
  static const ProbeReport report = Run();  // C++11 guarantees thread-safe one-time initialisation
  return report;
}

}  // namespace xev::iouring
