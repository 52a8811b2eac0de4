import { randomFillSync } from 'node:crypto';

/** Frame opcodes (RFC 6455 §5.2). */
export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Close codes this client sends when it fails a connection (RFC 6455 §7.4.1). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  noStatus: 1005,
  abnormal: 1006,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
} as const;

/** A protocol violation by the peer: `closeCode` is what the client sends before dropping the connection. */
export class WebSocketProtocolError extends Error {
  readonly closeCode: number;
  readonly code = 'EWSPROTOCOL';
  constructor(closeCode: number, message: string) {
    super(message);
    this.name = 'WebSocketProtocolError';
    this.closeCode = closeCode;
  }
}

/** Whether `code` may appear in a close frame on the wire (RFC 6455 §7.4.1 and the IANA registry). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

const maskPool = Buffer.alloc(4 * 1024);
let maskAt = maskPool.length;

/** Four fresh random mask bytes, from a pool refilled 1,024 frames at a time. */
function nextMask(): Buffer {
  if (maskAt === maskPool.length) {
    randomFillSync(maskPool);
    maskAt = 0;
  }
  maskAt += 4;
  return maskPool.subarray(maskAt - 4, maskAt);
}

/** Encodes one client frame: masked, as every client-to-server frame must be (RFC 6455 §5.3). */
export function encodeFrame(opcode: number, payload: Uint8Array, fin = true, rsv1 = false): Buffer {
  const length = payload.byteLength;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  const mask = nextMask();
  mask.copy(frame, header);
  const body = header + 4;
  for (let i = 0; i < length; i++) frame[body + i] = payload[i] ^ mask[i & 3];
  return frame;
}

/** One decoded frame. */
export interface Frame {
  readonly fin: boolean;
  /** RSV1: the message is compressed (permessage-deflate), set on its first frame only. */
  readonly rsv1: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
}

/**
 * An incremental decoder of server frames: `push(bytes)`, then `next()` until it returns null. Anything a
 * server must not send throws a {@link WebSocketProtocolError} naming the violation: reserved bits, an
 * unknown opcode, a masked frame, a fragmented or oversized control frame, a 64-bit length with the top
 * bit set, or a frame over `maxPayload`.
 */
export class FrameDecoder {
  readonly #maxPayload: number;
  /** Whether permessage-deflate was negotiated, which gives RSV1 a meaning. */
  readonly #deflate: boolean;
  #buffered: Buffer[] = [];
  #bufferedBytes = 0;

  constructor(maxPayload: number, deflate = false) {
    this.#maxPayload = maxPayload;
    this.#deflate = deflate;
  }

  /** Adds received bytes; take the frames with {@link next}. */
  push(bytes: Buffer): void {
    this.#buffered.push(bytes);
    this.#bufferedBytes += bytes.byteLength;
  }

  /**
   * The next complete frame, or null until more bytes arrive. Frames are handed out one at a time, so
   * everything before a malformed frame is delivered before the error is thrown.
   */
  next(): Frame | null {
    if (this.#bufferedBytes < 2) return null;
    const head = this.#peek(Math.min(this.#bufferedBytes, 14));
    const b0 = head[0];
    const b1 = head[1];
    const reserved = b0 & (this.#deflate ? 0x30 : 0x70);
    if (reserved) throw new WebSocketProtocolError(CloseCode.protocolError, `malformed frame: reserved bits set (0x${reserved.toString(16)}) without a negotiated extension`);
    const opcode = b0 & 0x0f;
    const rsv1 = (b0 & 0x40) !== 0;
    if (rsv1 && (opcode === 0 || opcode >= 8)) throw new WebSocketProtocolError(CloseCode.protocolError, 'malformed frame: RSV1 (compressed) on a continuation or control frame');
    const fin = (b0 & 0x80) !== 0;
    if (!(opcode <= 2 || (opcode >= 8 && opcode <= 10))) throw new WebSocketProtocolError(CloseCode.protocolError, `malformed frame: unknown opcode 0x${opcode.toString(16)}`);
    if (b1 & 0x80) throw new WebSocketProtocolError(CloseCode.protocolError, 'malformed frame: the server masked a frame (RFC 6455 §5.1 forbids it)');
    let length = b1 & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (head.byteLength < 4) return null;
      length = head.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (head.byteLength < 10) return null;
      const high = head.readUInt32BE(2);
      if (high & 0x80000000) throw new WebSocketProtocolError(CloseCode.protocolError, 'malformed frame: a 64-bit payload length with the most significant bit set');
      length = high * 2 ** 32 + head.readUInt32BE(6);
      offset = 10;
    }
    if (opcode >= 8) {
      if (!fin) throw new WebSocketProtocolError(CloseCode.protocolError, 'malformed frame: a fragmented control frame');
      if (length > 125) throw new WebSocketProtocolError(CloseCode.protocolError, `malformed frame: a control frame of ${length} bytes (the limit is 125)`);
    }
    if (length > this.#maxPayload) throw new WebSocketProtocolError(CloseCode.messageTooBig, `a frame of ${length} bytes exceeds maxPayload (${this.#maxPayload})`);
    if (this.#bufferedBytes < offset + length) return null;
    this.#take(offset);
    return { fin, rsv1, opcode, payload: this.#take(length) };
  }

  /** The first `n` buffered bytes, without consuming them. */
  #peek(n: number): Buffer {
    const first = this.#buffered[0];
    if (first.byteLength >= n) return first.subarray(0, n);
    return Buffer.concat(this.#buffered, Math.min(this.#bufferedBytes, n)).subarray(0, n);
  }

  /** Consumes `n` buffered bytes. */
  #take(n: number): Buffer {
    this.#bufferedBytes -= n;
    const first = this.#buffered[0];
    if (first.byteLength > n) {
      this.#buffered[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.byteLength === n) {
      this.#buffered.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const chunk = this.#buffered[0];
      const k = Math.min(chunk.byteLength, n - at);
      chunk.copy(out, at, 0, k);
      at += k;
      if (k === chunk.byteLength) this.#buffered.shift();
      else this.#buffered[0] = chunk.subarray(k);
    }
    return out;
  }
}
