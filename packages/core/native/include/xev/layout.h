// Generated from packages/core/src/backend/layout.ts by scripts/gen-layout-header.mjs. Do not edit.
#pragma once

namespace xev {

constexpr int kSqe_OP = 0;
constexpr int kSqe_SLOT = 1;
constexpr int kSqe_HANDLE = 2;
constexpr int kSqe_ARG0 = 3;
constexpr int kSqe_ARG1 = 4;
constexpr int kSqe_TARGET = 5;
constexpr int kSqe_STRIDE = 6;

constexpr int kCqe_SLOT = 0;
constexpr int kCqe_RESULT = 1;
constexpr int kCqe_AUX = 2;
constexpr int kCqe_STRIDE = 3;

constexpr int kOpCode_TIMER = 0;
constexpr int kOpCode_TIMER_RESET = 1;
constexpr int kOpCode_WORK = 2;
constexpr int kOpCode_NOP = 8;
constexpr int kOpCode_CANCEL = 9;
constexpr int kOpCode_ASYNC_WAIT = 10;
constexpr int kOpCode_PROCESS_WAIT = 11;
constexpr int kOpCode_OPEN = 12;
constexpr int kOpCode_READ = 13;
constexpr int kOpCode_WRITE = 14;
constexpr int kOpCode_PREAD = 15;
constexpr int kOpCode_PWRITE = 16;
constexpr int kOpCode_FSYNC = 17;
constexpr int kOpCode_CLOSE = 18;
constexpr int kOpCode_STAT = 19;
constexpr int kOpCode_ACCEPT = 20;
constexpr int kOpCode_CONNECT = 21;
constexpr int kOpCode_RECV = 22;
constexpr int kOpCode_SEND = 23;
constexpr int kOpCode_RECVFROM = 24;
constexpr int kOpCode_SENDTO = 25;
constexpr int kOpCode_SHUTDOWN = 26;
constexpr int kOpCode_POLL = 27;

constexpr int kAddr_FAMILY = 0;
constexpr int kAddr_PORT = 2;
constexpr int kAddr_ADDRESS = 4;
constexpr int kAddr_SCOPE = 20;
constexpr int kAddr_SIZE = 28;

constexpr int kStat_DEV = 0;
constexpr int kStat_INO = 1;
constexpr int kStat_MODE = 2;
constexpr int kStat_NLINK = 3;
constexpr int kStat_UID = 4;
constexpr int kStat_GID = 5;
constexpr int kStat_RDEV = 6;
constexpr int kStat_SIZE = 7;
constexpr int kStat_BLKSIZE = 8;
constexpr int kStat_BLOCKS = 9;
constexpr int kStat_ATIME_MS = 10;
constexpr int kStat_MTIME_MS = 11;
constexpr int kStat_CTIME_MS = 12;
constexpr int kStat_BIRTHTIME_MS = 13;
constexpr int kStat_COUNT = 14;

constexpr int kPollEvent_READABLE = 1;
constexpr int kPollEvent_WRITABLE = 4;
constexpr int kPollEvent_ERROR = 8;
constexpr int kPollEvent_HANGUP = 16;

constexpr int kShutdownHow_READ = 0;
constexpr int kShutdownHow_WRITE = 1;
constexpr int kShutdownHow_BOTH = 2;

constexpr int kOpenFlag_READ = 0;
constexpr int kOpenFlag_WRITE = 1;
constexpr int kOpenFlag_READ_WRITE = 2;
constexpr int kOpenFlag_CREATE = 64;
constexpr int kOpenFlag_EXCLUSIVE = 128;
constexpr int kOpenFlag_TRUNCATE = 512;
constexpr int kOpenFlag_APPEND = 1024;

constexpr int kSockOpt_NO_DELAY = 1;
constexpr int kSockOpt_KEEP_ALIVE = 2;
constexpr int kSockOpt_REUSE_ADDR = 3;
constexpr int kSockOpt_REUSE_PORT = 4;
constexpr int kSockOpt_RECV_BUFFER_SIZE = 5;
constexpr int kSockOpt_SEND_BUFFER_SIZE = 6;

constexpr int kSockType_STREAM = 1;
constexpr int kSockType_DGRAM = 2;

constexpr int kSqeObjects = 2;
constexpr int kContractVersion = 1;

}  // namespace xev
