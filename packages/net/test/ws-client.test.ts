import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Loop } from '@xev/core';
import { connectWebSocket, WebSocketProtocolError } from '../src/index.js';
import { acceptFor } from '../src/ws/handshake.js';
import { usableBackends } from './backends.js';
import { selfSignedCertificate } from './cert.js';

let pem: { key: string; cert: string };
beforeAll(() => void (pem = selfSignedCertificate()));

/** An unmasked server frame, built by hand so tests can break any rule. */
function frame(opcode: number, payload: Buffer | string, { fin = true, rsv = 0, mask = false, length }: { fin?: boolean; rsv?: number; mask?: boolean; length?: number } = {}): Buffer {
  const body = Buffer.from(payload);
  const n = length ?? body.length;
  const head = n < 126 ? Buffer.from([0, n]) : Buffer.from([0, 126, n >> 8, n & 0xff]);
  head[0] = (fin ? 0x80 : 0) | rsv | opcode;
  if (mask) {
    head[1] |= 0x80;
    return Buffer.concat([head, Buffer.from([0, 0, 0, 0]), body]);
  }
  return Buffer.concat([head, body]);
}

/** Decodes the client's (masked) frames, to check what the client sent back. */
function clientFrames(bytes: Buffer): { opcode: number; payload: Buffer }[] {
  const out: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  while (at + 6 <= bytes.length) {
    let n = bytes[at + 1] & 0x7f;
    let off = at + 2;
    if (n === 126) {
      n = bytes.readUInt16BE(at + 2);
      off += 2;
    }
    const mask = bytes.subarray(off, off + 4);
    const payload = Buffer.from(bytes.subarray(off + 4, off + 4 + n).map((b, i) => b ^ mask[i & 3]));
    out.push({ opcode: bytes[at] & 0x0f, payload });
    at = off + 4 + n;
  }
  return out;
}

const rawSockets = new Map<Server, Socket>();

