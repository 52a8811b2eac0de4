// A kqueue(2) emulation on Linux, for testing @xev/backend-kqueue only. It is on the include path only when
// binding.gyp builds with -DXEV_KQUEUE_EMULATED (Linux), so `#include <sys/event.h>` finds this file there
// and the system's header on macOS and FreeBSD. The kqueue descriptor is an epoll descriptor, so libuv
// (and any other poller) can watch it; filters map onto epoll, eventfd (EVFILT_USER), timerfd
// (EVFILT_TIMER) and pidfd (EVFILT_PROC). What it does not do, and where it differs from a real kqueue, is
// listed in the package README ("The kqueue emulation"). Constant values follow FreeBSD's.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kevent {
  uintptr_t ident;  // a descriptor, a process id, a timer or user-event number
  int16_t filter;   // EVFILT_*
  uint16_t flags;   // EV_*
  uint32_t fflags;  // filter flags (NOTE_*)
  int64_t data;     // filter data: bytes readable, timer expirations, exit status, error number
  void* udata;      // opaque, returned as given
};

#define EV_SET(kevp, a, b, c, d, e, f) \
  do {                                 \
    struct kevent* ev__ = (kevp);      \
    ev__->ident = (a);                 \
    ev__->filter = (b);                \
    ev__->flags = (c);                 \
    ev__->fflags = (d);                \
    ev__->data = (e);                  \
    ev__->udata = (f);                 \
  } while (0)

// Filters. Only READ, WRITE, PROC, TIMER and USER are emulated; the others are refused with EINVAL.
#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)
#define EVFILT_AIO (-3)
#define EVFILT_VNODE (-4)
#define EVFILT_PROC (-5)
#define EVFILT_SIGNAL (-6)
#define EVFILT_TIMER (-7)
#define EVFILT_USER (-11)

// Actions and flags.
#define EV_ADD 0x0001
#define EV_DELETE 0x0002
#define EV_ENABLE 0x0004
#define EV_DISABLE 0x0008
#define EV_ONESHOT 0x0010
#define EV_CLEAR 0x0020
#define EV_RECEIPT 0x0040
#define EV_DISPATCH 0x0080
#define EV_ERROR 0x4000
#define EV_EOF 0x8000

// EVFILT_USER.
#define NOTE_FFNOP 0x00000000
#define NOTE_FFAND 0x40000000
#define NOTE_FFOR 0x80000000
#define NOTE_FFCOPY 0xc0000000
#define NOTE_FFCTRLMASK 0xc0000000
#define NOTE_FFLAGSMASK 0x00ffffff
#define NOTE_TRIGGER 0x01000000

// EVFILT_PROC: only NOTE_EXIT.
#define NOTE_EXIT 0x80000000

// EVFILT_TIMER units (milliseconds when none is given).
#define NOTE_SECONDS 0x00000001
#define NOTE_MSECONDS 0x00000002
#define NOTE_USECONDS 0x00000004
#define NOTE_NSECONDS 0x00000008

/** A new kqueue: really an epoll descriptor (close-on-exec). -1 and errno on failure. */
int kqueue(void);

/** Applies `changelist`, then collects up to `nevents` events, waiting at most `timeout` (NULL: forever). */
int kevent(int kq, const struct kevent* changelist, int nchanges, struct kevent* eventlist, int nevents,
           const struct timespec* timeout);

/**
 * Closes a kqueue made by kqueue(), with everything it holds (the eventfds, timerfds and pidfds behind its
 * filters). Not part of the kqueue API: a real kqueue is closed with close(2), which the emulation cannot
 * observe. Closing an emulated kqueue with close(2) alone leaks those descriptors until its number is reused.
 */
int kqueue_emul_close(int kq);

/**
 * Whether `fd` is one of the emulation's hidden descriptors (the eventfd, timerfd or pidfd behind a filter).
 * Not part of the kqueue API: a real kqueue has no such descriptors, so a program that closes or writes
 * to any descriptor number it is handed (the backend's fuzz test does) must refuse these. Lock-free.
 */
int kqueue_emul_owns(int fd);

#ifdef __cplusplus
}
#endif
