import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpCode, OpenFlag, Stat } from '../backend/layout.js';
import { encodePath } from '../backend/address.js';
import { ECANCELED } from '../errors.js';
import type { Loop } from '../loop.js';
import type { CaseContext, ConformanceGroup } from './context.js';
import { assertErrno, assertOk, op, pattern, closeLater } from './helpers.js';

/** Opens `path` with `flags`; the handle is closed after the case unless `keep` says the case closes it. */
async function open(t: CaseContext, loop: Loop, path: string, flags: number, keep = false): Promise<number> {
  const o = op(loop, OpCode.open, -1, null, encodePath(path), flags, 0o644);
  await t.run(loop);
  assertOk(o.result, `open ${path}`);
  if (!keep) closeLater(t, loop, o.result);
  return o.result;
}

/** File cases that `@xev/fs` relies on beyond the basic set: 64-bit offsets, concurrency, close ordering. */
export const fsFileCases: ConformanceGroup = {
  name: 'files (@xev/fs)',
  cases: [
    {
      name: 'pwrite and pread at an offset past 4 GiB keep the whole 64-bit offset (sparse file)',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'sparse.bin');
        const fd = await open(t, loop, path, OpenFlag.readWrite | OpenFlag.create);
        const offset = 5 * 2 ** 30 + 123; // 5 GiB: above 2^32, so a 32-bit truncation would show
        const w = op(loop, OpCode.pwrite, fd, new TextEncoder().encode('far'), null, offset);
        await t.run(loop);
        assert.equal(w.result, 3);
        const out = new Uint8Array(3);
        const r = op(loop, OpCode.pread, fd, out, null, offset);
        await t.run(loop);
        assert.equal(r.result, 3);
        assert.equal(new TextDecoder().decode(out), 'far');
        assert.equal(statSync(path).size, offset + 3);
        const low = op(loop, OpCode.pread, fd, new Uint8Array(3), null, offset % 2 ** 32);
        await t.run(loop);
        assert.equal(low.result, 3, 'the low offset reads the hole');
      },
    },
    {
      name: '64 pwrites at distinct offsets submitted in one tick all land byte-exact',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'scatter.bin');
        const fd = await open(t, loop, path, OpenFlag.readWrite | OpenFlag.create | OpenFlag.truncate);
        const data = pattern(64 * 4096, 11);
        const writes = Array.from({ length: 64 }, (_, i) => {
          const j = (i * 29) % 64; // out of order on purpose
          return op(loop, OpCode.pwrite, fd, data.subarray(j * 4096, (j + 1) * 4096), null, j * 4096);
        });
        await t.run(loop);
        assert.ok(writes.every((w) => w.result === 4096), 'every pwrite wrote 4 KiB');
        assert.ok(readFileSync(path).equals(Buffer.from(data)));
      },
    },
    {
      name: 'truncate empties an existing file on open',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'trunc.txt');
        writeFileSync(path, 'old contents');
        const fd = await open(t, loop, path, OpenFlag.write | OpenFlag.truncate);
        const st = new Float64Array(Stat.count);
        const s = op(loop, OpCode.stat, fd, null, st);
        await t.run(loop);
        assert.equal(s.result, 0);
        assert.equal(st[Stat.size], 0);
      },
    },
    {
      name: 'a directory: stat reports a directory and read gives EISDIR',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'sub');
        mkdirSync(path);
        const fd = await open(t, loop, path, OpenFlag.read);
        const st = new Float64Array(Stat.count);
        const s = op(loop, OpCode.stat, fd, null, st);
        const r = op(loop, OpCode.read, fd, new Uint8Array(16));
        await t.run(loop);
        assert.equal(s.result, 0);
        assert.equal(st[Stat.mode] & 0o170000, 0o040000, 'a directory');
        assertErrno(r.result, 'EISDIR', 'read of a directory');
      },
    },
    {
      name: 'a write to a file opened read-only gives EBADF and changes nothing',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'ro.txt');
        writeFileSync(path, 'keep');
        const fd = await open(t, loop, path, OpenFlag.read);
        const w = op(loop, OpCode.pwrite, fd, new TextEncoder().encode('lost'), null, 0);
        await t.run(loop);
        assertErrno(w.result, 'EBADF', 'pwrite on a read-only file');
        assert.equal(readFileSync(path, 'utf8'), 'keep');
      },
    },
    {
      name: 'close with 16 preads submitted in the same tick: each completes (bytes or ECANCELED) before the close',
      async run(t) {
        const loop = t.loop();
        const path = join(t.tmpdir(), 'closing.bin');
        writeFileSync(path, pattern(16 * 4096, 5));
        const fd = await open(t, loop, path, OpenFlag.read, true);
        const reads = Array.from({ length: 16 }, (_, i) => op(loop, OpCode.pread, fd, new Uint8Array(4096), null, i * 4096));
        const closed = op(loop, OpCode.close, fd);
        await t.run(loop);
        assert.equal(closed.result, 0);
        for (const r of reads) {
          assert.ok(r.result === 4096 || r.result === ECANCELED, `a pread got 4096 or ECANCELED, not ${r.result}`);
          assert.ok(r.order < closed.order, 'the pread completed before the close');
        }
      },
    },
  ],
};
