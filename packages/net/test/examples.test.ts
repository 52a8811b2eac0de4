import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { usableBackends } from './backends.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Starts an example with `--port 0` and resolves the port it printed. */
async function start(script: string, args: string[]): Promise<number> {
  const child = spawn(process.execPath, [join(root, script), '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  for await (const chunk of child.stdout!) {
    out += String(chunk);
    const m = /(?:127\.0\.0\.1):(\d+)/.exec(out);
    if (m) return Number(m[1]);
  }
  throw new Error(`${script} exited without printing its port: ${out}`);
}

/** Sends `payload` on a raw socket and collects everything until the server closes or `until` matches. */
async function exchange(port: number, payload: string, until?: (text: string) => boolean): Promise<{ text: string; closedByServer: boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(payload);
  let text = '';
  let closedByServer = false;
  await new Promise<void>((resolve) => {
    socket.on('data', (d) => {
      text += String(d);
      if (until?.(text)) resolve();
    });
    socket.on('end', () => {
      closedByServer = true;
      resolve();
    });
  });
  socket.destroy();
  return { text, closedByServer };
}

const backends = usableBackends().map((b) => b.name);

describe.each(backends)('examples/http-server on %s', (backend) => {
  it('answers pipelined requests in request order, even when the first one is slower', async () => {
    const port = await start('examples/http-server/server.mjs', ['--backend', backend]);
    const pipeline =
      'GET /delay?ms=80 HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET / HTTP/1.1\r\nHost: x\r\n\r\n' +
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde' +
      'GET /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' +
      'GET /never HTTP/1.1\r\nHost: x\r\n\r\n'; // after Connection: close: not answered
    const { text, closedByServer } = await exchange(port, pipeline);
    const bodies = text.split('HTTP/1.1 ').slice(1).map((r) => r.slice(r.indexOf('\r\n\r\n') + 4));
    expect(bodies).toEqual(['delayed 80', 'Hello, World!', 'abcde', JSON.stringify({ backend, method: 'GET' })]);
    expect(closedByServer).toBe(true);
    expect(text).toContain('connection: close');
  });

  it('parses a request that arrives a few bytes at a time, body included', async () => {
    const port = await start('examples/http-server/server.mjs', ['--backend', backend]);
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await once(socket, 'connect');
    const request = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world';
    let text = '';
    socket.on('data', (d) => (text += String(d)));
    const ended = once(socket, 'end');
    for (let i = 0; i < request.length; i += 7) {
      socket.write(request.slice(i, i + 7));
      await new Promise((r) => setTimeout(r, 2));
    }
    await ended;
    expect(text).toMatch(/^HTTP\/1.1 200 OK/);
    expect(text.endsWith('\r\n\r\nhello world')).toBe(true);
    socket.destroy();
  });

  it('keeps connections alive across requests (http.Agent reuses the socket) and refuses bad requests', async () => {
    const port = await start('examples/http-server/server.mjs', ['--backend', backend]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const reused: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const body = await new Promise<string>((resolve, reject) => {
        const req = http.get({ port, host: '127.0.0.1', path: '/', agent }, (res) => {
          let b = '';
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve(b));
        });
        req.on('error', reject);
        reused.push(req.reusedSocket);
      });
      expect(body).toBe('Hello, World!');
    }
    expect(reused).toEqual([false, true, true, true, true]);
    agent.destroy();
    const bad = await exchange(port, 'NONSENSE\r\n\r\n');
    expect(bad.text).toMatch(/^HTTP\/1.1 400 /);
    expect(bad.closedByServer).toBe(true);
  });
});

describe.each(usableBackends().flatMap((b) => b.modes.map((m) => [b.name, m] as const)))('examples/echo-server on %s (%s)', (backend, mode) => {
  it('echoes every byte, in order, and closes after the client ends', async () => {
    const port = await start('examples/echo-server/server.mjs', ['--backend', backend, '--mode', mode]);
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const data = Buffer.alloc(2 << 20);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.end(data);
    await once(socket, 'end');
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    socket.destroy();
  });
});
