import type {
  AsyncToken,
  Backend,
  BackendFactory,
  BackendRings,
  Capabilities,
  RunModeKind,
  SpawnOptions,
} from '../contract.js';
import { CONTRACT_VERSION } from '../contract.js';
import { Cqe, OpCode, Sqe, SQE_OBJECTS, SockType } from '../layout.js';
import { decodeAddress } from '../address.js';
import { AsyncResource, notifyShared } from './async-handle.js';
import { FileResource, openFile } from './file.js';
import { ProcessResource } from './process.js';
import type { PendingOp, Resource } from './shared.js';
import { err } from './shared.js';
import { TcpResource } from './tcp.js';
import { UdpResource } from './udp.js';

const capabilities: Capabilities = {
  multishotAccept: false,
  multishotRecv: false,
  pooledReads: false,
  registeredBuffers: false,
  zeroCopySend: false,
  sqpoll: false,
};

/**
 * The portable backend: the contract carried out with Node's own APIs (`fs`, `net`, `dgram`,
 * `child_process`, `Atomics.waitAsync`), so xev runs wherever Node does. It is the reference
 * implementation of the contract; attached mode only, since Node's APIs complete on Node's loop.
 */
class PortableBackend implements Backend {
  readonly name = 'portable';
  readonly capabilities = capabilities;
  readonly modes: readonly RunModeKind[] = ['attached'];

  #rings!: BackendRings;
  readonly #resources = new Map<number, Resource>();
  #nextHandle = 3;
  /** Completed entries waiting for `enter`: slot, result, aux, flattened. */
  readonly #ready: number[] = [];
  #readyHead = 0;
  /** Pending ops by slot, for cancellation. */
  readonly #bySlot = new Map<number, PendingOp>();
  /** Cancels whose target could not be stopped, keyed by target. */
  readonly #cancelsWaiting = new Map<PendingOp, PendingOp>();
  #onReady: (() => void) | null = null;
  #notifyScheduled = false;
  #wake: NodeJS.Timeout | null = null;
  /** Keeps Node's event loop alive while operations are active: Atomics.waitAsync alone does not. */
  readonly #keepAlive = setInterval(() => {}, 2 ** 30);
  #destroyed = false;

  constructor() {
    this.#keepAlive.unref();
  }

  init(rings: BackendRings): void {
    this.#rings = rings;
  }

  enter(submitCount: number, waitMs: number): number {
    if (waitMs !== 0) throw new Error('the portable backend cannot block: it runs in attached mode only');
    const { sq, objects } = this.#rings;
    for (let i = 0; i < submitCount; i++) {
      const base = i * Sqe.stride;
      const op: PendingOp = {
        op: sq[base + Sqe.op],
        slot: sq[base + Sqe.slot],
        handle: sq[base + Sqe.handle],
        arg0: sq[base + Sqe.arg0],
        arg1: sq[base + Sqe.arg1],
        buffer: objects[i * SQE_OBJECTS],
        aux: objects[i * SQE_OBJECTS + 1],
        done: false,
      };
      this.#submit(op, sq[base + Sqe.target]);
    }
    return this.#drain();
  }

