import assert from 'node:assert/strict';
import type { Loop } from '../loop.js';
import { Completion, CallbackAction } from '../completion.js';
import { Addr, OpCode, SockType } from '../backend/layout.js';
import { decodeAddress, encodeAddress } from '../backend/address.js';
import { errnoName } from '../errors.js';
import type { CaseContext } from './context.js';

/** The outcome of one operation, filled in by its callback. */
export interface Outcome {
  done: boolean;
  result: number;
  aux: number;
  /** Order in which outcomes completed, across all outcomes of a case. */
  order: number;
  /** Milliseconds (performance.now()) at completion. */
  at: number;
}

let sequence = 0;

/** Handles each loop has had a `close` submitted for, so deferred clean-up never closes a reused number. */
const closedHandles = new WeakMap<Loop, Set<number>>();

/**
 * Closes `handle` after the case unless the case closed it itself: a native handle number is reused at
 * once, so closing it twice could close an unrelated descriptor.
 */
export function closeLater(t: CaseContext, loop: Loop, handle: number): void {
  closedHandles.get(loop)?.delete(handle);
  t.defer(() => {
    if (!closedHandles.get(loop)?.has(handle)) loop.backend.closeSync(handle);
  });
}

/** Adds `c` with a callback that records its outcome; returns the record. */
export function submit(loop: Loop, c: Completion<any>): Outcome {
  const outcome: Outcome = { done: false, result: 0, aux: 0, order: -1, at: 0 };
  c.userdata = outcome;
  c.callback = (o, _loop, comp, result) => {
    const out = o as Outcome;
    out.done = true;
    out.result = result;
    out.aux = comp.resultAux;
    out.order = sequence++;
    out.at = performance.now();
    return CallbackAction.disarm;
  };
  loop.add(c);
  return outcome;
}

/** Prepares and submits one operation. */
export function op(
  loop: Loop,
  code: number,
  handle = -1,
  buffer: ArrayBufferView | null = null,
  aux: ArrayBufferView | null = null,
  arg0 = 0,
  arg1 = 0,
): Outcome {
  if (code === OpCode.close) {
    let closed = closedHandles.get(loop);
    if (!closed) closedHandles.set(loop, (closed = new Set()));
    closed.add(handle);
  }
  return submit(loop, new Completion().prep(code as OpCode, handle, buffer, aux, arg0, arg1));
}

/** Asserts a result is the named errno (`'ECANCELED'`), printing names rather than numbers. */
export function assertErrno(result: number, code: string, what = 'result'): void {
  assert.equal(result < 0 ? errnoName(result) : `success (${result})`, code, `${what}: expected ${code}`);
}

/** Asserts a result is success, printing the errno name if not. */
export function assertOk(result: number, what = 'result'): void {
  assert.ok(result >= 0, `${what}: expected success, got ${result < 0 ? errnoName(result) : result}`);
}

/** A listening TCP socket on loopback; returns its handle and encoded address. */
export function listenTcp(t: CaseContext, loop: Loop, family: 4 | 6 = 4): { handle: number; address: Uint8Array; port: number } {
  const backend = loop.backend;
  const handle = backend.socket(family, SockType.stream);
  assertOk(handle, 'socket');
  closeLater(t, loop, handle);
  assertOk(backend.bind(handle, encodeAddress(family === 6 ? '::1' : '127.0.0.1', 0)), 'bind');
  assertOk(backend.listen(handle, 128), 'listen');
  const address = new Uint8Array(Addr.size);
  assertOk(backend.sockname(handle, false, address), 'sockname');
  const { port } = decodeAddress(address);
  assert.ok(port > 0, 'the listener has a port');
  return { handle, address, port };
}

/** A connected TCP pair on loopback: `server` is the accepted side, `client` the connecting side. */
export async function tcpPair(t: CaseContext, loop: Loop): Promise<{ server: number; client: number; listener: number }> {
  const listener = listenTcp(t, loop);
  const client = loop.backend.socket(4, SockType.stream);
  assertOk(client, 'socket');
  const accepted = op(loop, OpCode.accept, listener.handle);
  const connected = op(loop, OpCode.connect, client, null, listener.address);
  await t.run(loop);
  assertOk(accepted.result, 'accept');
  assertOk(connected.result, 'connect');
  closeLater(t, loop, accepted.result);
  closeLater(t, loop, client);
  return { server: accepted.result, client, listener: listener.handle };
}

/** Sends all of `data` on `handle`, continuing partial sends; resolves when done. */
export async function sendAll(t: CaseContext, loop: Loop, handle: number, data: Uint8Array): Promise<void> {
  let sent = 0;
  while (sent < data.byteLength) {
    const o = op(loop, OpCode.send, handle, data.subarray(sent));
    await t.run(loop);
    assertOk(o.result, 'send');
    sent += o.result;
  }
}

/** Receives exactly `length` bytes from `handle` (fails on early EOF). */
export async function recvExactly(t: CaseContext, loop: Loop, handle: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const o = op(loop, OpCode.recv, handle, out.subarray(got));
    await t.run(loop);
    assertOk(o.result, 'recv');
    assert.ok(o.result > 0, `recv: early EOF after ${got} of ${length} bytes`);
    got += o.result;
  }
  return out;
}

/** Deterministic test bytes. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Blocks the thread for `ms` milliseconds (a long callback). */
export function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Spin: the point is to hold the thread.
  }
}
