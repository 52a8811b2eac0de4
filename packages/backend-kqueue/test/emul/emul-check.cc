// Checks of the kqueue emulation itself (emul/kqueue.cc), one per flag and filter the backend relies on.
// Compiled and run by test/emulation.test.ts; prints "ok <name>" or "FAIL <name>: <why>" per check and
// exits non-zero if any failed. Plain C++ against <sys/event.h>, so on macOS or FreeBSD the same file
// checks the real kqueue (the test compiles it without the emulation there).
#include <sys/event.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <thread>

#ifdef XEV_KQUEUE_EMULATED
#define CLOSE_KQ(kq) kqueue_emul_close(kq)
#else
#define CLOSE_KQ(kq) close(kq)
#endif

extern char** environ;

static int failures = 0;
static std::string why;

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      why = std::string(#cond) + " (line " + std::to_string(__LINE__) + ")"; \
      return false;                                                          \
    }                                                                        \
  } while (0)

static void run(const char* name, bool (*check)()) {
  why.clear();
  bool ok = check();
  if (ok) {
    printf("ok %s\n", name);
  } else {
    printf("FAIL %s: %s\n", name, why.c_str());
    failures++;
  }
  fflush(stdout);
}

static const timespec kZero{0, 0};

static int change(int kq, uintptr_t ident, int16_t filter, uint16_t flags, uint32_t fflags = 0, int64_t data = 0) {
  struct kevent c;
  EV_SET(&c, ident, filter, flags, fflags, data, nullptr);
  return kevent(kq, &c, 1, nullptr, 0, nullptr);
}

static int poll1(int kq, struct kevent* ev, long waitMs = 0) {
  timespec ts{waitMs / 1000, (waitMs % 1000) * 1000000L};
  return kevent(kq, nullptr, 0, ev, 1, &ts);
}

static double nowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool readLevel() {
  int kq = kqueue();
  int sv[2];
  CHECK(kq >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_ADD) == 0);
  struct kevent ev;
  CHECK(poll1(kq, &ev) == 0);
  CHECK(write(sv[1], "abc", 3) == 3);
  CHECK(poll1(kq, &ev, 1000) == 1);
  CHECK(ev.ident == static_cast<uintptr_t>(sv[0]) && ev.filter == EVFILT_READ && ev.data == 3);
  CHECK((ev.flags & EV_EOF) == 0);
  // Level-triggered: reported again while the data is unread.
  CHECK(poll1(kq, &ev) == 1 && ev.filter == EVFILT_READ);
  char buf[8];
  CHECK(read(sv[0], buf, sizeof(buf)) == 3);
  CHECK(poll1(kq, &ev) == 0);
  close(sv[0]);
  close(sv[1]);
  CLOSE_KQ(kq);
  return true;
}

static bool clearEdge() {
  int kq = kqueue();
  int sv[2];
  CHECK(kq >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_ADD | EV_CLEAR) == 0);
  CHECK(write(sv[1], "abc", 3) == 3);
  struct kevent ev;
  CHECK(poll1(kq, &ev, 1000) == 1 && ev.filter == EVFILT_READ && (ev.flags & EV_CLEAR));
  // EV_CLEAR: not again until new data arrives, although the data is still unread.
  CHECK(poll1(kq, &ev) == 0);
  CHECK(write(sv[1], "d", 1) == 1);
  CHECK(poll1(kq, &ev, 1000) == 1 && ev.filter == EVFILT_READ);
  close(sv[0]);
  close(sv[1]);
  CLOSE_KQ(kq);
  return true;
}

