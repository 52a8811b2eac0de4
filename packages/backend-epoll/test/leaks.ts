import { readdirSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';

/** The process's open descriptors with what they point at (sockets, pipes, files, anon inodes). */
function openFds(): Map<string, string> {
  const fds = new Map<string, string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      fds.set(fd, readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // Closed between readdir and readlink (the directory handle itself).
    }
  }
  return fds;
}

/**
 * Registers a check that the test file leaves no descriptor behind: every socket, eventfd, pidfd, epoll
 * and timerfd the backend opened for it is closed by the end (STYLE: every test proves what it left).
 */
export function expectNoLeakedDescriptors(): void {
  let before: Map<string, string>;
  beforeAll(() => {
    before = openFds();
  });
  afterAll(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50)); // let libuv finish closing Node's own handles
    const leaked = [...openFds()].filter(([fd, target]) => before.get(fd) !== target && !target.startsWith('/proc/'));
    expect(leaked).toEqual([]);
  });
}