/** A raw TCP server that completes the handshake (or answers `response`) and then sends `frames`. */
async function rawServer(onSocket: (socket: Socket, key: string) => void): Promise<{ server: Server; port: number; received: Buffer[] }> {
  const received: Buffer[] = [];
  const server = createServer((socket) => {
    rawSockets.set(server, socket);
    let head = '';
    socket.on('data', function first(chunk: Buffer) {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', first);
      socket.on('data', (d: Buffer) => received.push(d));
      const key = /Sec-WebSocket-Key: (.*)\r\n/i.exec(head)![1];
      onSocket(socket, key);
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, received };
}

const upgrade = (key: string, extra = '') =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n${extra}\r\n`;

const malformed: { name: string; bytes: Buffer; closeCode: number; message: RegExp; maxPayload?: number }[] = [
  { name: 'reserved bit RSV1 without an extension', bytes: frame(1, 'x', { rsv: 0x40 }), closeCode: 1002, message: /reserved bits/ },
  { name: 'unknown opcode 0x3', bytes: frame(3, 'x'), closeCode: 1002, message: /unknown opcode 0x3/ },
  { name: 'a masked server frame', bytes: frame(1, 'x', { mask: true }), closeCode: 1002, message: /masked/ },
  { name: 'a fragmented ping', bytes: frame(9, 'x', { fin: false }), closeCode: 1002, message: /fragmented control/ },
  { name: 'a 126-byte control frame', bytes: frame(9, Buffer.alloc(126)), closeCode: 1002, message: /control frame of 126/ },
  { name: 'a continuation with nothing to continue', bytes: frame(0, 'x'), closeCode: 1002, message: /continuation/ },
  { name: 'a new text frame inside a fragmented message', bytes: Buffer.concat([frame(1, 'a', { fin: false }), frame(1, 'b')]), closeCode: 1002, message: /inside a fragmented/ },
  { name: 'invalid UTF-8 in a text message', bytes: frame(1, Buffer.from([0x68, 0xc3, 0x28])), closeCode: 1007, message: /UTF-8/ },
  { name: 'a close frame with a 1-byte payload', bytes: frame(8, Buffer.from([3])), closeCode: 1002, message: /1-byte/ },
  { name: 'close code 1005 on the wire', bytes: frame(8, Buffer.from([0x03, 0xed])), closeCode: 1002, message: /invalid close code 1005/ },
  { name: 'a frame over maxPayload', bytes: frame(2, Buffer.alloc(2000)), closeCode: 1009, message: /maxPayload/, maxPayload: 1024 },
];

for (const { name } of usableBackends()) {
  describe(`WebSocket client: ${name} (attached)`, () => {
    let loop: Loop;
    beforeEach(() => void (loop = new Loop({ backend: name })));
    afterEach(async () => {
      for (let i = 0; i < 50 && loop.activeCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(loop.activeCount).toBe(0);
      loop.close();
    });

    it('talks to a ws WebSocketServer: text, binary, fragmented sends, 1 MiB, ping/pong, subprotocol, clean close', async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (set) => (set.has('chat') ? 'chat' : false) });
      await once(wss, 'listening');
      let serverClose: [number, string] | null = null;
      wss.on('connection', (s) => {
        s.on('message', (m, binary) => s.send(binary ? m : `echo:${m.toString()}`, { binary }));
        s.on('close', (code, reason) => (serverClose = [code, reason.toString()]));
        s.ping('from-server');
      });
      const ws = await connectWebSocket(loop, `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/path?q=1`, { protocols: ['chat', 'other'] });
      expect(ws.protocol).toBe('chat');
      const messages = ws[Symbol.asyncIterator]();
      const [serverPing] = await once(ws, 'ping');
      expect(String(serverPing)).toBe('from-server');
      await ws.send('héllo ✓');
      expect((await messages.next()).value).toEqual({ data: 'echo:héllo ✓', isBinary: false });
      await ws.send('split into pieces', { fragmentSize: 3 });
      expect((await messages.next()).value).toEqual({ data: 'echo:split into pieces', isBinary: false });
      const big = Buffer.alloc(1 << 20);
      for (let i = 0; i < big.length; i++) big[i] = i * 31;
      await ws.send(big);
      const echoed = (await messages.next()).value as { data: Buffer; isBinary: boolean };
      expect(echoed.isBinary).toBe(true);
      expect(echoed.data.equals(big)).toBe(true);
      const pong = once(ws, 'pong');
      await ws.ping('p1');
      expect(String((await pong)[0])).toBe('p1');
      const info = await ws.close(1000, 'bye');
      expect(info).toMatchObject({ code: 1000, wasClean: true });
      expect(await messages.next()).toEqual({ done: true, value: undefined });
      await new Promise((r) => setTimeout(r, 20));
      expect(serverClose).toEqual([1000, 'bye']);
      wss.close();
    });

    it('permessage-deflate: negotiated with a ws server that compresses everything; large messages go both ways compressed', async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { threshold: 0 } });
      await once(wss, 'listening');
      const seenByServer: string[] = [];
      wss.on('connection', (s) => s.on('message', (m) => (seenByServer.push(m.toString()), s.send(`echo:${m.toString()}`))));
      const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
      const ws = await connectWebSocket(loop, url, { perMessageDeflate: true });
      expect(ws.compressed).toBe(true);
      const text = 'xev '.repeat(50_000); // 200 KB that compress to a few hundred bytes
      const reply = once(ws, 'message');
      await ws.send(text);
      expect((await reply)[0]).toBe(`echo:${text}`);
      expect(seenByServer).toEqual([text]);
      const small = once(ws, 'message');
      await ws.send('tiny'); // under 1 KiB: sent uncompressed, answered compressed
      expect((await small)[0]).toBe('echo:tiny');
      await ws.close();
      // A server without the extension declines the offer, and nothing is compressed.
      const plain = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      await once(plain, 'listening');
      plain.on('connection', (s) => s.on('message', (m) => s.send(m.toString())));
      const ws2 = await connectWebSocket(loop, `ws://127.0.0.1:${(plain.address() as AddressInfo).port}/`, { perMessageDeflate: true });
      expect(ws2.compressed).toBe(false);
      await ws2.send(text);
      expect((await once(ws2, 'message'))[0]).toBe(text);
      await ws2.close();
      wss.close();
      plain.close();
    });

    it('permessage-deflate: a compressed frame that does not inflate fails with 1007; an extension we did not offer fails the handshake', async () => {
      const raw = await rawServer((s, key) => {
        s.write(Buffer.concat([Buffer.from(upgrade(key, 'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n')), frame(1, Buffer.from([0xff, 0xff, 0xff]), { rsv: 0x40 })]));
      });
      const ws = await connectWebSocket(loop, `ws://127.0.0.1:${raw.port}/`, { perMessageDeflate: true });
      ws.on('error', () => {});
      const info = await ws.closed;
      expect(info.code).toBe(1007);
      expect(info.error!.message).toMatch(/does not inflate/);
      raw.server.close();
      const pushy = await rawServer((s, key) => s.write(upgrade(key, 'Sec-WebSocket-Extensions: permessage-deflate\r\n')));
      await expect(connectWebSocket(loop, `ws://127.0.0.1:${pushy.port}/`)).rejects.toThrow(/extensions that were not offered/);
      pushy.server.close();
    });

    it('a server-initiated close is echoed and reported with its code and reason', async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      await once(wss, 'listening');
      wss.on('connection', (s) => s.close(4001, 'custom'));
      const ws = await connectWebSocket(loop, `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
      const [code, reason] = await once(ws, 'close');
      expect([code, reason]).toEqual([4001, 'custom']);
      expect((await ws.closed).wasClean).toBe(true);
      await expect(ws.send('late')).rejects.toThrow(/closed/);
      wss.close();
    });

    it('wss: over TLS with the self-signed certificate the test made; an untrusted certificate is refused', async () => {
      const https = createHttpsServer({ key: pem.key, cert: pem.cert });
      const wss = new WebSocketServer({ server: https });
      wss.on('connection', (s) => s.on('message', (m) => s.send(`tls:${m.toString()}`)));
      https.listen(0, '127.0.0.1');
      await once(https, 'listening');
      const port = (https.address() as AddressInfo).port;
      const ws = await connectWebSocket(loop, `wss://localhost:${port}/`, { ca: pem.cert });
      await ws.send('secret');
      const [m] = await once(ws, 'message');
      expect(m).toBe('tls:secret');
      await ws.close();
      await expect(connectWebSocket(loop, `wss://localhost:${port}/`)).rejects.toThrow(/self-signed/);
      wss.close();
      https.close();
    });

    it('handshake failures are clear errors: a 200 answer, a wrong Sec-WebSocket-Accept', async () => {
      const ok200 = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
      await expect(connectWebSocket(loop, `ws://127.0.0.1:${ok200.port}/`)).rejects.toThrow(/answered 200 OK instead of 101/);
      ok200.server.close();
      const wrong = await rawServer((s) => s.write(upgrade('not-the-key')));
      await expect(connectWebSocket(loop, `ws://127.0.0.1:${wrong.port}/`)).rejects.toThrow(/Sec-WebSocket-Accept/);
      wrong.server.close();
    });

    it('reassembles a fragmented message with a ping between the fragments, and answers the ping', async () => {
      const raw = await rawServer((s, key) => {
        s.write(Buffer.concat([Buffer.from(upgrade(key)), frame(1, 'Hel', { fin: false }), frame(9, 'mid'), frame(0, 'lo, ', { fin: false }), frame(0, 'world')]));
      });
      const ws = await connectWebSocket(loop, `ws://127.0.0.1:${raw.port}/`);
      const [m] = await once(ws, 'message');
      expect(m).toBe('Hello, world');
      await new Promise((r) => setTimeout(r, 30));
      const sent = clientFrames(Buffer.concat(raw.received));
      expect(sent[0]).toEqual({ opcode: 10, payload: Buffer.from('mid') }); // the pong echoes the ping
      // This raw server never answers a close: the client drops the socket after its 5 s grace, or at once
      // when the server goes away, as here.
      const closing = ws.close();
      raw.server.close();
      rawSockets.get(raw.server)?.destroy();
      expect((await closing).wasClean).toBe(false);
    });

    for (const bad of malformed) {
      it(`a malformed frame (${bad.name}) fails the connection with ${bad.closeCode} and a clear error; nothing else is lost`, async () => {
        const raw = await rawServer((s, key) => {
          s.write(Buffer.concat([Buffer.from(upgrade(key)), frame(1, 'before'), bad.bytes]));
        });
        // A healthy connection on the same loop, to show it is unaffected.
        const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
        await once(wss, 'listening');
        wss.on('connection', (s) => s.on('message', (m) => s.send(m.toString())));
        const healthy = await connectWebSocket(loop, `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);

        const ws = await connectWebSocket(loop, `ws://127.0.0.1:${raw.port}/`, bad.maxPayload ? { maxPayload: bad.maxPayload } : {});
        const got: unknown[] = [];
        ws.on('message', (m) => got.push(m));
        const errors: Error[] = [];
        ws.on('error', (e) => errors.push(e));
        const info = await ws.closed;
        expect(got).toEqual(['before']); // delivered before the bad frame
        expect(info.code).toBe(bad.closeCode);
        expect(info.wasClean).toBe(false);
        expect(info.error).toBeInstanceOf(WebSocketProtocolError);
        expect(info.error!.message).toMatch(bad.message);
        expect(errors).toEqual([info.error]);
        const close = clientFrames(Buffer.concat(raw.received)).find((f) => f.opcode === 8);
        expect(close?.payload.readUInt16BE(0)).toBe(bad.closeCode); // the server was told why

        await healthy.send('still fine');
        expect((await once(healthy, 'message'))[0]).toBe('still fine');
        await healthy.close();
        wss.close();
        raw.server.close();
      });
    }
  });
}