static bool writeFilter() {
  int kq = kqueue();
  int sv[2];
  CHECK(kq >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  // Both filters on one descriptor, each reported on its own.
  CHECK(change(kq, sv[0], EVFILT_WRITE, EV_ADD | EV_CLEAR) == 0);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_ADD | EV_CLEAR) == 0);
  struct kevent evs[4];
  int n = kevent(kq, nullptr, 0, evs, 4, &kZero);
  CHECK(n == 1 && evs[0].filter == EVFILT_WRITE);
  CHECK(write(sv[1], "x", 1) == 1);
  n = kevent(kq, nullptr, 0, evs, 4, &kZero);
  bool sawRead = false;
  for (int i = 0; i < n; i++) sawRead |= evs[i].filter == EVFILT_READ;
  CHECK(sawRead);
  close(sv[0]);
  close(sv[1]);
  CLOSE_KQ(kq);
  return true;
}

static bool disableEnable() {
  int kq = kqueue();
  int sv[2];
  CHECK(kq >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_ADD) == 0);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_DISABLE) == 0);
  CHECK(write(sv[1], "abc", 3) == 3);
  struct kevent ev;
  CHECK(poll1(kq, &ev, 50) == 0);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_ENABLE) == 0);
  CHECK(poll1(kq, &ev, 1000) == 1 && ev.filter == EVFILT_READ && ev.data == 3);
  // EV_ADD with EV_DISABLE registers disabled.
  CHECK(change(kq, sv[0], EVFILT_WRITE, EV_ADD | EV_DISABLE) == 0);
  struct kevent evs[4];
  int n = kevent(kq, nullptr, 0, evs, 4, &kZero);
  for (int i = 0; i < n; i++) CHECK(evs[i].filter != EVFILT_WRITE);
  close(sv[0]);
  close(sv[1]);
  CLOSE_KQ(kq);
  return true;
}

static bool deleteFilter() {
  int kq = kqueue();
  int sv[2];
  CHECK(kq >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_ADD) == 0);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_DELETE) == 0);
  CHECK(write(sv[1], "abc", 3) == 3);
  struct kevent ev;
  CHECK(poll1(kq, &ev, 50) == 0);
  // Deleting what is not there: ENOENT, as -1/errno without room, as EV_ERROR with room.
  CHECK(change(kq, sv[0], EVFILT_READ, EV_DELETE) == -1 && errno == ENOENT);
  struct kevent c;
  EV_SET(&c, sv[0], EVFILT_READ, EV_DELETE, 0, 0, nullptr);
  CHECK(kevent(kq, &c, 1, &ev, 1, &kZero) == 1 && (ev.flags & EV_ERROR) && ev.data == ENOENT);
  close(sv[0]);
  close(sv[1]);
  CLOSE_KQ(kq);
  return true;
}

static bool oneshot() {
  int kq = kqueue();
  int sv[2];
  CHECK(kq >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_ADD | EV_ONESHOT) == 0);
  CHECK(write(sv[1], "abc", 3) == 3);
  struct kevent ev;
  CHECK(poll1(kq, &ev, 1000) == 1 && (ev.flags & EV_ONESHOT));
  CHECK(poll1(kq, &ev) == 0);
  // Gone after it fired: deleting it is ENOENT.
  CHECK(change(kq, sv[0], EVFILT_READ, EV_DELETE) == -1 && errno == ENOENT);
  close(sv[0]);
  close(sv[1]);
  CLOSE_KQ(kq);
  return true;
}

static bool dispatch() {
  int kq = kqueue();
  int sv[2];
  CHECK(kq >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_ADD | EV_DISPATCH) == 0);
  CHECK(write(sv[1], "abc", 3) == 3);
  struct kevent ev;
  CHECK(poll1(kq, &ev, 1000) == 1 && ev.filter == EVFILT_READ);
  // EV_DISPATCH: disabled after delivery, although still readable; EV_ENABLE re-arms it.
  CHECK(poll1(kq, &ev) == 0);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_ENABLE) == 0);
  CHECK(poll1(kq, &ev, 1000) == 1 && ev.filter == EVFILT_READ);
  close(sv[0]);
  close(sv[1]);
  CLOSE_KQ(kq);
  return true;
}