  /** Copies ready completions into the CQ, at most `cqEntries`. */
  #drain(): number {
    const { cq, cqEntries } = this.#rings;
    const ready = this.#ready;
    let count = 0;
    while (this.#readyHead < ready.length && count < cqEntries) {
      const base = count * Cqe.stride;
      cq[base + Cqe.slot] = ready[this.#readyHead++];
      cq[base + Cqe.result] = ready[this.#readyHead++];
      cq[base + Cqe.aux] = ready[this.#readyHead++];
      count++;
    }
    if (this.#readyHead === ready.length) {
      ready.length = 0;
      this.#readyHead = 0;
    }
    return count;
  }

  readonly #complete = (op: PendingOp, result: number, aux = 0): void => {
    if (op.done) return;
    op.done = true;
    this.#bySlot.delete(op.slot);
    this.#ready.push(op.slot, result, aux);
    const cancel = this.#cancelsWaiting.get(op);
    if (cancel) {
      this.#cancelsWaiting.delete(op);
      this.#complete(cancel, err('ENOENT'));
    }
    if (!this.#notifyScheduled && this.#onReady) {
      this.#notifyScheduled = true;
      // One wake-up per batch of Node callbacks: everything completed before the microtask runs is
      // reaped by one enter().
      queueMicrotask(this.#notify);
    }
  };

  readonly #notify = (): void => {
    this.#notifyScheduled = false;
    if (!this.#destroyed) this.#onReady?.();
  };

  #submit(op: PendingOp, target: number): void {
    switch (op.op) {
      case OpCode.nop:
        this.#bySlot.set(op.slot, op);
        queueMicrotask(() => this.#complete(op, 0));
        return;
      case OpCode.cancel:
        this.#cancel(op, target);
        return;
      case OpCode.open:
        this.#bySlot.set(op.slot, op);
        openFile(op, (fd) => this.#complete(op, fd < 0 ? fd : this.#addResource(new FileResource(fd, this.#complete))));
        return;
      case OpCode.close: {
        const resource = this.#resources.get(op.handle);
        if (!resource) return this.#later(op, err('EBADF'));
        this.#resources.delete(op.handle);
        this.#bySlot.set(op.slot, op);
        resource.close((result) => this.#complete(op, result));
        return;
      }
      default: {
        const resource = this.#resources.get(op.handle);
        if (!resource) return this.#later(op, err('EBADF'));
        this.#bySlot.set(op.slot, op);
        resource.start(op);
      }
    }
  }

  /** Completes `op` on a later turn: the contract never reports a completion from inside `enter`. */
  #later(op: PendingOp, result: number): void {
    queueMicrotask(() => this.#complete(op, result));
  }

  #cancel(op: PendingOp, targetSlot: number): void {
    const target = this.#bySlot.get(targetSlot);
    if (!target || target.done) return this.#later(op, err('ENOENT'));
    const resource = this.#resources.get(target.handle);
    if (resource !== undefined && resource.cancel(target)) {
      this.#later(target, err('ECANCELED'));
      this.#later(op, 0);
      return;
    }
    // The target is under way inside Node and keeps its real result: the cancel reports ENOENT when the
    // target finishes, never before it.
    this.#bySlot.set(op.slot, op);
    this.#cancelsWaiting.set(target, op);
  }

  #addResource(resource: Resource): number {
    const handle = this.#nextHandle++;
    this.#resources.set(handle, resource);
    return handle;
  }

  attach(onReady: () => void): void {
    this.#onReady = onReady;
  }

  armWake(delayMs: number): void {
    if (this.#wake) clearTimeout(this.#wake);
    this.#wake = null;
    if (delayMs < 0 || this.#destroyed) return;
    // setTimeout has millisecond granularity; rounding up keeps timers from firing early, and the loop
    // re-arms for any remainder.
    this.#wake = setTimeout(this.#notify, Math.ceil(delayMs));
    this.#wake.unref();
  }

  setRef(ref: boolean): void {
    if (ref) this.#keepAlive.ref();
    else this.#keepAlive.unref();
  }

  socket(family: 4 | 6, type: number): number {
    if (family !== 4 && family !== 6) return err('EAFNOSUPPORT');
    if (type === SockType.stream) {
      return this.#addResource(new TcpResource(family, this.#complete, this.#adopt));
    }
    if (type === SockType.dgram) return this.#addResource(new UdpResource(family, this.#complete));
    return err('EPROTONOSUPPORT');
  }

  readonly #adopt = (socket: import('node:net').Socket): number =>
    this.#addResource(new TcpResource(socket.remoteFamily === 'IPv6' ? 6 : 4, this.#complete, this.#adopt, socket));

  #socketResource(handle: number): TcpResource | UdpResource | null {
    const resource = this.#resources.get(handle);
    return resource instanceof TcpResource || resource instanceof UdpResource ? resource : null;
  }

  bind(handle: number, address: Uint8Array): number {
    const resource = this.#socketResource(handle);
    if (!resource) return err(this.#resources.has(handle) ? 'ENOTSOCK' : 'EBADF');
    return resource.bind(decodeAddress(address));
  }

  listen(handle: number, backlog: number): number {
    const resource = this.#socketResource(handle);
    if (!resource) return err(this.#resources.has(handle) ? 'ENOTSOCK' : 'EBADF');
    if (!(resource instanceof TcpResource)) return err('EOPNOTSUPP');
    return resource.listen(backlog);
  }

  setsockopt(handle: number, option: number, value: number): number {
    const resource = this.#socketResource(handle);
    if (!resource) return err(this.#resources.has(handle) ? 'ENOTSOCK' : 'EBADF');
    return resource.setOption(option, value);
  }

  sockname(handle: number, peer: boolean, out: Uint8Array): number {
    const resource = this.#socketResource(handle);
    if (!resource) return err(this.#resources.has(handle) ? 'ENOTSOCK' : 'EBADF');
    return resource.name(peer, out);
  }

  asyncCreate(): number {
    return this.#addResource(new AsyncResource(this.#complete));
  }

  asyncToken(handle: number): AsyncToken {
    const resource = this.#resources.get(handle);
    if (!(resource instanceof AsyncResource)) throw new TypeError(`handle ${handle} is not an async handle`);
    return { backend: this.name, handle, shared: resource.shared };
  }

  spawn(file: string, args: readonly string[], options: SpawnOptions): number {
    return this.#addResource(new ProcessResource(file, args, options, this.#complete));
  }

  pid(handle: number): number {
    const resource = this.#resources.get(handle);
    return resource instanceof ProcessResource ? resource.pid : err('EBADF');
  }

  closeSync(handle: number): number {
    const resource = this.#resources.get(handle);
    if (!resource) return err('EBADF');
    this.#resources.delete(handle);
    resource.close(() => {});
    return 0;
  }

  destroy(): void {
    this.#destroyed = true;
    if (this.#wake) clearTimeout(this.#wake);
    clearInterval(this.#keepAlive);
    for (const [handle] of this.#resources) this.closeSync(handle);
  }
}

/** The portable backend's factory: always usable, attached mode only. */
export const portableBackend: BackendFactory = {
  name: 'portable',
  contractVersion: CONTRACT_VERSION,
  modes: ['attached'],
  probe: () => ({ usable: true, detail: `Node ${process.versions.node} APIs` }),
  create: () => new PortableBackend(),
  notify(token: AsyncToken): void {
    if (!token.shared) throw new TypeError('a portable async token carries its shared word');
    notifyShared(token.shared);
  },
};
