import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Loop, XevError } from '@xev/core';
import { open, Stats } from '../src/index.js';
import { usableBackends } from './backends.js';

let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'xev-fs-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// The Promise API drives the loop by itself, which only an attached loop does.
for (const { name } of usableBackends()) {
  describe(`Promise API: ${name} (attached)`, () => {
    let loop: Loop;
    beforeEach(() => void (loop = new Loop({ backend: name })));
    afterEach(() => loop.close());

    it("open(loop, path, 'r+'), pread at an offset, stat returns a Stats", async () => {
      const path = join(dir, 'a.txt');
      writeFileSync(path, '0123456789');
      const f = await open(loop, path, 'r+');
      const buf = Buffer.alloc(4);
      expect(await f.pread(buf, 3)).toBe(4);
      expect(buf.toString()).toBe('3456');
      const st = await f.stat();
      expect(st).toBeInstanceOf(Stats);
      expect(st.size).toBe(10);
      expect(st.isFile()).toBe(true);
      expect(st.isDirectory()).toBe(false);
      expect(st.mtime.getTime()).toBeCloseTo(st.mtimeMs, -1);
      await f.close();
    });

    it('write and pwrite write whole buffers; read follows the position and gives 0 at the end', async () => {
      const path = join(dir, 'b.bin');
      const f = await open(loop, path, 'w+');
      const big = Buffer.alloc(3 << 20, 7);
      expect(await f.write(big)).toBe(big.byteLength);
      expect(await f.pwrite('xyz', 1)).toBe(3);
      await f.sync();
      const disk = readFileSync(path);
      expect(disk.byteLength).toBe(3 << 20);
      expect(disk.subarray(0, 5)).toEqual(Buffer.from([7, 0x78, 0x79, 0x7a, 7]));
      expect(Buffer.from(await f.readAll()).equals(disk)).toBe(true);
      await f.close();
      const r = await open(loop, path, 'r');
      const chunk = Buffer.alloc(2 << 20);
      expect(await r.read(chunk)).toBe(2 << 20);
      expect(await r.read(chunk)).toBe(1 << 20);
      expect(await r.read(chunk)).toBe(0);
      await r.close();
    });

    it('64 concurrent preads of a 1 MiB file each get their own 4 KiB', async () => {
      const path = join(dir, 'c.bin');
      const data = Buffer.alloc(1 << 20);
      for (let i = 0; i < data.length; i += 4) data.writeUInt32LE(i, i);
      writeFileSync(path, data);
      const f = await open(loop, path);
      const offsets = Array.from({ length: 64 }, (_, i) => ((i * 37) % 256) * 4096);
      const bufs = offsets.map(() => Buffer.alloc(4096));
      const sizes = await Promise.all(offsets.map((o, i) => f.pread(bufs[i], o)));
      expect(sizes.every((s) => s === 4096)).toBe(true);
      offsets.forEach((o, i) => expect(bufs[i].readUInt32LE(0)).toBe(o));
      await f.close();
    });

    it('errors are XevErrors with the errno name: ENOENT, EEXIST, EBADF after close', async () => {
      await expect(open(loop, join(dir, 'missing'))).rejects.toMatchObject({ name: 'XevError', code: 'ENOENT', syscall: 'open' });
      const path = join(dir, 'd.txt');
      writeFileSync(path, '');
      await expect(open(loop, path, 'wx')).rejects.toMatchObject({ code: 'EEXIST' });
      const f = await open(loop, path, 'a');
      await f.write('tail');
      await f.close();
      await f.close(); // a second close is a no-op
      await expect(f.read(Buffer.alloc(1))).rejects.toThrow(/closed/);
      expect(readFileSync(path, 'utf8')).toBe('tail');
    });

    it('an aborted signal rejects with ECANCELED and leaves the loop idle', async () => {
      const path = join(dir, 'e.txt');
      writeFileSync(path, 'abc');
      const f = await open(loop, path);
      const controller = new AbortController();
      controller.abort(new Error('stop'));
      const error = await f.pread(Buffer.alloc(3), 0, { signal: controller.signal }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(XevError);
      expect((error as XevError).code).toBe('ECANCELED');
      expect(loop.activeCount).toBe(0);
      expect(await f.pread(Buffer.alloc(3), 0)).toBe(3);
      await f.close();
    });

    it('unknown flags are a usage error', async () => {
      await expect(open(loop, join(dir, 'x'), 'rw' as never)).rejects.toThrow(/unknown open flags/);
    });
  });
}