static bool oneAtATime() {
  int kq = kqueue();
  int sv[2];
  CHECK(kq >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(write(sv[1], "abc", 3) == 3);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_ADD | EV_CLEAR) == 0);
  CHECK(change(kq, sv[0], EVFILT_WRITE, EV_ADD | EV_CLEAR) == 0);
  // Room for one event at a time: both filters' events still arrive, one per call, none lost.
  struct kevent a, b, c;
  CHECK(poll1(kq, &a, 1000) == 1);
  CHECK(poll1(kq, &b, 1000) == 1);
  CHECK(a.filter != b.filter);
  CHECK(poll1(kq, &c) == 0);
  close(sv[0]);
  close(sv[1]);
  CLOSE_KQ(kq);
  return true;
}

static bool errorOnBadFd() {
  int kq = kqueue();
  CHECK(kq >= 0);
  struct kevent c[2], out[2];
  EV_SET(&c[0], 100000, EVFILT_READ, EV_ADD, 0, 0, nullptr);
  EV_SET(&c[1], 100001, EVFILT_WRITE, EV_ADD, 0, 0, nullptr);
  int n = kevent(kq, c, 2, out, 2, &kZero);
  CHECK(n == 2);
  CHECK((out[0].flags & EV_ERROR) && out[0].data == EBADF && out[0].ident == 100000);
  CHECK((out[1].flags & EV_ERROR) && out[1].data == EBADF && out[1].ident == 100001);
  // Without room for the error: -1 and errno.
  CHECK(kevent(kq, c, 1, nullptr, 0, nullptr) == -1 && errno == EBADF);
  // kevent on something that is not a kqueue.
  CHECK(kevent(100000, nullptr, 0, out, 1, &kZero) == -1 && errno == EBADF);
  // An unknown filter.
  EV_SET(&c[0], 0, -99, EV_ADD, 0, 0, nullptr);
  CHECK(kevent(kq, c, 1, out, 1, &kZero) == 1 && (out[0].flags & EV_ERROR) && out[0].data == EINVAL);
  CLOSE_KQ(kq);
  return true;
}

static bool receipt() {
  int kq = kqueue();
  int sv[2];
  CHECK(kq >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(write(sv[1], "abc", 3) == 3);
  struct kevent c, out;
  EV_SET(&c, sv[0], EVFILT_READ, EV_ADD | EV_RECEIPT, 0, 0, nullptr);
  // EV_RECEIPT: the change is acknowledged (EV_ERROR, data 0) and no pending event is drained.
  CHECK(kevent(kq, &c, 1, &out, 1, &kZero) == 1 && (out.flags & EV_ERROR) && out.data == 0);
  CHECK(poll1(kq, &out, 1000) == 1 && out.filter == EVFILT_READ && !(out.flags & EV_ERROR));
  close(sv[0]);
  close(sv[1]);
  CLOSE_KQ(kq);
  return true;
}

static bool eofOnPeerClose() {
  int kq = kqueue();
  int sv[2];
  CHECK(kq >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_ADD | EV_CLEAR) == 0);
  struct kevent ev;
  CHECK(poll1(kq, &ev) == 0);
  CHECK(shutdown(sv[1], SHUT_WR) == 0);  // half-close: EOF for reads
  CHECK(poll1(kq, &ev, 1000) == 1 && ev.filter == EVFILT_READ && (ev.flags & EV_EOF));
  close(sv[1]);
  close(sv[0]);
  // A pipe: the read end sees EV_EOF when the writer closes, the write end when the reader closes.
  int p[2], q[2];
  CHECK(pipe(p) == 0 && pipe(q) == 0);
  CHECK(change(kq, p[0], EVFILT_READ, EV_ADD) == 0);
  CHECK(change(kq, q[1], EVFILT_WRITE, EV_ADD | EV_CLEAR) == 0);
  struct kevent evs[4];
  int n = kevent(kq, nullptr, 0, evs, 4, &kZero);
  CHECK(n == 1 && evs[0].filter == EVFILT_WRITE && !(evs[0].flags & EV_EOF));
  close(p[1]);
  close(q[0]);
  n = kevent(kq, nullptr, 0, evs, 4, &kZero);
  CHECK(n == 2);
  for (int i = 0; i < n; i++) CHECK(evs[i].flags & EV_EOF);
  close(p[0]);
  close(q[1]);
  CLOSE_KQ(kq);
  return true;
}

