// A minimal xev backend: it carries out `nop` and `cancel` and answers every other operation with
// ENOSYS. Timers need nothing from it (the loop keeps its own heap and only asks for a wake-up). It is
// small on purpose: docs/backend-authors.md walks through it, and a test registers it and runs the loop,
// timer and completion rules of the conformance suite against it.
import { constants } from 'node:os';
import { CONTRACT_VERSION, Cqe, OpCode, Sqe } from '@xev/core';

const { ENOSYS, ENOENT, EBADF } = constants.errno;

class MinimalBackend {
  name = 'minimal';
  modes = ['attached'];
  capabilities = {
    multishotAccept: false,
    multishotRecv: false,
    pooledReads: false,
    registeredBuffers: false,
    zeroCopySend: false,
    sqpoll: false,
  };
  #rings;
  #ready = []; // completed entries, flattened: slot, result, aux
  #pending = new Set(); // slots of nops not yet reported
  #onReady = null;
  #wake = null;
  #scheduled = false;
  #keepAlive = setInterval(() => {}, 2 ** 30);

  constructor() {
    this.#keepAlive.unref();
  }

  init(rings) {
    this.#rings = rings;
  }

  // Submit what the loop staged, then report what is done. Never call onReady from in here.
  enter(submitCount) {
    const { sq } = this.#rings;
    for (let i = 0; i < submitCount; i++) {
      const base = i * Sqe.stride;
      const op = sq[base + Sqe.op];
      const slot = sq[base + Sqe.slot];
      if (op === OpCode.nop) {
        this.#pending.add(slot);
        this.#complete(slot, 0);
      } else if (op === OpCode.cancel) {
        // A nop completes at once, so by the time a cancel arrives its target has finished.
        this.#complete(slot, -ENOENT);
      } else {
        this.#complete(slot, -ENOSYS);
      }
    }
    const { cq, cqEntries } = this.#rings;
    let n = 0;
    while (this.#ready.length > 0 && n < cqEntries) {
      const [slot, result] = this.#ready.splice(0, 2);
      cq[n * Cqe.stride + Cqe.slot] = slot;
      cq[n * Cqe.stride + Cqe.result] = result;
      cq[n * Cqe.stride + Cqe.aux] = 0;
      this.#pending.delete(slot);
      n++;
    }
    return n;
  }

  #complete(slot, result) {
    this.#ready.push(slot, result);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#onReady?.();
      });
    }
  }

  attach(onReady) {
    this.#onReady = onReady;
  }

  armWake(delayMs) {
    clearTimeout(this.#wake);
    if (delayMs >= 0) this.#wake = setTimeout(() => this.#onReady?.(), Math.ceil(delayMs)).unref();
  }

  setRef(ref) {
    if (ref) this.#keepAlive.ref();
    else this.#keepAlive.unref();
  }

  // No sockets, async handles or processes in this backend.
  socket() { return -ENOSYS; }
  bind() { return -ENOSYS; }
  listen() { return -ENOSYS; }
  setsockopt() { return -ENOSYS; }
  sockname() { return -ENOSYS; }
  asyncCreate() { return -ENOSYS; }
  asyncToken(handle) { return { backend: this.name, handle }; }
  spawn() { return -ENOSYS; }
  pid() { return -EBADF; }
  closeSync() { return -EBADF; }

  destroy() {
    clearTimeout(this.#wake);
    clearInterval(this.#keepAlive);
  }
}

/** The factory the registry sees. */
export const backend = {
  name: 'minimal',
  contractVersion: CONTRACT_VERSION,
  modes: ['attached'],
  probe: () => ({ usable: true, detail: 'pure JavaScript, nop only' }),
  create: () => new MinimalBackend(),
  notify() {
    throw new Error('the minimal backend has no async handles');
  },
};
export default backend;
