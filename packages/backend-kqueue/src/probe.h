// The backend's self-check, as data for the registry.
#pragma once

#include <string>

namespace xev_kqueue {

struct ProbeResult {
  bool ok = false;
  int err = 0;           // positive errno when refused
  std::string message;
  std::string fix;
  std::string detail;
};

ProbeResult probe();

}  // namespace xev_kqueue
