import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { OpCode, PollEvent, ShutdownHow, SockOpt } from '../layout.js';
import { decodeAddress, encodeAddress, type SocketAddress } from '../address.js';
import type { Complete, PendingOp, Resource } from './shared.js';
import { bytesOf, err, negErrno } from './shared.js';

/** Creates the resource for an accepted connection; returns its handle. */
export type AdoptSocket = (socket: net.Socket) => number;

/**
 * A TCP socket on Node's `net`. Node pushes data; the contract pulls it, so received bytes wait in a
 * queue until a `recv` takes them and the socket is paused while nobody is reading — backpressure
 * reaches the peer exactly as with a kernel socket buffer.
 */
export class TcpResource implements Resource {
  readonly kind = 'tcp' as const;
  readonly pending = new Set<PendingOp>();
  readonly family: 4 | 6;
  readonly #complete: Complete;
  readonly #adopt: AdoptSocket;

  #bound: SocketAddress | null = null;
  /** The bound, not yet listening, handle from bind(). */
  #handle: ServerHandle | null = null;
  #server: net.Server | null = null;
  #socket: net.Socket | null = null;
  /** The first error the socket or server reported, as a negative errno; later ops fail with it. */
  #error = 0;
  #eof = false;
  #closing = false;
  #noDelay = false;
  #keepAlive = false;

  readonly #incoming: net.Socket[] = [];
  readonly #accepts: PendingOp[] = [];
  readonly #chunks: Buffer[] = [];
  readonly #reads: PendingOp[] = [];
  readonly #polls: PendingOp[] = [];
  #connect: PendingOp | null = null;

  constructor(family: 4 | 6, complete: Complete, adopt: AdoptSocket, socket?: net.Socket) {
    this.family = family;
    this.#complete = complete;
    this.#adopt = adopt;
    if (socket) this.#attachSocket(socket);
  }

