/**
 * `@xev/fs`: files on the xev loop — libxev's `File` watcher (open, read, write, pread, pwrite, fsync,
 * stat, close, and ordered `queueWrite` / `queuePWrite`) and a Promise API (`open` → {@link FileHandle}).
 * It runs on whichever backend the loop has: io_uring natively, epoll and kqueue on the backend's thread
 * pool, anywhere on the portable backend.
 *
 * @packageDocumentation
 */
export { File } from './file.js';
export { WriteQueue, WriteRequest, type WriteCallback } from '@xev/core';
export { open, FileHandle, type OpenOptions } from './promises.js';
export { Stats } from './stats.js';
export { parseOpenFlags, type OpenFlags } from './flags.js';
