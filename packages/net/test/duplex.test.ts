import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { Loop } from '@xev/core';
import { listen, XevSocket } from '../src/index.js';
import { usableBackends } from './backends.js';
import { selfSignedCertificate } from './cert.js';

let pem: { key: string; cert: string };
beforeAll(() => void (pem = selfSignedCertificate()));

function text(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (out += d));
    stream.on('end', () => resolve(out));
    stream.on('error', reject);
  });
}

for (const { name } of usableBackends()) {
  describe(`stream.Duplex bridge: ${name} (attached)`, () => {
    let loop: Loop;
    beforeEach(() => void (loop = new Loop({ backend: name })));
    afterEach(async () => {
      // Let closes issued by destroy() finish before checking the loop is idle.
      for (let i = 0; i < 50 && loop.activeCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(loop.activeCount).toBe(0);
      loop.close();
    });

    it('tls.connect({ socket }) to a real TLS server with a self-signed certificate made by the test', async () => {
      const server = tls.createServer({ key: pem.key, cert: pem.cert }, (s) => {
        s.once('data', (d) => s.end(`secure:${d.toString()}`));
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const raw = XevSocket.connect(loop, { port });
      const secure = tls.connect({ socket: raw, ca: pem.cert, servername: 'localhost' });
      await once(secure, 'secureConnect');
      expect(secure.authorized).toBe(true);
      secure.write('hello');
      expect(await text(secure)).toBe('secure:hello');
      secure.destroy();
      // A certificate we do not trust is refused.
      const untrusted = tls.connect({ socket: XevSocket.connect(loop, { port }), servername: 'localhost' });
      const [error] = await once(untrusted, 'error');
      expect((error as { code: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
      server.close();
    });

    it('TLS on the server side: tls.TLSSocket over an accepted xev connection serves a Node TLS client', async () => {
      const listener = await listen(loop);
      const served = (async () => {
        const conn = await listener.accept();
        const secure = new tls.TLSSocket(new XevSocket(conn), { isServer: true, key: pem.key, cert: pem.cert });
        secure.once('data', (d) => secure.end(`server saw ${d.toString()}`));
        await once(secure, 'close');
      })();
      const client = tls.connect({ port: listener.address.port, host: '127.0.0.1', ca: pem.cert, servername: 'localhost' });
      await once(client, 'secureConnect');
      client.write('ping');
      expect(await text(client)).toBe('server saw ping');
      client.destroy();
      await served;
      await listener.close();
    });

    it('http.request({ createConnection }) against a real http server, keep-alive off and on', async () => {
      const server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => res.end(`${req.method} ${req.url} ${body}`));
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const sockets: XevSocket[] = [];
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      (agent as unknown as { createConnection: unknown }).createConnection = () => {
        const s = XevSocket.connect(loop, { port });
        sockets.push(s);
        return s;
      };
      for (const path of ['/a', '/b', '/c']) {
        const req = http.request({ port, path, method: 'POST', agent });
        req.end('body');
        const [res] = (await once(req, 'response')) as [http.IncomingMessage];
        expect(await text(res)).toBe(`POST ${path} body`);
      }
      expect(sockets.length).toBe(1); // keep-alive reused the one xev socket
      agent.destroy();
      const once1 = http.request({ port, path: '/x', createConnection: () => XevSocket.connect(loop, { port }) });
      once1.end();
      const [res] = (await once(once1, 'response')) as [http.IncomingMessage];
      expect(await text(res)).toBe('GET /x ');
      server.close();
    });

    it('an http.Server serves connections accepted by an xev listener (server.emit("connection"))', async () => {
      const server = http.createServer((req, res) => res.end(`hi ${req.url}`));
      const listener = await listen(loop);
      const accepting = (async () => {
        for await (const conn of listener) server.emit('connection', new XevSocket(conn));
      })();
      const agent = new http.Agent({ keepAlive: true });
      const get = (path: string) =>
        new Promise<string>((resolve, reject) => {
          http.get({ port: listener.address.port, host: '127.0.0.1', path, agent }, (res) => text(res).then(resolve, reject)).on('error', reject);
        });
      expect(await Promise.all(['/1', '/2', '/3', '/4'].map(get))).toEqual(['hi /1', 'hi /2', 'hi /3', 'hi /4']);
      agent.destroy();
      server.closeAllConnections();
      await listener.close();
      await accepting;
    });

    it('the ws package client over createConnection talks to a real WebSocketServer, plain and over TLS', async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      await once(wss, 'listening');
      wss.on('connection', (ws) => ws.on('message', (m, binary) => ws.send(binary ? m : `echo:${m.toString()}`)));
      const { port } = wss.address() as AddressInfo;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { createConnection: () => XevSocket.connect(loop, { port }) as never });
      await once(ws, 'open');
      ws.send('plain');
      const [msg] = await once(ws, 'message');
      expect(String(msg)).toBe('echo:plain');
      ws.close(1000, 'done');
      const [code] = await once(ws, 'close');
      expect(code).toBe(1000);
      wss.close();

      const https = (await import('node:https')).createServer({ key: pem.key, cert: pem.cert });
      const secureWss = new WebSocketServer({ server: https });
      secureWss.on('connection', (s) => s.on('message', (m) => s.send(`tls:${m.toString()}`)));
      https.listen(0, '127.0.0.1');
      await once(https, 'listening');
      const securePort = (https.address() as AddressInfo).port;
      const wss2 = new WebSocket(`wss://localhost:${securePort}/`, {
        createConnection: () => tls.connect({ socket: XevSocket.connect(loop, { port: securePort }), ca: pem.cert, servername: 'localhost' }) as never,
      });
      await once(wss2, 'open');
      wss2.send('over tls');
      const [m2] = await once(wss2, 'message');
      expect(String(m2)).toBe('tls:over tls');
      wss2.close();
      await once(wss2, 'close');
      secureWss.close();
      https.close();
    });

    it('backpressure: a 16 MiB transfer arrives intact; end() gives the peer EOF', async () => {
      const listener = await listen(loop);
      const accepted = listener.accept();
      const client = XevSocket.connect(loop, { port: listener.address.port });
      const server = new XevSocket(await accepted);
      const data = Buffer.alloc(16 << 20);
      for (let i = 0; i < data.length; i += 4) data.writeUInt32LE(i, i);
      const chunks: Buffer[] = [];
      server.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
      const ended = once(server, 'end');
      client.end(data);
      await ended;
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
      expect(client.bytesWritten).toBe(data.length);
      expect(server.bytesRead).toBe(data.length);
      expect(server.remotePort).toBe(client.localPort);
      client.destroy();
      server.destroy();
      await listener.close();
    });

    it('a refused connect destroys the socket with ECONNREFUSED', async () => {
      const listener = await listen(loop);
      const { port } = listener.address;
      await listener.close();
      const s = XevSocket.connect(loop, { port });
      const [error] = await once(s, 'error');
      expect((error as { code: string }).code).toBe('ECONNREFUSED');
    });
  });
}