static bool userEvent() {
  int kq = kqueue();
  CHECK(kq >= 0);
  CHECK(change(kq, 7, EVFILT_USER, EV_ADD | EV_CLEAR) == 0);
  struct kevent ev;
  CHECK(poll1(kq, &ev) == 0);
  // Three triggers before a wait: one event (EV_CLEAR resets it).
  for (int i = 0; i < 3; i++) CHECK(change(kq, 7, EVFILT_USER, 0, NOTE_TRIGGER | NOTE_FFOR | 0x5) == 0);
  CHECK(poll1(kq, &ev) == 1 && ev.ident == 7 && ev.filter == EVFILT_USER && (ev.fflags & NOTE_FFLAGSMASK) == 0x5);
  CHECK(poll1(kq, &ev) == 0);
  // From another thread, while this one waits.
  std::thread t([kq] {
    usleep(20000);
    change(kq, 7, EVFILT_USER, 0, NOTE_TRIGGER);
  });
  double start = nowMs();
  int n = poll1(kq, &ev, 5000);
  t.join();
  CHECK(n == 1 && ev.ident == 7 && nowMs() - start < 4000);
  // Triggering an unknown user event: ENOENT.
  CHECK(change(kq, 8, EVFILT_USER, 0, NOTE_TRIGGER) == -1 && errno == ENOENT);
  CLOSE_KQ(kq);
  return true;
}

static bool timers() {
  int kq = kqueue();
  CHECK(kq >= 0);
  struct kevent ev;
  double start = nowMs();
  CHECK(change(kq, 1, EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_USECONDS, 30000) == 0);
  CHECK(poll1(kq, &ev, 2000) == 1 && ev.ident == 1 && ev.filter == EVFILT_TIMER && ev.data == 1);
  double took = nowMs() - start;
  CHECK(took >= 29.5 && took < 1000);
  CHECK(poll1(kq, &ev, 60) == 0);  // one shot
  // Periodic, in milliseconds (no unit flag): expirations accumulate in data.
  CHECK(change(kq, 2, EVFILT_TIMER, EV_ADD, 0, 10) == 0);
  usleep(55000);
  CHECK(poll1(kq, &ev, 1000) == 1 && ev.ident == 2 && ev.data >= 3);  // 5 due; macOS may coalesce one
  CHECK(poll1(kq, &ev, 1000) == 1 && ev.ident == 2 && ev.data >= 1);
  CHECK(change(kq, 2, EVFILT_TIMER, EV_DELETE) == 0);
  CHECK(poll1(kq, &ev, 40) == 0);
  // A deleted one-shot timer that already fired: ENOENT.
  CHECK(change(kq, 1, EVFILT_TIMER, EV_DELETE) == -1 && errno == ENOENT);
  CLOSE_KQ(kq);
  return true;
}

static bool procExit() {
  int kq = kqueue();
  CHECK(kq >= 0);
  pid_t pid;
  char* argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"), const_cast<char*>("sleep 0.05; exit 3"), nullptr};
  CHECK(posix_spawnp(&pid, "sh", nullptr, nullptr, argv, environ) == 0);
#ifdef NOTE_EXITSTATUS
  const uint32_t exitNote = NOTE_EXIT | NOTE_EXITSTATUS;  // macOS reports the status only when asked
#else
  const uint32_t exitNote = NOTE_EXIT;
#endif
  CHECK(change(kq, pid, EVFILT_PROC, EV_ADD, exitNote) == 0);
  struct kevent ev;
  CHECK(poll1(kq, &ev, 5000) == 1 && ev.ident == static_cast<uintptr_t>(pid) && ev.filter == EVFILT_PROC);
  CHECK((ev.fflags & NOTE_EXIT) && (ev.flags & EV_EOF));
  CHECK(WIFEXITED(static_cast<int>(ev.data)) && WEXITSTATUS(static_cast<int>(ev.data)) == 3);
  // The event did not reap the child: waitpid still does.
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 3);
  // A process that does not exist: ESRCH.
  CHECK(change(kq, pid, EVFILT_PROC, EV_ADD, exitNote) == -1 && errno == ESRCH);
  CLOSE_KQ(kq);
  return true;
}

