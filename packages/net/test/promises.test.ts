import { createServer, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Loop, XevError } from '@xev/core';
import { bindUdp, connect, listen, type TcpConnection } from '../src/index.js';
import { usableBackends } from './backends.js';

async function readExactly(conn: TcpConnection, n: number): Promise<Buffer> {
  const out = Buffer.alloc(n);
  let at = 0;
  while (at < n) {
    const got = await conn.read(out.subarray(at));
    if (got === null) throw new Error(`EOF after ${at} of ${n} bytes`);
    at += got;
  }
  return out;
}

// The Promise API drives the loop by itself: attached loops.
for (const { name } of usableBackends()) {
  describe(`net Promise API: ${name} (attached)`, () => {
    let loop: Loop;
    beforeEach(() => void (loop = new Loop({ backend: name })));
    afterEach(() => {
      expect(loop.activeCount).toBe(0);
      loop.close();
    });

    it('connect, write, read, and for await over incoming connections', async () => {
      const listener = await listen(loop, { port: 0 });
      const served = (async () => {
        let n = 0;
        for await (const conn of listener) {
          n++;
          // An echo per connection, until EOF.
          void (async () => {
            const buf = Buffer.alloc(1024);
            for (let r = await conn.read(buf); r !== null; r = await conn.read(buf)) await conn.write(buf.subarray(0, r));
            await conn.close();
          })();
        }
        return n;
      })();
      const clients = await Promise.all([1, 2, 3].map(() => connect(loop, { host: 'localhost', port: listener.address.port, family: 4, noDelay: true })));
      await Promise.all(clients.map(async (c, i) => {
        await c.write(`hello ${i}`);
        expect((await readExactly(c, 7)).toString()).toBe(`hello ${i}`);
        await c.end();
        expect(await c.read(Buffer.alloc(8))).toBeNull(); // EOF: the server closed after our end()
        expect(await c.read(Buffer.alloc(8))).toBeNull(); // and keeps being EOF
        await c.close();
      }));
      await listener.close();
      expect(await served).toBe(3); // the for-await loop ended when the listener closed
    });

    it('concurrent writes go out in call order, each whole (1 MiB each)', async () => {
      const listener = await listen(loop);
      const accepted = listener.accept();
      const client = await connect(loop, { port: listener.address.port, sendBufferSize: 8192 });
      const server = await accepted;
      const parts = [0, 1, 2, 3].map((i) => Buffer.alloc(1 << 20, 0x41 + i));
      const writes = parts.map((p) => client.write(p));
      const got = await readExactly(server, 4 << 20);
      expect(await Promise.all(writes)).toEqual(parts.map((p) => p.length));
      expect(got.equals(Buffer.concat(parts))).toBe(true);
      await Promise.all([client.close(), server.close(), listener.close()]);
    });

    it('a refused connection rejects with ECONNREFUSED and releases its socket', async () => {
      const listener = await listen(loop);
      const { port } = listener.address;
      await listener.close();
      const error = await connect(loop, { port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(XevError);
      expect((error as XevError).code).toBe('ECONNREFUSED');
    });

    it('AbortSignal cancels a pending read and a pending accept in the backend; the socket still works', async () => {
      const listener = await listen(loop);
      const controller = new AbortController();
      const pendingAccept = listener.accept({ signal: controller.signal });
      controller.abort();
      await expect(pendingAccept).rejects.toMatchObject({ code: 'ECANCELED' });
      const accepted = listener.accept();
      const client = await connect(loop, { port: listener.address.port });
      const server = await accepted;
      const c2 = new AbortController();
      const read = server.read(Buffer.alloc(8), { signal: c2.signal });
      setTimeout(() => c2.abort(new Error('enough')), 20);
      const error = (await read.catch((e: unknown) => e)) as XevError;
      expect(error.code).toBe('ECANCELED');
      expect((error as { cause?: Error }).cause?.message).toBe('enough');
      await client.write('after');
      expect((await readExactly(server, 5)).toString()).toBe('after');
      await Promise.all([client.close(), server.close(), listener.close()]);
    });

    it('talks to a Node net server (a real peer on Node’s own loop)', async () => {
      const server: Server = createServer((s) => s.pipe(s));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      const conn = await connect(loop, { port });
      const data = Buffer.alloc(200_000, 7);
      const [, echoed] = await Promise.all([conn.write(data), readExactly(conn, data.length)]);
      expect(echoed.equals(data)).toBe(true);
      await conn.close();
      await new Promise((r) => server.close(r));
    });

    it('close rejects pending reads with ECANCELED; a second close is a no-op', async () => {
      const listener = await listen(loop);
      const accepted = listener.accept();
      const client = await connect(loop, { port: listener.address.port });
      const server = await accepted;
      const reads = Promise.allSettled([client.read(Buffer.alloc(4)), client.read(Buffer.alloc(4))]);
      await new Promise((r) => setTimeout(r, 10));
      await Promise.all([client.close(), client.close()]);
      for (const r of await reads) expect(r.status === 'rejected' && (r.reason as XevError).code).toBe('ECANCELED');
      await expect(client.write('x')).rejects.toThrow(/closed/);
      await Promise.all([server.close(), listener.close()]);
    });

    it('UDP: receive with the sender address; 1000 concurrent sends are never dropped', async () => {
      const a = await bindUdp(loop);
      const b = await bindUdp(loop, { recvBufferSize: 1 << 20 });
      const seen = new Set<number>();
      const buf = Buffer.alloc(16);
      const receiving = (async () => {
        while (seen.size < 1000) {
          const { bytes, from } = await b.receive(buf);
          expect(bytes).toBe(4);
          expect(from.port).toBe(a.address.port);
          seen.add(buf.readUInt32LE(0));
        }
      })();
      const sends = Array.from({ length: 1000 }, (_, i) => {
        const p = Buffer.alloc(4);
        p.writeUInt32LE(i);
        return a.send(p, { address: '127.0.0.1', port: b.address.port });
      });
      expect((await Promise.all(sends)).every((n) => n === 4)).toBe(true);
      await receiving;
      expect(seen.size).toBe(1000);
      await Promise.all([a.close(), b.close()]);
    });
  });
}
