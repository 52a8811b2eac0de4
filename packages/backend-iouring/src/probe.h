// Can io_uring run here, and with which features? Asked once per process; never throws, never kills.
#pragma once

#include <string>

namespace xev::iouring {

struct ProbeReport {
  bool ok = false;
  int err = 0;  // positive errno when !ok
  std::string message, fix, detail;
  // Kernel support for io_uring-only features (what the kernel offers, not what the contract uses yet).
  bool multishotAccept = false, multishotRecv = false, providedBufferRing = false, registeredBuffers = false,
       zeroCopySend = false, sqpoll = false;
};

// The cached report; thread-safe (workers load the addon too).
const ProbeReport& Probe();

}  // namespace xev::iouring
