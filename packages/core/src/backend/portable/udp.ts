import dgram from 'node:dgram';
import { OpCode, PollEvent, SockOpt } from '../layout.js';
import { decodeAddress, encodeAddress, type SocketAddress } from '../address.js';
import type { Complete, PendingOp, Resource } from './shared.js';
import { bytesOf, err, negErrno } from './shared.js';

/** Datagrams received and not yet taken, per socket; beyond this the oldest are dropped, as a kernel would. */
const MAX_QUEUED_DATAGRAMS = 4096;

/** A UDP socket on Node's `dgram`. Received datagrams queue until a `recvfrom` takes one. */
export class UdpResource implements Resource {
  readonly kind = 'udp' as const;
  readonly pending = new Set<PendingOp>();
  readonly family: 4 | 6;
  readonly #complete: Complete;
  readonly #socket: dgram.Socket;
  #bound = false;
  #error = 0;
  readonly #queue: { data: Buffer; from: SocketAddress }[] = [];
  readonly #reads: PendingOp[] = [];
  readonly #polls: PendingOp[] = [];
  readonly #options = new Map<number, number>();

  constructor(family: 4 | 6, complete: Complete) {
    this.family = family;
    this.#complete = complete;
    this.#socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
    this.#socket.on('message', (data, rinfo) => {
      if (this.#queue.length === MAX_QUEUED_DATAGRAMS) this.#queue.shift();
      this.#queue.push({ data, from: { family: rinfo.family === 'IPv6' ? 6 : 4, address: rinfo.address, port: rinfo.port } });
      this.#serve();
    });
    this.#socket.on('error', (error) => {
      this.#error ||= negErrno(error);
      this.#serve();
    });
    this.#socket.unref();
  }

  bind(address: SocketAddress): number {
    if (this.#bound) return err('EINVAL');
    this.#bound = true;
    this.#socket.bind({ address: address.address, port: address.port, exclusive: true }, () => this.#applyOptions());
    return 0;
  }

  setOption(option: number, value: number): number {
    if (option === SockOpt.noDelay || option === SockOpt.keepAlive) return err('ENOPROTOOPT');
    this.#options.set(option, value);
    if (this.#bound) this.#applyOptions();
    return 0;
  }

  #applyOptions(): void {
    try {
      const recv = this.#options.get(SockOpt.recvBufferSize);
      const send = this.#options.get(SockOpt.sendBufferSize);
      if (recv) this.#socket.setRecvBufferSize(recv);
      if (send) this.#socket.setSendBufferSize(send);
    } catch {
      // Sizes are advisory, as setsockopt's are.
    }
  }

  name(peer: boolean, out: Uint8Array): number {
    if (peer) return err('ENOTCONN');
    try {
      const a = this.#socket.address();
      encodeAddress(a.address, a.port, out);
      return 0;
    } catch {
      return err('EINVAL');
    }
  }

  start(op: PendingOp): void {
    this.pending.add(op);
    switch (op.op) {
      case OpCode.recvfrom:
      case OpCode.recv:
      case OpCode.read:
        this.#reads.push(op);
        this.#ensureBound();
        this.#serve();
        return;
      case OpCode.sendto: {
        const to = decodeAddress(op.aux as Uint8Array);
        const data = bytesOf(op.buffer!);
        this.#bound = true;
        this.#socket.send(data, to.port, to.address, (error, bytes) => {
          if (this.pending.delete(op)) this.#complete(op, error ? negErrno(error) : bytes);
        });
        return;
      }
      case OpCode.poll:
        this.#polls.push(op);
        this.#ensureBound();
        this.#serve();
        return;
      default:
        this.pending.delete(op);
        this.#complete(op, err('ENOTSUP'));
    }
  }

  /** A receive on an unbound socket binds it to an ephemeral port, as the kernel does. */
  #ensureBound(): void {
    if (this.#bound) return;
    this.#bound = true;
    this.#socket.bind({ port: 0, address: this.family === 6 ? '::' : '0.0.0.0' });
  }

  #serve(): void {
    while (this.#reads.length > 0 && (this.#queue.length > 0 || this.#error)) {
      const op = this.#reads.shift()!;
      this.pending.delete(op);
      if (this.#queue.length === 0) {
        this.#complete(op, this.#error);
        continue;
      }
      const { data, from } = this.#queue.shift()!;
      const target = bytesOf(op.buffer!);
      const n = Math.min(target.byteLength, data.byteLength);
      target.set(data.subarray(0, n));
      if (op.aux) encodeAddress(from.address, from.port, op.aux as Uint8Array);
      this.#complete(op, n);
    }
    for (let i = 0; i < this.#polls.length; ) {
      const op = this.#polls[i];
      const ready = (op.arg0 & PollEvent.writable) | (this.#queue.length > 0 ? op.arg0 & PollEvent.readable : 0);
      if (ready) {
        this.#polls.splice(i, 1);
        this.pending.delete(op);
        this.#complete(op, ready);
      } else i++;
    }
    if (this.#reads.length > 0 || this.#polls.length > 0) this.#socket.ref();
    else this.#socket.unref();
  }

  cancel(op: PendingOp): boolean {
    for (const list of [this.#reads, this.#polls]) {
      const index = list.indexOf(op);
      if (index >= 0) {
        list.splice(index, 1);
        this.pending.delete(op);
        return true;
      }
    }
    return false;
  }

  close(done: (result: number) => void): void {
    for (const op of [...this.pending]) if (this.cancel(op)) this.#complete(op, err('ECANCELED'));
    const finish = () => {
      for (const op of this.pending) this.#complete(op, err('ECANCELED'));
      this.pending.clear();
      done(0);
    };
    try {
      this.#socket.close(finish);
    } catch {
      queueMicrotask(finish);
    }
  }
}
