import { createHash, randomBytes } from 'node:crypto';

/** The GUID RFC 6455 §1.3 appends to the key. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** What the server must answer for `key`: base64(SHA-1(key + GUID)). */
export function acceptFor(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** The opening handshake request and the key it carries. */
/**
 * The permessage-deflate offer (RFC 7692). No context takeover in either direction: every message is
 * compressed on its own, so the synchronous zlib calls need no stream state between messages.
 */
export const DEFLATE_OFFER = 'permessage-deflate; client_no_context_takeover; server_no_context_takeover';

export function handshakeRequest(url: URL, protocols: readonly string[], headers: Record<string, string>, deflate = false): { request: string; key: string } {
  const key = randomBytes(16).toString('base64');
  const lines = [
    `GET ${url.pathname || '/'}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (protocols.length > 0) lines.push(`Sec-WebSocket-Protocol: ${protocols.join(', ')}`);
  if (deflate) lines.push(`Sec-WebSocket-Extensions: ${DEFLATE_OFFER}`);
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name + value)) throw new TypeError(`header ${name} contains a line break`);
    lines.push(`${name}: ${value}`);
  }
  return { request: `${lines.join('\r\n')}\r\n\r\n`, key };
}

/** The parsed and checked response: the negotiated subprotocol, and the headers. */
export interface HandshakeResponse {
  readonly protocol: string;
  /** Whether the server accepted permessage-deflate. */
  readonly deflate: boolean;
  readonly headers: Record<string, string>;
}

/**
 * Checks the server's response head (everything before the blank line) against RFC 6455 §4.1: status
 * 101, `Upgrade: websocket`, `Connection: Upgrade`, the right `Sec-WebSocket-Accept`, a subprotocol only
 * from those offered, and no extension we did not offer. Throws an Error saying which check failed.
 */
export function checkHandshakeResponse(head: string, key: string, protocols: readonly string[], deflateOffered = false): HandshakeResponse {
  const [statusLine, ...lines] = head.split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(statusLine);
  if (!status) throw new Error(`WebSocket handshake failed: not an HTTP/1.1 response (${JSON.stringify(statusLine.slice(0, 60))})`);
  if (status[1] !== '101') throw new Error(`WebSocket handshake failed: the server answered ${statusLine.slice(9)} instead of 101 Switching Protocols`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  if (headers.upgrade?.toLowerCase() !== 'websocket') throw new Error(`WebSocket handshake failed: Upgrade is ${JSON.stringify(headers.upgrade ?? null)}, not "websocket"`);
  if (!(headers.connection ?? '').toLowerCase().split(/\s*,\s*/).includes('upgrade')) {
    throw new Error(`WebSocket handshake failed: Connection is ${JSON.stringify(headers.connection ?? null)}, not "Upgrade"`);
  }
  const expected = acceptFor(key);
  if (headers['sec-websocket-accept'] !== expected) {
    throw new Error(`WebSocket handshake failed: Sec-WebSocket-Accept is ${JSON.stringify(headers['sec-websocket-accept'] ?? null)}, expected ${expected}`);
  }
  const protocol = headers['sec-websocket-protocol'] ?? '';
  if (protocol && !protocols.includes(protocol)) throw new Error(`WebSocket handshake failed: the server chose subprotocol ${JSON.stringify(protocol)}, which was not offered`);
  if (!protocol && protocols.length > 0) throw new Error('WebSocket handshake failed: the server chose none of the offered subprotocols');
  const extensions = headers['sec-websocket-extensions'];
  let deflate = false;
  if (extensions) {
    const [name, ...params] = extensions.split(';').map((p) => p.trim().toLowerCase());
    // We offered no context takeover both ways; the server must keep to it (its window size is its own).
    const allowed = new Set(['client_no_context_takeover', 'server_no_context_takeover']);
    const acceptable = deflateOffered && name === 'permessage-deflate' && !extensions.includes(',') && params.includes('server_no_context_takeover') &&
      params.every((p) => allowed.has(p) || /^server_max_window_bits=\d+$/.test(p));
    if (!acceptable) throw new Error(`WebSocket handshake failed: the server enabled extensions that were not offered (${extensions})`);
    deflate = true;
  }
  return { protocol, deflate, headers };
}
