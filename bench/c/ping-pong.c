/* ping-pongs in C, libxev's constants: one connection (or N), "PING\n" echoed until PINGS round trips.
 * usage: ping-pong io_uring|epoll PINGS CONNECTIONS   -> prints round trips per second.
 * The echo server is a forked process on the same mechanism, as the xev and Node runs use a child. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include "uring.h"

#define MAXC 1024
static char bufs[MAXC][4096];
static const char PING[] = "PING\n";

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* The echo server: accepts `conns` connections, echoes until each reaches EOF. */
static void serve_uring(int lfd, int conns) {
  struct ring r;
  ring_init(&r, 4096);
  int fds[MAXC];
  for (int i = 0; i < conns; i++) {
    fds[i] = accept(lfd, 0, 0);
    nodelay(fds[i]);
    struct io_uring_sqe *s = ring_sqe(&r);
    s->opcode = IORING_OP_RECV; s->fd = fds[i]; s->addr = (unsigned long)bufs[i]; s->len = 4096; s->user_data = (unsigned)i;
  }
  int open = conns;
  while (open > 0) {
    ring_enter(&r, 1);
    RING_REAP(&r, ud, res, {
      int i = (int)(ud & 0xffff);
      if (ud >> 32) continue; /* a send completed */
      if (res <= 0) { close(fds[i]); open--; continue; }
      struct io_uring_sqe *s = ring_sqe(&r);
      s->opcode = IORING_OP_SEND; s->fd = fds[i]; s->addr = (unsigned long)bufs[i]; s->len = (unsigned)res; s->user_data = (1ULL << 32) | (unsigned)i;
      s->flags = IOSQE_IO_LINK; /* the next recv waits for the echo: they share the buffer */
      s = ring_sqe(&r);
      s->opcode = IORING_OP_RECV; s->fd = fds[i]; s->addr = (unsigned long)bufs[i]; s->len = 4096; s->user_data = (unsigned)i;
    });
  }
  exit(0);
}

static void serve_epoll(int lfd, int conns) {
  int ep = epoll_create1(0);
  for (int i = 0; i < conns; i++) {
    int fd = accept(lfd, 0, 0);
    nodelay(fd);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  int open = conns;
  struct epoll_event evs[256];
  char buf[4096];
  while (open > 0) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int k = 0; k < n; k++) {
      int fd = evs[k].data.fd;
      ssize_t got = read(fd, buf, sizeof buf);
      if (got <= 0) { close(fd); open--; continue; }
      if (write(fd, buf, (size_t)got) < 0) die("write");
    }
  }
  exit(0);
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: ping-pong io_uring|epoll PINGS CONNECTIONS\n"); return 2; }
  int uring = strcmp(argv[1], "io_uring") == 0;
  long pings = atol(argv[2]);
  int conns = atoi(argv[3]);
  if (conns > MAXC) conns = MAXC;
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof a;
  if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 1024)) die("bind/listen");
  getsockname(lfd, (struct sockaddr *)&a, &alen);
  pid_t child = fork();
  if (child == 0) uring ? serve_uring(lfd, conns) : serve_epoll(lfd, conns);
  int fds[MAXC];
  for (int i = 0; i < conns; i++) {
    fds[i] = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fds[i], (struct sockaddr *)&a, sizeof a)) die("connect");
    nodelay(fds[i]);
  }
  long pongs = 0;
  int state[MAXC] = {0};
  double t0 = now();
  if (uring) {
    struct ring r;
    ring_init(&r, 4096);
    for (int i = 0; i < conns; i++) {
      struct io_uring_sqe *s = ring_sqe(&r);
      s->opcode = IORING_OP_SEND; s->fd = fds[i]; s->addr = (unsigned long)PING; s->len = 5; s->user_data = (1ULL << 32) | (unsigned)i;
      s = ring_sqe(&r);
      s->opcode = IORING_OP_RECV; s->fd = fds[i]; s->addr = (unsigned long)bufs[i]; s->len = 4096; s->user_data = (unsigned)i;
    }
    int open = conns;
    while (open > 0) {
      ring_enter(&r, 1);
      RING_REAP(&r, ud, res, {
        int i = (int)(ud & 0xffff);
        if (ud >> 32) continue;
        if (res <= 0) die("recv");
        int more = 1;
        for (int k = 0; k < res; k++) {
          state[i] = (state[i] + 1) % 5;
          if (state[i] == 0) {
            if (++pongs >= pings) { more = 0; break; }
            struct io_uring_sqe *s = ring_sqe(&r);
            s->opcode = IORING_OP_SEND; s->fd = fds[i]; s->addr = (unsigned long)PING; s->len = 5; s->user_data = (1ULL << 32) | (unsigned)i;
          }
        }
        if (!more) { open = 0; break; }
        struct io_uring_sqe *s = ring_sqe(&r);
        s->opcode = IORING_OP_RECV; s->fd = fds[i]; s->addr = (unsigned long)bufs[i]; s->len = 4096; s->user_data = (unsigned)i;
      });
    }
  } else {
    int ep = epoll_create1(0);
    for (int i = 0; i < conns; i++) {
      struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)i};
      epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
      if (write(fds[i], PING, 5) != 5) die("write");
    }
    struct epoll_event evs[256];
    while (pongs < pings) {
      int n = epoll_wait(ep, evs, 256, -1);
      for (int k = 0; k < n && pongs < pings; k++) {
        int i = (int)evs[k].data.u32;
        ssize_t got = read(fds[i], bufs[i], 4096);
        if (got <= 0) die("read");
        for (ssize_t j = 0; j < got; j++) {
          state[i] = (state[i] + 1) % 5;
          if (state[i] == 0 && ++pongs < pings && write(fds[i], PING, 5) != 5) die("write");
        }
      }
    }
  }
  double elapsed = now() - t0;
  for (int i = 0; i < conns; i++) close(fds[i]);
  waitpid(child, 0, 0);
  printf("{\"pongs\":%ld,\"rate\":%.1f}\n", pongs, pongs / elapsed);
  return 0;
}
