import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallbackAction, Completion, Loop, Stat, XevUsageError } from '@xev/core';
import { File, Stats, WriteRequest } from '../src/index.js';
import { usableBackends } from './backends.js';

let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'xev-fs-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `loop` until done in its own mode. */
async function drain(loop: Loop): Promise<void> {
  if (loop.mode === 'blocking') loop.runBlocking('until_done');
  else await loop.run('until_done');
}

/** Opens `path` through the watcher and returns the File. */
async function openFile(loop: Loop, path: string, flags: Parameters<typeof File.open>[3]): Promise<File> {
  let handle = -1;
  File.open(loop, new Completion(), path, flags, 0o644, null, (_u, _l, _c, r) => void (handle = r));
  await drain(loop);
  expect(handle, 'open').toBeGreaterThanOrEqual(0);
  return new File(loop, handle);
}

async function closeFile(file: File): Promise<void> {
  let result = 1;
  file.close(new Completion(), null, (_u, _l, _c, r) => void (result = r));
  await drain(file.loop);
  expect(result).toBe(0);
}

const noop = () => CallbackAction.disarm;

for (const { name, modes } of usableBackends()) {
  for (const mode of modes) {
    describe(`File watcher: ${name} (${mode})`, () => {
      let loop: Loop;
      beforeEach(() => void (loop = new Loop({ backend: name, mode: mode as 'attached' | 'blocking' })));
      afterEach(() => loop.close());

      it('write, pread, stat, fsync and close through caller-owned completions', async () => {
        const path = join(dir, 'a.txt');
        const file = await openFile(loop, path, 'w+');
        const results: number[] = [];
        const record = (_u: null, _l: Loop, _c: Completion<null>, r: number) => void results.push(r);
        file.write(new Completion<null>(), Buffer.from('hello, file'), null, record);
        await drain(loop);
        const out = Buffer.alloc(32);
        const st = new Float64Array(Stat.count);
        file.pread(new Completion<null>(), out, 7, null, record);
        file.stat(new Completion<null>(), st, null, record);
        file.fsync(new Completion<null>(), null, record);
        await drain(loop);
        expect(results[0]).toBe(11);
        expect(results.slice(1).sort()).toEqual([0, 0, 4]);
        expect(out.subarray(0, 4).toString()).toBe('file');
        expect(new Stats(st).size).toBe(11);
        expect(new Stats(st).isFile()).toBe(true);
        await closeFile(file);
      });

      it('a read at end of file returns 0', async () => {
        const path = join(dir, 'eof.txt');
        writeFileSync(path, 'ab');
        const file = await openFile(loop, path, 'r');
        const got: number[] = [];
        const c = new Completion<null>();
        file.read(c, Buffer.alloc(8), null, (_u, _l, comp, r) => {
          got.push(r);
          return r > 0 ? CallbackAction.rearm : CallbackAction.disarm; // rearm re-issues the read
        });
        await drain(loop);
        expect(got).toEqual([2, 0]);
        await closeFile(file);
      });

      it("queued writes complete in order (libxev's 'queued writes': 1234 then 5678)", async () => {
        const path = join(dir, 'q.txt');
        const file = await openFile(loop, path, 'w+');
        const order: string[] = [];
        const req = [new WriteRequest<string>(), new WriteRequest<string>()];
        const cb = (u: string, _l: Loop, _r: WriteRequest<string>, result: number) => void order.push(`${u}:${result}`);
        file.queueWrite(req[0], Buffer.from('1234'), 'a', cb);
        file.queueWrite(req[1], Buffer.from('5678'), 'b', cb);
        expect(file.queuedWrites).toBe(2);
        await drain(loop);
        expect(order).toEqual(['a:4', 'b:4']);
        expect(readFileSync(path, 'utf8')).toBe('12345678');
        await closeFile(file);
      });

      it("queuePWrite: libxev's case — write 1234, then pwrite 000 at offset 3 — reads 123000", async () => {
        // libxev's test queues "5678" on write_req[1] and then queues the pwrite on the same, still-queued
        // write_req[1], which silently replaces the "5678" write; what reaches the file is these two.
        const path = join(dir, 'p.txt');
        const file = await openFile(loop, path, 'w+');
        file.queueWrite(new WriteRequest(), Buffer.from('1234'), null, noop);
        file.queuePWrite(new WriteRequest(), Buffer.from('000'), 3, null, noop);
        await drain(loop);
        expect(readFileSync(path, 'utf8')).toBe('123000');
        await closeFile(file);
      });

      it('queuePWrite after two queued writes lands after both (12300078); reusing a queued request is refused', async () => {
        const path = join(dir, 'p2.txt');
        const file = await openFile(loop, path, 'w+');
        const req = [new WriteRequest(), new WriteRequest(), new WriteRequest()];
        file.queueWrite(req[0], Buffer.from('1234'), null, noop);
        file.queueWrite(req[1], Buffer.from('5678'), null, noop);
        // Differs from libxev: re-queuing a request that is still queued is a clear error, and the queue is intact.
        expect(() => file.queuePWrite(req[1], Buffer.from('000'), 3, null, noop)).toThrow(XevUsageError);
        file.queuePWrite(req[2], Buffer.from('000'), 3, null, noop);
        await drain(loop);
        expect(readFileSync(path, 'utf8')).toBe('12300078');
        await closeFile(file);
      });

      it('200 queued writes of varying sizes arrive in order, byte-exact', async () => {
        const path = join(dir, 'many.bin');
        const file = await openFile(loop, path, 'w');
        const chunks = Array.from({ length: 200 }, (_, i) => Buffer.alloc(1 + ((i * 7919) % 5000), i & 0xff));
        const requests = chunks.map(() => new WriteRequest());
        let completed = 0;
        chunks.forEach((chunk, i) =>
          file.queueWrite(requests[i], chunk, i, (u) => {
            expect(u).toBe(completed++);
          }),
        );
        await drain(loop);
        expect(completed).toBe(200);
        expect(readFileSync(path).equals(Buffer.concat(chunks))).toBe(true);
        await closeFile(file);
      });

      it('a request can be reused from its own callback (rearm re-queues the same write)', async () => {
        const path = join(dir, 'rearm.txt');
        const file = await openFile(loop, path, 'w');
        let n = 0;
        file.queueWrite(new WriteRequest(), Buffer.from('ab'), null, () => (++n < 3 ? CallbackAction.rearm : CallbackAction.disarm));
        await drain(loop);
        expect(readFileSync(path, 'utf8')).toBe('ababab');
        await closeFile(file);
      });

      it('misuse is refused before it reaches the loop: an active completion, a negative offset', async () => {
        const path = join(dir, 'm.txt');
        writeFileSync(path, 'x');
        const file = await openFile(loop, path, 'r');
        const c = new Completion<null>();
        file.pread(c, Buffer.alloc(1), 0, null, noop);
        expect(() => file.pread(c, Buffer.alloc(1), 0, null, noop)).toThrow(/already active/);
        expect(() => file.pread(new Completion(), Buffer.alloc(1), -1, null, noop)).toThrow(/offset/);
        await drain(loop);
        expect(c.result).toBe(1);
        await closeFile(file);
      });
    });
  }
}
