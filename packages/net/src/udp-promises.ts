import { type AbortOptions, Addr, Completion, type Loop, OpCode, decodeAddress, encodeAddress, perform, type SocketAddress } from '@xev/core';
import { resolveHost } from './resolve.js';
import type { SocketOptions } from './sockets.js';
import { UDP } from './udp.js';

/** A received datagram: its length in the buffer and the sender's address. */
export interface Datagram {
  readonly bytes: number;
  readonly from: SocketAddress;
}

/** Options for {@link bindUdp}. */
export interface BindOptions extends SocketOptions {
  /** Default `'127.0.0.1'`. */
  readonly host?: string;
  /** Default `0`: the kernel picks a port. */
  readonly port?: number;
  readonly family?: 4 | 6;
}

/** Binds a UDP socket and resolves a {@link UdpSocket} once its address is known. */
export async function bindUdp(loop: Loop, options: BindOptions = {}): Promise<UdpSocket> {
  const { address, family } = await resolveHost(options.host ?? '127.0.0.1', options.family);
  const udp = UDP.create(loop, family);
  try {
    udp.setOptions(options);
    udp.bind(address, options.port ?? 0);
    // The portable backend binds on Node's loop (dgram binds asynchronously): wait until it has.
    let local: SocketAddress | undefined;
    for (let i = 0; i < 400 && !local; i++) {
      try {
        local = udp.localAddress();
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    if (!local) udp.localAddress(); // throws the backend's error
    return new UdpSocket(udp, local!);
  } catch (error) {
    udp.closeSync();
    throw error;
  }
}

/**
 * A bound UDP socket with a Promise API: `receive(buf)` resolves one datagram with its sender, `send`
 * sends one datagram to an address. Any number may be outstanding at once; each carries its own address.
 */
export class UdpSocket {
  readonly loop: Loop;
  readonly udp: UDP;
  /** The bound address (with the port the kernel picked). */
  readonly address: SocketAddress;

  constructor(udp: UDP, address: SocketAddress) {
    this.loop = udp.loop;
    this.udp = udp;
    this.address = address;
  }

  /** Receives one datagram into `buffer`. */
  async receive(buffer: ArrayBufferView, options: AbortOptions = {}): Promise<Datagram> {
    const from = new Uint8Array(Addr.size);
    const bytes = await perform(this.loop, new Completion().prep(OpCode.recvfrom, this.udp.handle, buffer, from), options);
    return { bytes, from: decodeAddress(from) };
  }

  /** Sends `data` as one datagram to `to`; resolves the bytes sent. */
  async send(data: Uint8Array | string, to: { address?: string; host?: string; port: number }, options: AbortOptions = {}): Promise<number> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const target = to.address ?? (await resolveHost(to.host)).address;
    return perform(this.loop, new Completion().prep(OpCode.sendto, this.udp.handle, bytes, encodeAddress(target, to.port)), options);
  }

  /** Closes the socket; pending receives reject with ECANCELED. */
  async close(): Promise<void> {
    await perform(this.loop, new Completion().prep(OpCode.close, this.udp.handle));
  }
}

