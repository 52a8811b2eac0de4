import { Addr, OpCode, opName, Stat } from '../backend/layout.js';
import type { Completion } from '../completion.js';
import { XevUsageError } from '../errors.js';

/** What each backend operation needs besides its opcode. */
const enum Needs {
  None = 0,
  Handle = 1,
  Buffer = 2,
  Address = 4,
  Path = 8,
  StatOut = 16,
  Target = 32,
}

const needs: Record<number, number> = {
  [OpCode.timer]: Needs.None,
  [OpCode.timerReset]: Needs.Target,
  [OpCode.work]: Needs.None,
  [OpCode.nop]: Needs.None,
  [OpCode.cancel]: Needs.Target,
  [OpCode.asyncWait]: Needs.Handle,
  [OpCode.processWait]: Needs.Handle,
  [OpCode.open]: Needs.Path,
  [OpCode.read]: Needs.Handle | Needs.Buffer,
  [OpCode.write]: Needs.Handle | Needs.Buffer,
  [OpCode.pread]: Needs.Handle | Needs.Buffer,
  [OpCode.pwrite]: Needs.Handle | Needs.Buffer,
  [OpCode.fsync]: Needs.Handle,
  [OpCode.close]: Needs.Handle,
  [OpCode.stat]: Needs.Handle | Needs.StatOut,
  [OpCode.accept]: Needs.Handle,
  [OpCode.connect]: Needs.Handle | Needs.Address,
  [OpCode.recv]: Needs.Handle | Needs.Buffer,
  [OpCode.send]: Needs.Handle | Needs.Buffer,
  [OpCode.recvfrom]: Needs.Handle | Needs.Buffer | Needs.Address,
  [OpCode.sendto]: Needs.Handle | Needs.Buffer | Needs.Address,
  [OpCode.shutdown]: Needs.Handle,
  [OpCode.poll]: Needs.Handle,
};

function fail(c: Completion<any>, what: string): never {
  throw new XevUsageError(`${opName[c.op] ?? `op ${c.op}`}: ${what}`);
}

/** A view whose buffer was transferred or detached reads as zero-length over a zero-length buffer. */
function isEmptyOrDetached(view: ArrayBufferView): boolean {
  return view.byteLength === 0 && view.buffer.byteLength === 0;
}

/**
 * Checks a completion before the loop accepts it, so that malformed input is a clear synchronous error
 * and never reaches a backend (where it could become a crash or a corrupted loop).
 */
export function validateOperation(c: Completion<any>): void {
  // Fast path for the commonest operation: a well-formed timer.
  if (c.op === OpCode.timer && typeof c.arg0 === 'number' && c.arg0 >= 0 && c.arg0 < Infinity && (c.callback === null || typeof c.callback === 'function')) {
    return;
  }
  const need = needs[c.op];
  if (need === undefined) fail(c, `unknown opcode ${String(c.op)}`);
  if (c.callback !== null && typeof c.callback !== 'function') fail(c, 'the callback must be a function');
  if (c.op === OpCode.timer || c.op === OpCode.timerReset) {
    if (typeof c.arg0 !== 'number' || !Number.isFinite(c.arg0) || c.arg0 < 0) {
      fail(c, `the delay must be a finite number of milliseconds >= 0, not ${String(c.arg0)}`);
    }
  } else if (typeof c.arg0 !== 'number' || Number.isNaN(c.arg0) || typeof c.arg1 !== 'number' || Number.isNaN(c.arg1)) {
    fail(c, 'arguments must be numbers');
  }
  if (need & Needs.Handle && !(Number.isInteger(c.handle) && c.handle >= 0)) {
    fail(c, `needs a handle (a non-negative integer), not ${String(c.handle)}`);
  }
  if (need & Needs.Buffer) {
    if (!ArrayBuffer.isView(c.buffer)) fail(c, 'the buffer must be a Buffer, TypedArray or DataView');
    if (isEmptyOrDetached(c.buffer)) fail(c, 'the buffer is empty or detached');
  }
  if (need & Needs.Address && !(c.aux instanceof Uint8Array && c.aux.byteLength >= Addr.size)) {
    fail(c, `needs an address (a Uint8Array of ${Addr.size} bytes; see encodeAddress)`);
  }
  if (need & Needs.Path && !(c.aux instanceof Uint8Array && c.aux.byteLength > 1 && c.aux[c.aux.byteLength - 1] === 0)) {
    fail(c, 'needs a path (a NUL-terminated UTF-8 Uint8Array; see encodePath)');
  }
  if (need & Needs.StatOut && !(c.aux instanceof Float64Array && c.aux.length >= Stat.count)) {
    fail(c, `needs a Float64Array of ${Stat.count} slots for the result`);
  }
  if (c.op === OpCode.accept && c.aux !== null && !(c.aux instanceof Uint8Array && c.aux.byteLength >= Addr.size)) {
    fail(c, `the optional peer address must be a Uint8Array of ${Addr.size} bytes`);
  }
  if (need & Needs.Target && (c.target === null || typeof c.target !== 'object' || !('_active' in c.target))) {
    fail(c, 'needs a target completion');
  }
}
