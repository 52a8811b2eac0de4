import { isIPv4, isIPv6 } from 'node:net';
import { Addr } from './layout.js';
import { XevUsageError } from '../errors.js';

/** A decoded socket address. */
export interface SocketAddress {
  readonly family: 4 | 6;
  readonly address: string;
  readonly port: number;
}

/**
 * Encodes an IP address and port into the 28-byte `Addr` layout the backends read. Takes numeric
 * addresses only (`'127.0.0.1'`, `'::1'`): resolving names is a separate, blocking concern.
 */
export function encodeAddress(address: string, port: number, out: Uint8Array = new Uint8Array(Addr.size)): Uint8Array {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new XevUsageError(`port must be an integer from 0 to 65535, not ${String(port)}`);
  if (out.byteLength < Addr.size) throw new XevUsageError(`an address buffer needs ${Addr.size} bytes`);
  out.fill(0, 0, Addr.size);
  out[Addr.port] = port >> 8;
  out[Addr.port + 1] = port & 0xff;
  if (isIPv4(address)) {
    out[Addr.family] = 4;
    const parts = address.split('.');
    for (let i = 0; i < 4; i++) out[Addr.address + i] = Number(parts[i]);
    return out;
  }
  const [host, scope] = address.split('%');
  if (!isIPv6(host)) throw new XevUsageError(`'${address}' is not a numeric IPv4 or IPv6 address`);
  out[Addr.family] = 6;
  const groups = expandIPv6(host);
  for (let i = 0; i < 8; i++) {
    out[Addr.address + 2 * i] = groups[i] >> 8;
    out[Addr.address + 2 * i + 1] = groups[i] & 0xff;
  }
  const scopeId = scope ? Number(scope) : 0;
  new DataView(out.buffer, out.byteOffset, Addr.size).setUint32(Addr.scope, Number.isInteger(scopeId) ? scopeId : 0, true);
  return out;
}

/** Decodes the `Addr` layout; the inverse of {@link encodeAddress}. */
export function decodeAddress(bytes: Uint8Array): SocketAddress {
  const family = bytes[Addr.family];
  const port = (bytes[Addr.port] << 8) | bytes[Addr.port + 1];
  if (family === 4) {
    return { family: 4, address: Array.from(bytes.subarray(Addr.address, Addr.address + 4)).join('.'), port };
  }
  if (family === 6) {
    const groups: number[] = [];
    for (let i = 0; i < 8; i++) groups.push((bytes[Addr.address + 2 * i] << 8) | bytes[Addr.address + 2 * i + 1]);
    return { family: 6, address: compressIPv6(groups), port };
  }
  throw new XevUsageError(`not an encoded address (family byte ${family})`);
}

function expandIPv6(host: string): number[] {
  let text = host;
  const embedded = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (embedded) {
    const p = embedded[1].split('.').map(Number);
    text = text.slice(0, -embedded[1].length) + `${((p[0] << 8) | p[1]).toString(16)}:${((p[2] << 8) | p[3]).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...new Array<string>(zeros).fill('0'), ...tailGroups].map((g) => parseInt(g, 16));
}

function compressIPv6(groups: number[]): string {
  // The longest run of two or more zero groups becomes '::' (RFC 5952).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

const encoder = new TextEncoder();

/** Encodes a file path as the NUL-terminated UTF-8 bytes `open` takes. */
export function encodePath(path: string): Uint8Array {
  if (typeof path !== 'string' || path.length === 0) throw new XevUsageError('a path must be a non-empty string');
  if (path.includes('\0')) throw new XevUsageError('a path must not contain NUL characters');
  const bytes = encoder.encode(path);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

const decoder = new TextDecoder();

/** Decodes a NUL-terminated UTF-8 path. */
export function decodePath(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}
