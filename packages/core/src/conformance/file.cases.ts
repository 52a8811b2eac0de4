import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpCode, OpenFlag, Stat } from '../backend/layout.js';
import { encodePath } from '../backend/address.js';
import type { Loop } from '../loop.js';
import type { CaseContext, ConformanceGroup } from './context.js';
import { assertErrno, assertOk, op, pattern, closeLater } from './helpers.js';

const text = (s: string) => new TextEncoder().encode(s);

/** Opens `path` with `flags` and returns the handle (closed after the case). */
async function open(t: CaseContext, loop: Loop, path: string, flags: number): Promise<number> {
  const o = op(loop, OpCode.open, -1, null, encodePath(path), flags, 0o644);
  await t.run(loop);
  assertOk(o.result, `open ${path}`);
  closeLater(t, loop, o.result);
  return o.result;
}

export const fileCases: ConformanceGroup = {
  name: 'files',
  cases: [
    {
      name: 'open, write, then read the bytes back from the start',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'a.txt');
        const fd = await open(t, loop, path, OpenFlag.readWrite | OpenFlag.create | OpenFlag.truncate);
        const w = op(loop, OpCode.write, fd, text('hello, xev'));
        await t.run(loop);
        assert.equal(w.result, 10);
        const out = new Uint8Array(32);
        const r = op(loop, OpCode.pread, fd, out, null, 0);
        await t.run(loop);
        assert.equal(r.result, 10);
        assert.equal(new TextDecoder().decode(out.subarray(0, 10)), 'hello, xev');
        assert.equal(readFileSync(path, 'utf8'), 'hello, xev');
      },
    },
    {
      name: 'pwrite at an offset and pread it back',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'b.bin');
        writeFileSync(path, '0123456789');
        const fd = await open(t, loop, path, OpenFlag.readWrite);
        const w = op(loop, OpCode.pwrite, fd, text('abc'), null, 4);
        await t.run(loop);
        assert.equal(w.result, 3);
        const out = new Uint8Array(4);
        const r = op(loop, OpCode.pread, fd, out, null, 3);
        await t.run(loop);
        assert.equal(r.result, 4);
        assert.equal(new TextDecoder().decode(out), '3abc');
        assert.equal(readFileSync(path, 'utf8'), '0123abc789');
      },
    },
    {
      name: 'read continues from the file position',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'c.txt');
        writeFileSync(path, 'abcdef');
        const fd = await open(t, loop, path, OpenFlag.read);
        const first = new Uint8Array(3);
        const second = new Uint8Array(3);
        const a = op(loop, OpCode.read, fd, first);
        await t.run(loop);
        const b = op(loop, OpCode.read, fd, second);
        await t.run(loop);
        assert.equal(a.result + b.result, 6);
        assert.equal(new TextDecoder().decode(first) + new TextDecoder().decode(second), 'abcdef');
      },
    },
    {
      name: 'a read at end of file returns 0',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'd.txt');
        writeFileSync(path, 'xy');
        const fd = await open(t, loop, path, OpenFlag.read);
        const r = op(loop, OpCode.pread, fd, new Uint8Array(8), null, 2);
        await t.run(loop);
        assert.equal(r.result, 0);
      },
    },
    {
      name: 'fsync succeeds on a written file',
      async run(t) {
        const loop = t.loop();
        const fd = await open(t, loop, join(t.tmpdir(), 'e.txt'), OpenFlag.write | OpenFlag.create);
        op(loop, OpCode.write, fd, text('durable'));
        const s = op(loop, OpCode.fsync, fd);
        await t.run(loop);
        assert.equal(s.result, 0);
      },
    },
    {
      name: 'stat reports the size and mode of the open file',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'f.bin');
        writeFileSync(path, new Uint8Array(12345));
        const fd = await open(t, loop, path, OpenFlag.read);
        const out = new Float64Array(Stat.count);
        const s = op(loop, OpCode.stat, fd, null, out);
        await t.run(loop);
        assert.equal(s.result, 0);
        assert.equal(out[Stat.size], 12345);
        assert.equal(out[Stat.mode] & 0o170000, 0o100000, 'a regular file');
        assert.ok(out[Stat.mtimeMs] > 1e12, 'mtime in milliseconds since the epoch');
      },
    },
    {
      name: 'a 1 MiB file is written and read back byte-exact',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'big.bin');
        const data = pattern(1 << 20, 7);
        const fd = await open(t, loop, path, OpenFlag.readWrite | OpenFlag.create);
        let written = 0;
        while (written < data.byteLength) {
          const w = op(loop, OpCode.pwrite, fd, data.subarray(written), null, written);
          await t.run(loop);
          assertOk(w.result, 'pwrite');
          written += w.result;
        }
        const out = new Uint8Array(data.byteLength);
        const reads = Array.from({ length: 16 }, (_, i) => op(loop, OpCode.pread, fd, out.subarray(i * 65536, (i + 1) * 65536), null, i * 65536));
        await t.run(loop);
        assert.ok(reads.every((r) => r.result === 65536), '16 concurrent preads');
        assert.ok(Buffer.from(out).equals(Buffer.from(data)));
      },
    },
    {
      name: 'opening a missing file gives ENOENT',
      async run(t) {
        const loop = t.loop();
        const o = op(loop, OpCode.open, -1, null, encodePath(join(t.tmpdir(), 'missing')), OpenFlag.read);
        await t.run(loop);
        assertErrno(o.result, 'ENOENT');
      },
    },
    {
      name: 'create with exclusive on an existing file gives EEXIST',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'g.txt');
        writeFileSync(path, '');
        const o = op(loop, OpCode.open, -1, null, encodePath(path), OpenFlag.write | OpenFlag.create | OpenFlag.exclusive);
        await t.run(loop);
        assertErrno(o.result, 'EEXIST');
      },
    },
    {
      name: 'append mode writes at the end',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'h.txt');
        writeFileSync(path, 'start-');
        const fd = await open(t, loop, path, OpenFlag.write | OpenFlag.append);
        op(loop, OpCode.write, fd, text('end'));
        await t.run(loop);
        assert.equal(readFileSync(path, 'utf8'), 'start-end');
      },
    },
    {
      name: 'close succeeds, and the handle is invalid afterwards (EBADF)',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'i.txt');
        writeFileSync(path, 'data');
        const o = op(loop, OpCode.open, -1, null, encodePath(path), OpenFlag.read);
        await t.run(loop);
        assertOk(o.result);
        const c = op(loop, OpCode.close, o.result);
        await t.run(loop);
        assert.equal(c.result, 0);
        const r = op(loop, OpCode.pread, o.result, new Uint8Array(4), null, 0);
        await t.run(loop);
        assertErrno(r.result, 'EBADF', 'read after close');
      },
    },
    {
      name: 'misuse: open without a NUL-terminated path is refused',
      async run(t) {
        const loop = t.loop();
        assert.throws(() => op(loop, OpCode.open, -1, null, text('no-terminator'), OpenFlag.read), /NUL-terminated/);
        await t.run(loop);
      },
    },
  ],
};
