/**
 * The shared-memory layout between the loop and a backend, defined once.
 *
 * The loop stages operations in a `Float64Array` submission queue (SQ) and hands the backend the count in
 * one call per tick; the backend writes completions into a `Float64Array` completion queue (CQ). Every
 * field is a double so that 64-bit file offsets and millisecond deadlines fit without BigInt. Objects that
 * cannot live in a typed array (the data buffer, and an auxiliary buffer holding an address, a path or a
 * stat record) travel in a parallel array, two slots per submission entry.
 *
 * `native/include/xev/layout.h` is generated from this file by `scripts/gen-layout-header.mjs`, and a
 * test checks that the two agree.
 */

/** Field indices of one submission entry. `stride` is the entry size, in doubles. */
export const Sqe = {
  /** An {@link OpCode}. */
  op: 0,
  /** The loop's slot number of the completion; the backend echoes it in the CQE. */
  slot: 1,
  /** The handle the operation acts on (a file descriptor on native backends). */
  handle: 2,
  /** Operation-specific: file offset (pread, pwrite), open flags, shutdown direction, poll events. */
  arg0: 3,
  /** Operation-specific: open mode. */
  arg1: 4,
  /** For `cancel`: the slot of the target operation. */
  target: 5,
  stride: 6,
} as const;

/** Field indices of one completion entry. */
export const Cqe = {
  slot: 0,
  /** `>= 0` success (bytes, a new handle, an exit code), negative errno on failure. */
  result: 1,
  /** A second result: the terminating signal for `process_wait`, otherwise 0. */
  aux: 2,
  stride: 3,
} as const;

/** Objects per submission entry in the parallel object array: the data buffer and the auxiliary buffer. */
export const SQE_OBJECTS = 2;

/**
 * Operation codes. Ops below `firstBackendOp` are carried out by the loop itself (timers, thread-pool
 * results) and never reach a backend.
 */
export const OpCode = {
  // Loop-level operations.
  timer: 0,
  timerReset: 1,
  work: 2,
  // Backend operations.
  nop: 8,
  cancel: 9,
  asyncWait: 10,
  processWait: 11,
  open: 12,
  read: 13,
  write: 14,
  pread: 15,
  pwrite: 16,
  fsync: 17,
  close: 18,
  stat: 19,
  accept: 20,
  connect: 21,
  recv: 22,
  send: 23,
  recvfrom: 24,
  sendto: 25,
  shutdown: 26,
  poll: 27,
} as const;
export type OpCode = (typeof OpCode)[keyof typeof OpCode];

/** The first opcode that goes to a backend. */
export const FIRST_BACKEND_OP = OpCode.nop;

/** Human-readable opcode names, for errors and test titles. */
export const opName: Record<number, string> = Object.fromEntries(
  Object.entries(OpCode).map(([name, code]) => [code, name]),
);

/**
 * A socket address in 28 bytes, independent of the platform's `sockaddr`: family (4 or 6) at byte 0,
 * port big-endian at bytes 2-3, the address at bytes 4-19 (IPv4 uses 4-7), the IPv6 scope id little-endian
 * at bytes 20-23. Native backends translate it to `sockaddr_in`/`sockaddr_in6`.
 */
export const Addr = { family: 0, port: 2, address: 4, scope: 20, size: 28 } as const;

/** Slots of the `Float64Array` a `stat` operation fills. Times are milliseconds since the epoch. */
export const Stat = {
  dev: 0,
  ino: 1,
  mode: 2,
  nlink: 3,
  uid: 4,
  gid: 5,
  rdev: 6,
  size: 7,
  blksize: 8,
  blocks: 9,
  atimeMs: 10,
  mtimeMs: 11,
  ctimeMs: 12,
  birthtimeMs: 13,
  count: 14,
} as const;

/** `poll` event bits (the values of POLLIN and POLLOUT on Linux, macOS and FreeBSD). */
export const PollEvent = { readable: 0x1, writable: 0x4, error: 0x8, hangup: 0x10 } as const;

/** `shutdown` directions (SHUT_RD, SHUT_WR, SHUT_RDWR). */
export const ShutdownHow = { read: 0, write: 1, both: 2 } as const;

/** Portable `open` flags; native backends translate them to the platform's O_* values. */
export const OpenFlag = {
  read: 0x0,
  write: 0x1,
  readWrite: 0x2,
  create: 0x40,
  exclusive: 0x80,
  truncate: 0x200,
  append: 0x400,
} as const;

/** Socket options for `setsockopt`. */
export const SockOpt = {
  noDelay: 1,
  keepAlive: 2,
  reuseAddr: 3,
  reusePort: 4,
  recvBufferSize: 5,
  sendBufferSize: 6,
} as const;

/** Socket kinds for `socket`. */
export const SockType = { stream: 1, dgram: 2 } as const;
