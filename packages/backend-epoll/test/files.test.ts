import { OpenFlag, Stat } from '@xev/core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { constants, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeakedDescriptors } from './leaks.js';
import { OpCode, Ring } from './ring.js';

expectNoLeakedDescriptors();

const E = constants.errno;
const cString = (s: string) => Buffer.from(`${s}\0`);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(tmpdir(), 'xev-epoll-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

for (const mode of ['blocking', 'attached'] as const) {
  describe(`epoll files on the thread pool (${mode})`, () => {
    let ring: Ring;
    afterEach(() => ring?.close());

    it('opens, writes, reads, preads, pwrites, fsyncs, stats and closes a file', async () => {
      ring = new Ring(mode);
      const file = path.join(dir, `a-${mode}.txt`);
      const open = await ring.run(OpCode.open, {
        aux: cString(file),
        arg0: OpenFlag.readWrite | OpenFlag.create | OpenFlag.truncate,
        arg1: 0o644,
      });
      const fd = open.result;
      expect(fd).toBeGreaterThan(2);
      expect((await ring.run(OpCode.write, { handle: fd, buffer: Buffer.from('hello world') })).result).toBe(11);
      expect((await ring.run(OpCode.pwrite, { handle: fd, buffer: Buffer.from('W'), arg0: 6 })).result).toBe(1);
      expect((await ring.run(OpCode.fsync, { handle: fd })).result).toBe(0);
      const buf = new Uint8Array(5);
      expect((await ring.run(OpCode.pread, { handle: fd, buffer: buf, arg0: 6 })).result).toBe(5);
      expect(Buffer.from(buf).toString()).toBe('World');
      const st = new Float64Array(Stat.count);
      expect((await ring.run(OpCode.stat, { handle: fd, aux: st })).result).toBe(0);
      const node = fs.statSync(file);
      expect(st[Stat.size]).toBe(11);
      expect(st[Stat.ino]).toBe(node.ino);
      expect(st[Stat.mode]).toBe(node.mode);
      expect(Math.abs(st[Stat.mtimeMs] - node.mtimeMs)).toBeLessThan(1);
      // read continues from the file position, which the write moved to the end.
      expect((await ring.run(OpCode.read, { handle: fd, buffer: buf })).result).toBe(0);
      expect((await ring.run(OpCode.close, { handle: fd })).result).toBe(0);
      expect(fs.readFileSync(file, 'utf8')).toBe('hello World');
    });

    it('reports open errors and bad paths as negative errno', async () => {
      ring = new Ring(mode);
      expect((await ring.run(OpCode.open, { aux: cString(path.join(dir, 'missing')) })).result).toBe(-E.ENOENT);
      const existing = path.join(dir, `exists-${mode}`);
      fs.writeFileSync(existing, '');
      const excl = await ring.run(OpCode.open, { aux: cString(existing), arg0: OpenFlag.write | OpenFlag.create | OpenFlag.exclusive });
      expect(excl.result).toBe(-E.EEXIST);
      // No NUL terminator, no path at all, unknown flag bits.
      expect((await ring.run(OpCode.open, { aux: Buffer.from(existing) })).result).toBe(-E.EINVAL);
      expect((await ring.run(OpCode.open, {})).result).toBe(-E.EINVAL);
      expect((await ring.run(OpCode.open, { aux: cString(existing), arg0: 0x100000 })).result).toBe(-E.EINVAL);
      expect((await ring.run(OpCode.stat, { handle: 0, aux: new Float64Array(3) })).result).toBe(-E.EINVAL);
    });

    it('runs many reads concurrently and returns each to its slot', async () => {
      ring = new Ring(mode);
      const file = path.join(dir, `many-${mode}`);
      const data = Buffer.alloc(64 * 1024);
      for (let i = 0; i < data.length; i++) data[i] = i % 251;
      fs.writeFileSync(file, data);
      const fd = (await ring.run(OpCode.open, { aux: cString(file) })).result;
      const bufs = Array.from({ length: 64 }, () => new Uint8Array(1024));
      const slots = bufs.map((buffer, i) => ring.stage(OpCode.pread, { handle: fd, buffer, arg0: i * 1024 }));
      const results = await ring.wait(slots);
      expect(results.every((r) => r.result === 1024)).toBe(true);
      expect(Buffer.concat(bufs).equals(data)).toBe(true);
      ring.backend.closeSync(fd);
    });

    it('cancels pool work that has not started, and close cancels queued work on its file', async () => {
      ring = new Ring(mode);
      // Four FIFOs opened for reading block four pool threads (the default pool size) in open().
      const fifos = [0, 1, 2, 3].map((i) => path.join(dir, `fifo-${mode}-${i}`));
      for (const f of fifos) execFileSync('mkfifo', [f]);
      const opens = fifos.map((f) => ring.stage(OpCode.open, { aux: cString(f) }));
      ring.enter();
      await new Promise((r) => setTimeout(r, 50));
      const file = path.join(dir, `queued-${mode}`);
      fs.writeFileSync(file, 'data');
      const fd = fs.openSync(file, 'r');
      const buf = new Uint8Array(4);
      const queued = ring.stage(OpCode.pread, { handle: fd, buffer: buf, arg0: 0 });
      const queued2 = ring.stage(OpCode.pread, { handle: fd, buffer: buf, arg0: 0 });
      ring.enter();
      const cancel = ring.stage(OpCode.cancel, { target: queued });
      const [target, cancelled] = await ring.wait([queued, cancel]);
      expect(target.result).toBe(-E.ECANCELED);
      expect(cancelled.result).toBe(0);
      // The backend learns the descriptor is a file on first use; a close must still cancel queued work.
      const close = ring.stage(OpCode.close, { handle: fd });
      const [q2, closed] = await ring.wait([queued2, close]);
      expect(q2.result).toBe(-E.ECANCELED);
      expect(closed.result).toBe(0);
      // Unblock the FIFO opens: each completes with a descriptor.
      const writers = fifos.map((f) => fs.openSync(f, 'w'));
      const opened = await ring.wait(opens);
      for (const o of opened) {
        expect(o.result).toBeGreaterThan(2);
        ring.backend.closeSync(o.result);
      }
      for (const w of writers) fs.closeSync(w);
    });

    it('a cancel or close in the same batch as the file work it targets cancels it before any thread sees it', async () => {
      ring = new Ring(mode);
      const file = path.join(dir, `batch-${mode}`);
      fs.writeFileSync(file, 'batch');
      const fd = fs.openSync(file, 'r');
      const buf = new Uint8Array(5);
      const read = ring.stage(OpCode.pread, { handle: fd, buffer: buf, arg0: 0 });
      const cancel = ring.stage(OpCode.cancel, { target: read });
      const read2 = ring.stage(OpCode.pread, { handle: fd, buffer: buf, arg0: 0 });
      const close = ring.stage(OpCode.close, { handle: fd });
      const results = await ring.wait([read, cancel, read2, close]);
      expect(results.map((r) => r.result)).toEqual([-E.ECANCELED, 0, -E.ECANCELED, 0]);
    });

    it('a cancel of running pool work gets ENOENT after the work completes with its real result', async () => {
      ring = new Ring(mode);
      const fifo = path.join(dir, `fifo-running-${mode}`);
      execFileSync('mkfifo', [fifo]);
      const open = ring.stage(OpCode.open, { aux: cString(fifo) });
      ring.enter();
      await new Promise((r) => setTimeout(r, 50));
      const cancel = ring.stage(OpCode.cancel, { target: open });
      ring.enter();
      expect(ring.done.size).toBe(0);
      const writer = fs.openSync(fifo, 'w');
      const [o, c] = await ring.wait([open, cancel]);
      expect(o.result).toBeGreaterThan(2);
      expect(c.result).toBe(-E.ENOENT);
      expect(ring.order.slice(-2)).toEqual([open, cancel]);
      // A FIFO is not a regular file: reads on it wait for readiness instead of blocking a thread.
      const buf = new Uint8Array(8);
      const read = ring.stage(OpCode.read, { handle: o.result, buffer: buf });
      ring.enter();
      fs.writeSync(writer, 'fifo!');
      expect((await ring.wait(read))[0].result).toBe(5);
      fs.closeSync(writer);
      ring.backend.closeSync(o.result);
    });
  });
}

describe('epoll thread pool teardown', () => {
  it('destroy does not hang on a pool thread stuck in a blocking syscall', async () => {
    const ring = new Ring('blocking');
    const fifo = path.join(dir, 'fifo-stuck');
    execFileSync('mkfifo', [fifo]);
    ring.stage(OpCode.open, { aux: cString(fifo) });
    ring.enter();
    await new Promise((r) => setTimeout(r, 20));
    const t = performance.now();
    ring.backend.destroy();
    expect(performance.now() - t).toBeLessThan(2000);
    // Release the stuck thread: its open completes into the leaked record and the thread exits. Nobody is
    // left to receive the descriptor that open returned, so close it here.
    const writer = fs.openSync(fifo, 'w');
    await new Promise((r) => setTimeout(r, 50));
    for (const fd of fs.readdirSync('/proc/self/fd')) {
      let target = '';
      try {
        target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        continue;
      }
      if (target === fifo && Number(fd) !== writer) fs.closeSync(Number(fd));
    }
    fs.closeSync(writer);
  });
});