static bool kqueueIsPollable() {
  int kq = kqueue();
  int sv[2];
  CHECK(kq >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(change(kq, sv[0], EVFILT_READ, EV_ADD | EV_CLEAR) == 0);
  pollfd p{kq, POLLIN, 0};
  CHECK(poll(&p, 1, 0) == 0);
  CHECK(write(sv[1], "x", 1) == 1);
  CHECK(poll(&p, 1, 1000) == 1 && (p.revents & POLLIN));
  // A kqueue inside a kqueue: the inner one's readiness is a read event on the outer.
  int outer = kqueue();
  CHECK(change(outer, kq, EVFILT_READ, EV_ADD | EV_CLEAR) == 0);
  struct kevent ev;
  CHECK(poll1(outer, &ev, 1000) == 1 && ev.ident == static_cast<uintptr_t>(kq));
  CLOSE_KQ(outer);
  close(sv[0]);
  close(sv[1]);
  CLOSE_KQ(kq);
  return true;
}

static bool regularFile() {
  int kq = kqueue();
  char path[] = "/tmp/xev-kqueue-emul-XXXXXX";
  int fd = mkstemp(path);
  CHECK(kq >= 0 && fd >= 0);
  unlink(path);
  CHECK(write(fd, "hello", 5) == 5 && lseek(fd, 1, SEEK_SET) == 1);
  CHECK(change(kq, fd, EVFILT_READ, EV_ADD) == 0);
  struct kevent ev;
  CHECK(poll1(kq, &ev) == 1 && ev.ident == static_cast<uintptr_t>(fd) && ev.data == 4);
  CHECK(poll1(kq, &ev) == 1);  // level: always
  close(fd);
  CLOSE_KQ(kq);
  return true;
}

int main() {
  signal(SIGPIPE, SIG_IGN);
  run("EVFILT_READ level-triggered: reported while data is unread, with the byte count", readLevel);
  run("EV_CLEAR: reported once per arrival", clearEdge);
  run("EVFILT_WRITE beside EVFILT_READ on one descriptor", writeFilter);
  run("EV_DISABLE and EV_ENABLE", disableEnable);
  run("EV_DELETE, and ENOENT for a filter that is not there", deleteFilter);
  run("EV_ONESHOT: reported once, then gone", oneshot);
  run("EV_DISPATCH: disabled after delivery until EV_ENABLE", dispatch);
  run("an event list with room for one: both filters of a descriptor arrive, one per call", oneAtATime);
  run("EV_ERROR: EBADF for a bad descriptor, EINVAL for an unknown filter, -1 without room", errorOnBadFd);
  run("EV_RECEIPT acknowledges changes without draining events", receipt);
  run("EV_EOF on a socket's peer shutdown and on both ends of a pipe", eofOnPeerClose);
  run("EVFILT_USER: NOTE_TRIGGER coalesces under EV_CLEAR, works from another thread", userEvent);
  run("EVFILT_TIMER: one-shot in microseconds no earlier than asked, periodic in milliseconds", timers);
  run("EVFILT_PROC NOTE_EXIT: exit status in data, child left to reap, ESRCH for no process", procExit);
  run("the kqueue descriptor is pollable, and nests in another kqueue", kqueueIsPollable);
  run("a regular file is always readable, with the bytes left to read", regularFile);
  return failures == 0 ? 0 : 1;
}