  bind(address: SocketAddress): number {
    if (this.#server || this.#socket || this.#bound) return err('EINVAL');
    // net.Server.listen() binds asynchronously (it resolves even numeric hosts through dns.lookup), so
    // bind through the handle factory Node's own cluster module uses, which binds synchronously and
    // returns the errno: the contract's bind and sockname are synchronous.
    const handle = createServerHandle(address.address, address.port, address.family, undefined, 0);
    if (typeof handle === 'number') return libuvErrno(handle);
    this.#bound = address;
    this.#handle = handle;
    return 0;
  }

  listen(backlog: number): number {
    if (this.#server) return 0;
    if (this.#socket) return err('EINVAL');
    if (!this.#handle) {
      const bound = this.bind({ family: this.family, address: this.family === 6 ? '::' : '0.0.0.0', port: 0 });
      if (bound < 0) return bound;
    }
    const handle = this.#handle!;
    const listened = handle.listen(backlog);
    if (listened < 0) return libuvErrno(listened);
    // allowHalfOpen: a peer's FIN ends only our reading side, as with a kernel socket.
    const server = net.createServer({ pauseOnConnect: true, noDelay: this.#noDelay, allowHalfOpen: true });
    server.on('connection', (socket) => {
      this.#incoming.push(socket);
      this.#serveAccepts();
      this.#servePolls();
    });
    server.on('error', (error) => {
      this.#error ||= negErrno(error);
      this.#serveAccepts();
    });
    server.listen(handle, backlog);
    this.#handle = null;
    this.#server = server;
    return 0;
  }

  setOption(option: number, value: number): number {
    switch (option) {
      case SockOpt.noDelay:
        this.#noDelay = value !== 0;
        this.#socket?.setNoDelay(this.#noDelay);
        return 0;
      case SockOpt.keepAlive:
        this.#keepAlive = value !== 0;
        this.#socket?.setKeepAlive(this.#keepAlive);
        return 0;
      case SockOpt.reuseAddr:
      case SockOpt.reusePort:
      case SockOpt.recvBufferSize:
      case SockOpt.sendBufferSize:
        // Node's net exposes none of these; libuv already sets SO_REUSEADDR on listening sockets.
        return 0;
      default:
        return err('ENOPROTOOPT');
    }
  }

  name(peer: boolean, out: Uint8Array): number {
    let address: net.AddressInfo | Record<string, never> | string | null = null;
    if (peer) {
      if (!this.#socket?.remoteAddress) return err('ENOTCONN');
      address = { address: this.#socket.remoteAddress, port: this.#socket.remotePort!, family: '' };
    } else if (this.#server) {
      address = this.#server.address();
    } else if (this.#socket?.localAddress) {
      address = { address: this.#socket.localAddress, port: this.#socket.localPort!, family: '' };
    } else if (this.#bound) {
      address = { address: this.#bound.address, port: this.#bound.port, family: '' };
    }
    if (!address || typeof address === 'string' || !('port' in address)) return this.#error || err('EINVAL');
    encodeAddress(address.address.replace(/^::ffff:(?=\d+\.)/, ''), address.port, out);
    return 0;
  }

  start(op: PendingOp): void {
    this.pending.add(op);
    switch (op.op) {
      case OpCode.accept:
        this.#accepts.push(op);
        this.#serveAccepts();
        return;
      case OpCode.connect:
        this.#startConnect(op);
        return;
      case OpCode.read:
      case OpCode.recv:
        this.#reads.push(op);
        this.#serveReads();
        return;
      case OpCode.write:
      case OpCode.send:
        this.#startWrite(op);
        return;
      case OpCode.shutdown:
        this.#startShutdown(op);
        return;
      case OpCode.poll:
        this.#polls.push(op);
        this.#servePolls();
        return;
      default:
        this.#finish(op, err('ENOTSUP'));
    }
  }

  cancel(op: PendingOp): boolean {
    if (removeFrom(this.#accepts, op) || removeFrom(this.#reads, op) || removeFrom(this.#polls, op)) {
      this.pending.delete(op);
      this.#pauseIfIdle();
      return true;
    }
    if (this.#connect === op) {
      this.#connect = null;
      this.pending.delete(op);
      this.#socket?.destroy();
      this.#socket = null;
      return true;
    }
    return false; // A write or shutdown already handed to Node finishes with its real result.
  }

  close(done: (result: number) => void): void {
    this.#closing = true;
    for (const op of [...this.pending]) {
      if (this.cancel(op)) this.#complete(op, err('ECANCELED'));
    }
    const finish = () => {
      for (const op of this.pending) this.#complete(op, err('ECANCELED'));
      this.pending.clear();
      done(0);
    };
    this.#handle?.close();
    this.#handle = null;
    for (const socket of this.#incoming) socket.destroy();
    this.#incoming.length = 0;
    if (this.#server) {
      this.#server.close();
      this.#server = null;
    }
    const socket = this.#socket;
    this.#socket = null;
    if (socket && !socket.destroyed) {
      socket.once('close', finish);
      socket.destroy();
    } else {
      queueMicrotask(finish);
    }
  }

  #finish(op: PendingOp, result: number): void {
    this.pending.delete(op);
    this.#complete(op, result);
  }

  #attachSocket(socket: net.Socket): void {
    this.#socket = socket;
    socket.pause();
    socket.setNoDelay(this.#noDelay);
    if (this.#keepAlive) socket.setKeepAlive(true);
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#serveReads();
      this.#servePolls();
    });
    socket.on('end', () => {
      this.#eof = true;
      this.#serveReads();
      this.#servePolls();
    });
    socket.on('error', (error) => {
      this.#error ||= negErrno(error);
      this.#serveReads();
      this.#servePolls();
    });
  }

  #serveAccepts(): void {
    while (this.#accepts.length > 0) {
      if (this.#incoming.length > 0) {
        const op = this.#accepts.shift()!;
        const socket = this.#incoming.shift()!;
        const handle = this.#adopt(socket);
        if (op.aux && socket.remoteAddress) {
          encodeAddress(socket.remoteAddress.replace(/^::ffff:(?=\d+\.)/, ''), socket.remotePort!, op.aux as Uint8Array);
        }
        this.#finish(op, handle);
      } else if (this.#error || !this.#server) {
        this.#finish(this.#accepts.shift()!, this.#error || err('EINVAL'));
      } else {
        return;
      }
    }
  }

  #startConnect(op: PendingOp): void {
    if (this.#socket || this.#server) {
      this.#finish(op, err(this.#socket ? 'EISCONN' : 'EINVAL'));
      return;
    }
    const target = decodeAddress(op.aux as Uint8Array);
    // A socket bound for connecting keeps only its address: Node binds the client side itself.
    this.#handle?.close();
    this.#handle = null;
    const socket = new net.Socket({ allowHalfOpen: true });
    this.#connect = op;
    const onError = (error: Error) => {
      if (this.#connect !== op) return;
      this.#connect = null;
      this.#socket = null;
      this.#finish(op, negErrno(error, 'ECONNREFUSED'));
    };
    socket.once('error', onError);
    socket.connect(
      {
        host: target.address,
        port: target.port,
        family: target.family,
        ...(this.#bound ? { localAddress: this.#bound.address, localPort: this.#bound.port || undefined } : {}),
      } as net.TcpSocketConnectOpts,
      () => {
        socket.off('error', onError);
        if (this.#connect !== op) return;
        this.#connect = null;
        this.#attachSocket(socket);
        this.#finish(op, 0);
      },
    );
    this.#socket = socket;
  }

  #serveReads(): void {
    const socket = this.#socket;
    while (this.#reads.length > 0) {
      if (this.#chunks.length > 0) {
        const op = this.#reads.shift()!;
        this.#finish(op, this.#take(bytesOf(op.buffer!)));
      } else if (this.#error) {
        this.#finish(this.#reads.shift()!, this.#error);
      } else if (this.#eof) {
        this.#finish(this.#reads.shift()!, 0);
      } else if (!socket) {
        this.#finish(this.#reads.shift()!, err('ENOTCONN'));
      } else {
        socket.resume();
        return;
      }
    }
    this.#pauseIfIdle();
  }

  /** Copies queued bytes into `target`; returns how many. */
  #take(target: Uint8Array): number {
    let copied = 0;
    while (copied < target.byteLength && this.#chunks.length > 0) {
      const chunk = this.#chunks[0];
      const n = Math.min(chunk.byteLength, target.byteLength - copied);
      target.set(chunk.subarray(0, n), copied);
      copied += n;
      if (n === chunk.byteLength) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(n);
    }
    return copied;
  }

  #pauseIfIdle(): void {
    if (this.#reads.length === 0 && this.#polls.length === 0) this.#socket?.pause();
  }

  #startWrite(op: PendingOp): void {
    const socket = this.#socket;
    if (this.#error) return this.#finish(op, this.#error);
    if (!socket || socket.connecting) return this.#finish(op, err('ENOTCONN'));
    if (socket.writableEnded) return this.#finish(op, err('EPIPE'));
    const data = bytesOf(op.buffer!);
    socket.write(data, (error) => {
      if (!this.pending.has(op)) return;
      // Node reports success for a write whose socket was destroyed under it; a close cut it off.
      if (this.#closing) return this.#finish(op, err('ECANCELED'));
      this.#finish(op, error ? (this.#error || negErrno(error, 'EPIPE')) : data.byteLength);
    });
  }

  #startShutdown(op: PendingOp): void {
    const socket = this.#socket;
    if (!socket) return this.#finish(op, err('ENOTCONN'));
    if (op.arg0 === ShutdownHow.read) {
      this.#eof = true;
      this.#serveReads();
      return this.#finish(op, 0);
    }
    socket.end(() => {
      if (op.arg0 === ShutdownHow.both) {
        this.#eof = true;
        this.#serveReads();
      }
      if (this.pending.has(op)) this.#finish(op, 0);
    });
  }

  #servePolls(): void {
    for (let i = 0; i < this.#polls.length; ) {
      const op = this.#polls[i];
      let ready = 0;
      if (op.arg0 & PollEvent.readable && (this.#chunks.length > 0 || this.#eof || this.#incoming.length > 0)) ready |= PollEvent.readable;
      if (op.arg0 & PollEvent.writable && this.#socket && !this.#socket.connecting && !this.#socket.writableNeedDrain) ready |= PollEvent.writable;
      if (this.#error) ready |= PollEvent.error;
      if (this.#eof) ready |= PollEvent.hangup;
      if (ready) {
        this.#polls.splice(i, 1);
        this.#finish(op, ready);
      } else {
        i++;
      }
    }
    if (this.#polls.some((op) => op.arg0 & PollEvent.readable)) this.#socket?.resume();
  }
}

/** The slice of Node's internal TCP handle that bind and listen use. */
interface ServerHandle {
  listen(backlog: number): number;
  close(): void;
}

const createServerHandle = (net as unknown as {
  _createServerHandle(address: string, port: number, family: number, fd: undefined, flags: number): ServerHandle | number;
})._createServerHandle;

/** libuv error numbers are negative errnos on Unix but not on Windows: translate through the name. */
function libuvErrno(code: number): number {
  return err(getSystemErrorName(code));
}

function removeFrom(list: PendingOp[], op: PendingOp): boolean {
  const index = list.indexOf(op);
  if (index < 0) return false;
  list.splice(index, 1);
  return true;
}
