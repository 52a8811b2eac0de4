// One function per xev opcode: how its SQE is prepared from the loop's entry, and how its CQE becomes the
// loop's completion. The semantics are the table in docs/backend-authors.md.
#pragma once

#include <stdint.h>

#include "engine.h"

namespace xev::iouring {

struct Ops {
  // Prepares the SQE(s) for `in` on slot `s`. Returns 0 once the operation is in flight (or deferred),
  // or a negative errno to complete it at once with that result.
  static int Prepare(Engine& e, const OpInput& in, Slot& s);
  // Turns a CQE into the loop's result. Returns false if the operation is not finished (it re-armed
  // itself, or it is a cancel waiting for its target).
  static bool Complete(Engine& e, uint32_t id, Slot& s, int32_t* res, int32_t* aux);

 private:
  static int Begin(Engine& e, const OpInput& in, uint8_t opcode, io_uring_sqe** out);
  static int Nop(Engine& e, const OpInput& in, Slot& s);
  static int Cancel(Engine& e, const OpInput& in, Slot& s);
  static int AsyncWait(Engine& e, const OpInput& in, Slot& s);
  static int ProcessWait(Engine& e, const OpInput& in, Slot& s);
  static int Open(Engine& e, const OpInput& in, Slot& s);
  static int ReadWrite(Engine& e, const OpInput& in, Slot& s);
  static int Fsync(Engine& e, const OpInput& in, Slot& s);
  static int Close(Engine& e, const OpInput& in, Slot& s);
  static int Stat(Engine& e, const OpInput& in, Slot& s);
  static int Accept(Engine& e, const OpInput& in, Slot& s);
  static int Connect(Engine& e, const OpInput& in, Slot& s);
  static int RecvSend(Engine& e, const OpInput& in, Slot& s);
  static int RecvFromSendTo(Engine& e, const OpInput& in, Slot& s);
  static int Shutdown(Engine& e, const OpInput& in, Slot& s);
  static int Poll(Engine& e, const OpInput& in, Slot& s);
  static bool Rearm(Engine& e, uint32_t id, Slot& s, int32_t* res);
};

}  // namespace xev::iouring
