import { constants } from 'node:os';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Addr, OpCode, OpenFlag, PollEvent, ShutdownHow, SockOpt, SockType, Stat, decodeAddress, encodeAddress, encodePath } from '@xev/core';
import { backend } from '../src/index.js';
import { Harness } from './harness.js';

const E = constants.errno;
const open: Harness[] = [];
const dirs: string[] = [];
function make(mode: 'attached' | 'blocking', entries = 64, cqEntries = entries): Harness {
  const h = new Harness(backend, mode, entries, cqEntries);
  open.push(h);
  return h;
}
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'xev-iouring-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const h of open.splice(0)) h.backend.destroy();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('probe', () => {
  it('reports io_uring usable on this kernel, with the kernel in its detail', () => {
    const p = backend.probe();
    expect(p.usable).toBe(true);
    if (p.usable) expect(p.detail).toMatch(/io_uring on Linux/);
    expect(backend.name).toBe('io_uring');
    expect(backend.modes).toEqual(['attached', 'blocking']);
  });
});

for (const mode of ['attached', 'blocking'] as const) {
  describe(`io_uring ${mode}: the enter cycle`, () => {
    it('64 nops in one enter complete with result 0, each slot once', () => {
      const h = make(mode);
      const slots = Array.from({ length: 64 }, () => h.stage(OpCode.nop));
      const out = h.enter(0);
      expect(out.length).toBe(64);
      expect(out.map((c) => c[0]).sort((a, b) => a - b)).toEqual(slots);
      expect(out.every((c) => c[1] === 0 && c[2] === 0)).toBe(true);
    });

    it('completions beyond cqEntries wait for the next enter and none is lost', async () => {
      const h = make(mode, 64, 16);
      for (let i = 0; i < 64; i++) h.stage(OpCode.nop);
      expect(h.enter(0).length).toBe(16);
      const rest = await h.until(Array.from({ length: 64 }, (_, i) => i));
      expect(rest.every((r) => r === 0)).toBe(true);
    });

    it('slots far apart (the loop reuses freed slots) are echoed exactly', () => {
      const h = make(mode);
      h.stage(OpCode.nop, {}, 100_000);
      h.stage(OpCode.nop, {}, 3);
      expect(h.enter(0).map((c) => c[0]).sort((a, b) => a - b)).toEqual([3, 100_000]);
    });

    it('files: open, write, pwrite, read at the position, pread, fsync, stat, close', async () => {
      const h = make(mode);
      const path = join(tmp(), 'f.txt');
      const o = h.stage(OpCode.open, { aux: encodePath(path), arg0: OpenFlag.readWrite | OpenFlag.create, arg1: 0o640 });
      const [fd] = await h.until([o]);
      expect(fd).toBeGreaterThanOrEqual(0);
      const w = h.stage(OpCode.write, { handle: fd, buffer: Buffer.from('hello ') });
      const pw = h.stage(OpCode.pwrite, { handle: fd, buffer: Buffer.from('world'), arg0: 6 });
      expect(await h.until([w, pw])).toEqual([6, 5]);
      const fs = h.stage(OpCode.fsync, { handle: fd });
      expect(await h.until([fs])).toEqual([0]);
      expect(readFileSync(path, 'utf8')).toBe('hello world');
      const small = new Uint8Array(5);
      const pr = h.stage(OpCode.pread, { handle: fd, buffer: small, arg0: 6 });
      expect(await h.until([pr])).toEqual([5]);
      expect(Buffer.from(small).toString()).toBe('world');
      const st = new Float64Array(Stat.count);
      const s = h.stage(OpCode.stat, { handle: fd, aux: st });
      expect(await h.until([s])).toEqual([0]);
      const node = statSync(path);
      expect(st[Stat.size]).toBe(11);
      expect(st[Stat.ino]).toBe(node.ino);
      expect(st[Stat.mode]).toBe(node.mode);
      expect(st[Stat.mode] & 0o777).toBe(0o640);
      expect(Math.abs(st[Stat.mtimeMs] - node.mtimeMs)).toBeLessThan(1);
      const c = h.stage(OpCode.close, { handle: fd });
      expect(await h.until([c])).toEqual([0]);
      // read(2) semantics: a fresh handle reads from position 0 and moves on.
      const o2 = h.stage(OpCode.open, { aux: encodePath(path), arg0: OpenFlag.read });
      const [fd2] = await h.until([o2]);
      const a = new Uint8Array(6);
      const b = new Uint8Array(16);
      const r1 = h.stage(OpCode.read, { handle: fd2, buffer: a });
      expect(await h.until([r1])).toEqual([6]);
      const r2 = h.stage(OpCode.read, { handle: fd2, buffer: b });
      expect(await h.until([r2])).toEqual([5]);
      const r3 = h.stage(OpCode.read, { handle: fd2, buffer: b });
      expect(await h.until([r3])).toEqual([0]);
      expect(h.backend.closeSync(fd2)).toBe(0);
    });

    it('open: a missing file is ENOENT, exclusive on an existing file is EEXIST, append appends', async () => {
      const h = make(mode);
      const dir = tmp();
      const missing = h.stage(OpCode.open, { aux: encodePath(join(dir, 'nope')), arg0: OpenFlag.read });
      writeFileSync(join(dir, 'x'), 'ab');
      const excl = h.stage(OpCode.open, { aux: encodePath(join(dir, 'x')), arg0: OpenFlag.write | OpenFlag.create | OpenFlag.exclusive });
      const app = h.stage(OpCode.open, { aux: encodePath(join(dir, 'x')), arg0: OpenFlag.write | OpenFlag.append });
      const [m, e, fd] = await h.until([missing, excl, app]);
      expect(m).toBe(-E.ENOENT);
      expect(e).toBe(-E.EEXIST);
      const w = h.stage(OpCode.write, { handle: fd, buffer: Buffer.from('cd') });
      expect(await h.until([w])).toEqual([2]);
      expect(readFileSync(join(dir, 'x'), 'utf8')).toBe('abcd');
      const t = h.stage(OpCode.open, { aux: encodePath(join(dir, 'x')), arg0: OpenFlag.write | OpenFlag.truncate });
      const [fd2] = await h.until([t]);
      expect(readFileSync(join(dir, 'x'), 'utf8')).toBe('');
      h.backend.closeSync(fd);
      h.backend.closeSync(fd2);
    });
  });
}

describe('the uniform cancel rule when the kernel says EALREADY', () => {
  it('cancelling an fsync already running in io-wq: the fsync keeps its result and the cancel, after it, gets ENOENT', () => {
    // Through the addon itself, for its stats: fsync always runs in an io-wq worker, and 64 MiB of dirty
    // pages keep it running long enough for the cancel to find it busy (the kernel answers -EALREADY).
    const addon = createRequire(import.meta.url)(join(__dirname, '..', 'build', process.env.XEV_IOURING_DEBUG === '1' ? 'Debug' : 'Release', 'xev_iouring.node'));
    const path = join(tmp(), 'dirty.bin');
    let already = 0;
    for (const flags of [0, 2]) {
      const inst = new addon.Instance(16, flags);
      const sq = new Float64Array(16 * 6);
      const cq = new Float64Array(16 * 3);
      inst.init(sq, new Array(32).fill(null), cq);
      const fd = openSync(path, 'w');
      writeSync(fd, Buffer.alloc(64 << 20, 1));
      const out: number[][] = [];
      const take = (n: number) => {
        for (let i = 0; i < n; i++) out.push([cq[i * 3], cq[i * 3 + 1]]);
      };
      sq.set([OpCode.fsync, 0, fd, 0, 0, -1]);
      take(inst.enter(1, 0));
      sq.set([OpCode.cancel, 1, -1, 0, 0, 0]);
      take(inst.enter(1, 0));
      const end = performance.now() + 10_000;
      while (out.length < 2 && performance.now() < end) take(inst.enter(0, flags & 2 ? 50 : 0));
      // Either the cancel won (the fsync had not started) or the fsync did; never both, never neither.
      expect(out.length).toBe(2);
      expect(out[0][0]).toBe(0);
      expect(out[1][0]).toBe(1);
      expect([[0, -E.ECANCELED, 1, 0].join(), [0, 0, 1, -E.ENOENT].join()]).toContain([...out[0], ...out[1]].join());
      already += inst.stats().cancelAlready;
      closeSync(fd);
      inst.destroy();
    }
    console.log(`the kernel answered EALREADY to ${already} of 2 cancels`);
  });
});

describe('batches larger than the kernel ring', () => {
  it('an sq batch of 200 entries through a 4-entry ring is submitted in pieces and every entry completes', () => {
    const addon = createRequire(import.meta.url)(join(__dirname, '..', 'build', process.env.XEV_IOURING_DEBUG === '1' ? 'Debug' : 'Release', 'xev_iouring.node'));
    for (const flags of [0, 2]) {
      const inst = new addon.Instance(4, flags);
      const sq = new Float64Array(200 * 6);
      const cq = new Float64Array(256 * 3);
      inst.init(sq, new Array(400).fill(null), cq);
      for (let i = 0; i < 200; i++) sq.set([OpCode.nop, i, -1, 0, 0, -1], i * 6);
      let n = inst.enter(200, 0);
      const seen = new Set<number>();
      for (;;) {
        for (let i = 0; i < n; i++) seen.add(cq[i * 3]);
        if (seen.size === 200) break;
        n = inst.enter(0, flags & 2 ? 10 : 0);
      }
      expect(seen.size).toBe(200);
      expect(inst.stats().protocolErrors).toBe(0);
      inst.destroy();
    }
  });
});

describe('io_uring attached: completions the ring fd cannot show', () => {
  it('completions left over when cq is full still wake Node (a no-op CQE makes the fd readable)', async () => {
    const h = new Harness(backend, 'attached', 64, 4);
    open.push(h);
    let wakes = 0;
    h.backend.attach(() => {
      wakes++;
      h.enter(0);
    });
    h.backend.setRef(true);
    // 64 bad handles: 64 completions made by the backend itself, with no CQE in the kernel's ring.
    const slots = Array.from({ length: 64 }, () => h.stage(OpCode.read, { handle: 2e9, buffer: new Uint8Array(1) }));
    expect(h.enter(0).length).toBe(4);
    const end = performance.now() + 5000;
    while (!slots.every((s) => h.results.has(s)) && performance.now() < end) await new Promise((r) => setTimeout(r, 5));
    expect(slots.every((s) => h.results.get(s)?.result === -E.EBADF)).toBe(true);
    expect(wakes).toBeGreaterThanOrEqual(15);
    h.backend.setRef(false);
  });
});

describe('destroy with operations in flight', () => {
  it('cancels them and waits for the kernel to let go of their memory, quickly', async () => {
    for (const mode of ['attached', 'blocking'] as const) {
      const h = new Harness(backend, mode, 16);
      const dir = tmp();
      const fd = openSync(join(dir, 'big'), 'w');
      writeSync(fd, Buffer.alloc(16 << 20, 2));
      const l = h.backend.socket(4, SockType.stream);
      h.backend.bind(l, encodeAddress('127.0.0.1', 0));
      h.backend.listen(l, 8);
      h.stage(OpCode.accept, { handle: l, aux: new Uint8Array(Addr.size) });
      h.stage(OpCode.fsync, { handle: fd });
      h.stage(OpCode.stat, { handle: fd, aux: new Float64Array(Stat.count) });
      h.enter(0);
      const t0 = performance.now();
      h.backend.destroy();
      expect(performance.now() - t0).toBeLessThan(2500);
      closeSync(fd);
      expect(() => closeSync(l)).not.toThrow(); // the socket is the caller's: destroy leaves handles alone
    }
  });
});

describe('bad input never crashes', () => {
  it('ring entries: bad handles, non-buffers, detached buffers, bad paths and opcodes complete with an errno', async () => {
    const h = make('attached');
    const detached = new Uint8Array(8);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    const cases: [number, number][] = [
      [h.stage(OpCode.recv, { handle: 987_654, buffer: new Uint8Array(4) }), -E.EBADF],
      [h.stage(OpCode.recv, { handle: 2e9, buffer: new Uint8Array(4) }), -E.EBADF],
      [h.stage(OpCode.read, { handle: -1, buffer: new Uint8Array(4) }), -E.EBADF],
      [h.stage(OpCode.read, { handle: 1.5, buffer: new Uint8Array(4) }), -E.EBADF],
      [h.stage(OpCode.read, { handle: Number.NaN, buffer: new Uint8Array(4) }), -E.EBADF],
      [h.stage(OpCode.read, { handle: 0, buffer: 'a string' }), -E.EINVAL],
      [h.stage(OpCode.read, { handle: 0, buffer: { length: 4 } }), -E.EINVAL],
      [h.stage(OpCode.read, { handle: 0, buffer: null }), -E.EINVAL],
      [h.stage(OpCode.read, { handle: 0, buffer: detached }), -E.EFAULT],
      [h.stage(OpCode.open, { aux: new Uint8Array([0x2f, 0x74]) }), -E.EINVAL], // not NUL-terminated
      [h.stage(OpCode.open, { aux: encodePath('/tmp'), arg0: 0x10000 }), -E.EINVAL], // unknown flag bit
      [h.stage(OpCode.stat, { handle: 0, aux: new Uint8Array(200) }), -E.EINVAL], // not a Float64Array
      [h.stage(OpCode.connect, { handle: 0, aux: new Uint8Array(4) }), -E.EINVAL], // address too short
      [h.stage(OpCode.pread, { handle: 0, buffer: new Uint8Array(4), arg0: -5 }), -E.EINVAL],
      [h.stage(OpCode.shutdown, { handle: 0, arg0: 7 }), -E.EINVAL],
      [h.stage(OpCode.poll, { handle: 0, arg0: 0x400 }), -E.EINVAL],
      [h.stage(OpCode.timer), -E.EINVAL], // loop-level opcodes never belong here
      [h.stage(999), -E.EINVAL],
      [h.stage(OpCode.cancel, { target: 55_555 }), -E.ENOENT],
    ];
    const results = await h.until(cases.map((c) => c[0]));
    expect(results).toEqual(cases.map((c) => c[1]));
  });

  it('control calls: wrong types throw TypeError; bad handles return EBADF', () => {
    const h = make('attached');
    const b = h.backend;
    expect(() => b.bind('x' as never, new Uint8Array(28))).toThrow(TypeError);
    expect(() => b.bind(3, 'x' as never)).toThrow(TypeError);
    expect(() => b.socket('4' as never, 1)).toThrow(TypeError);
    expect(() => b.spawn(42 as never, [], {})).toThrow(TypeError);
    expect(() => b.spawn('/bin/true', [1] as never, {})).toThrow(TypeError);
    expect(() => b.enter('1' as never, 0)).toThrow(TypeError);
    expect(() => b.enter(1e6, 0)).toThrow(RangeError);
    expect(() => b.attach(42 as never)).toThrow(TypeError);
    const blocking = make('blocking').backend;
    expect(() => blocking.attach(() => {})).toThrow(/attached mode/);
    expect(b.closeSync(-3)).toBe(-E.EBADF);
    expect(b.closeSync(2e9)).toBe(-E.EBADF);
    expect(b.pid(12345)).toBe(-E.EBADF);
    expect(b.listen(999_999, 1)).toBe(-E.EBADF);
    expect(b.socket(5 as never, SockType.stream)).toBe(-E.EAFNOSUPPORT);
    expect(b.spawn('/bin/true', ['a\0b'], {})).toBe(-E.EINVAL);
    expect(() => backend.notify({ backend: 'io_uring', handle: 'x' as never })).toThrow(TypeError);
  });

  it('init rejects rings that are not Float64Arrays; a destroyed instance throws on use', () => {
    const inst = backend.create({ entries: 8, mode: 'attached' });
    expect(() => inst.init({ sq: new Uint8Array(8) as never, objects: [], cq: new Float64Array(3), sqEntries: 1, cqEntries: 1 })).toThrow(TypeError);
    inst.destroy();
    inst.destroy();
    expect(() => inst.enter(0, 0)).toThrow(/destroyed/);
  });
});

for (const mode of ['attached', 'blocking'] as const) {
  describe(`io_uring ${mode}: sockets`, () => {
    function listen(h: Harness, family: 4 | 6 = 4): { fd: number; addr: Uint8Array } {
      const fd = h.backend.socket(family, SockType.stream);
      expect(fd).toBeGreaterThanOrEqual(0);
      expect(h.backend.setsockopt(fd, SockOpt.reuseAddr, 1)).toBe(0);
      expect(h.backend.bind(fd, encodeAddress(family === 4 ? '127.0.0.1' : '::1', 0))).toBe(0);
      expect(h.backend.listen(fd, 64)).toBe(0);
      const addr = new Uint8Array(Addr.size);
      expect(h.backend.sockname(fd, false, addr)).toBe(0);
      return { fd, addr };
    }

    async function pair(h: Harness): Promise<{ l: number; s: number; c: number; peer: Uint8Array }> {
      const { fd: l, addr } = listen(h);
      const c = h.backend.socket(4, SockType.stream);
      const peer = new Uint8Array(Addr.size);
      const a = h.stage(OpCode.accept, { handle: l, aux: peer });
      const k = h.stage(OpCode.connect, { handle: c, aux: addr });
      const [s, kr] = await h.until([a, k]);
      expect(kr).toBe(0);
      expect(s).toBeGreaterThanOrEqual(0);
      return { l, s, c, peer };
    }

    it('TCP: accept reports the peer; send and recv move bytes; shutdown gives EOF', async () => {
      const h = make(mode);
      const { l, s, c, peer } = await pair(h);
      const local = new Uint8Array(Addr.size);
      h.backend.sockname(c, false, local);
      expect(decodeAddress(peer)).toEqual(decodeAddress(local));
      const buf = new Uint8Array(64);
      const r = h.stage(OpCode.recv, { handle: s, buffer: buf });
      const w = h.stage(OpCode.send, { handle: c, buffer: Buffer.from('ping') });
      expect(await h.until([r, w])).toEqual([4, 4]);
      expect(Buffer.from(buf.subarray(0, 4)).toString()).toBe('ping');
      const sh = h.stage(OpCode.shutdown, { handle: c, arg0: ShutdownHow.write });
      const eof = h.stage(OpCode.recv, { handle: s, buffer: buf });
      expect(await h.until([sh, eof])).toEqual([0, 0]);
      for (const fd of [l, s, c]) expect(h.backend.closeSync(fd)).toBe(0);
    });

    it('TCP: send to a peer that closed fails with EPIPE or ECONNRESET, never SIGPIPE', async () => {
      const h = make(mode);
      const { l, s, c } = await pair(h);
      h.backend.closeSync(s);
      const big = new Uint8Array(1 << 20);
      let last = 0;
      for (let i = 0; i < 8 && last >= 0; i++) {
        const w = h.stage(OpCode.send, { handle: c, buffer: big });
        [last] = await h.until([w]);
      }
      expect([-E.EPIPE, -E.ECONNRESET]).toContain(last);
      h.backend.closeSync(c);
      h.backend.closeSync(l);
    });

    it('UDP: sendto and recvfrom carry the sender address', async () => {
      const h = make(mode);
      const a = h.backend.socket(4, SockType.dgram);
      const b = h.backend.socket(4, SockType.dgram);
      expect(h.backend.bind(a, encodeAddress('127.0.0.1', 0))).toBe(0);
      expect(h.backend.bind(b, encodeAddress('127.0.0.1', 0))).toBe(0);
      const aAddr = new Uint8Array(Addr.size);
      const bAddr = new Uint8Array(Addr.size);
      h.backend.sockname(a, false, aAddr);
      h.backend.sockname(b, false, bAddr);
      const from = new Uint8Array(Addr.size);
      const buf = new Uint8Array(32);
      const r = h.stage(OpCode.recvfrom, { handle: b, buffer: buf, aux: from });
      const w = h.stage(OpCode.sendto, { handle: a, buffer: Buffer.from('datagram'), aux: bAddr });
      expect(await h.until([r, w])).toEqual([8, 8]);
      expect(Buffer.from(buf.subarray(0, 8)).toString()).toBe('datagram');
      expect(decodeAddress(from)).toEqual(decodeAddress(aAddr));
      h.backend.closeSync(a);
      h.backend.closeSync(b);
    });

    it('poll reports writable at once and readable when data arrives', async () => {
      const h = make(mode);
      const { l, s, c } = await pair(h);
      const pw = h.stage(OpCode.poll, { handle: c, arg0: PollEvent.writable });
      const pr = h.stage(OpCode.poll, { handle: s, arg0: PollEvent.readable });
      const [wr] = await h.until([pw]);
      expect(wr & PollEvent.writable).toBeTruthy();
      expect(h.results.has(pr)).toBe(false);
      const w = h.stage(OpCode.send, { handle: c, buffer: Buffer.from('x') });
      const [rr] = await h.until([pr, w]);
      expect(rr & PollEvent.readable).toBe(PollEvent.readable);
      for (const fd of [l, s, c]) h.backend.closeSync(fd);
    });

    it('cancel: a pending recv ends ECANCELED before its cancel, which gets 0; a finished one gives ENOENT', async () => {
      const h = make(mode);
      const { l, s, c } = await pair(h);
      const r = h.stage(OpCode.recv, { handle: s, buffer: new Uint8Array(8) });
      h.enter(0);
      const k = h.stage(OpCode.cancel, { target: r });
      await h.until([k]);
      expect(h.results.get(r)?.result).toBe(-E.ECANCELED);
      expect(h.results.get(r)!.order).toBeLessThan(h.results.get(k)!.order);
      expect(h.take(r)).toBe(-E.ECANCELED);
      expect(h.take(k)).toBe(0);
      const nop = h.stage(OpCode.nop);
      await h.until([nop]);
      const k2 = h.stage(OpCode.cancel, { target: nop });
      expect(await h.until([k2])).toEqual([-E.ENOENT]);
      for (const fd of [l, s, c]) h.backend.closeSync(fd);
    });

    it('cancel in the same batch as its target still cancels it', async () => {
      const h = make(mode);
      const { l, s, c } = await pair(h);
      const r = h.stage(OpCode.recv, { handle: s, buffer: new Uint8Array(8) });
      const k = h.stage(OpCode.cancel, { target: r });
      expect(await h.until([r, k])).toEqual([-E.ECANCELED, 0]);
      for (const fd of [l, s, c]) h.backend.closeSync(fd);
    });

    it('close: pending accept and recvs end ECANCELED before the close; new ops on the closing fd get EBADF', async () => {
      const h = make(mode);
      const { l, s, c } = await pair(h);
      const r1 = h.stage(OpCode.recv, { handle: s, buffer: new Uint8Array(8) });
      const r2 = h.stage(OpCode.recv, { handle: s, buffer: new Uint8Array(8) });
      const acc = h.stage(OpCode.accept, { handle: l });
      h.enter(0);
      const cs = h.stage(OpCode.close, { handle: s });
      const late = h.stage(OpCode.recv, { handle: s, buffer: new Uint8Array(8) });
      const cl = h.stage(OpCode.close, { handle: l });
      await h.until([r1, r2, acc, cs, late, cl]);
      const o = (slot: number) => h.results.get(slot)!;
      expect([o(r1).result, o(r2).result, o(acc).result]).toEqual([-E.ECANCELED, -E.ECANCELED, -E.ECANCELED]);
      expect(o(late).result).toBe(-E.EBADF);
      expect(o(cs).result).toBe(0);
      expect(o(cl).result).toBe(0);
      expect(Math.max(o(r1).order, o(r2).order)).toBeLessThan(o(cs).order);
      expect(o(acc).order).toBeLessThan(o(cl).order);
      h.backend.closeSync(c);
    });

    it('overflow: 104 completions at once through an 8-entry ring and an 8-entry cq all arrive, once each', async () => {
      const h = new Harness(backend, mode, 8, 8);
      open.push(h);
      const a = h.backend.asyncCreate();
      const slots: number[] = [];
      for (let round = 0; round < 13; round++) {
        for (let i = 0; i < 8; i++) slots.push(h.stage(OpCode.poll, { handle: a, arg0: PollEvent.readable }));
        h.enter(0);
      }
      backend.notify(h.backend.asyncToken(a));
      const results = await h.until(slots);
      expect(results.every((r) => r === PollEvent.readable)).toBe(true);
      h.backend.closeSync(a);
    });

    it('closeSync while a close operation owns the handle is EBADF (the close closes it)', async () => {
      const h = make(mode);
      const { l, s, c } = await pair(h);
      const r = h.stage(OpCode.recv, { handle: s, buffer: new Uint8Array(8) });
      h.enter(0);
      const cl = h.stage(OpCode.close, { handle: s });
      h.enter(0);
      if (!h.results.has(cl)) expect(h.backend.closeSync(s)).toBe(-E.EBADF);
      expect(await h.until([r, cl])).toEqual([-E.ECANCELED, 0]);
      h.backend.closeSync(c);
      h.backend.closeSync(l);
    });

    it('closeSync: pending operations on the handle end ECANCELED at the next enter', async () => {
      const h = make(mode);
      const { l, s, c } = await pair(h);
      const r = h.stage(OpCode.recv, { handle: s, buffer: new Uint8Array(8) });
      h.enter(0);
      expect(h.backend.closeSync(s)).toBe(0);
      expect(await h.until([r])).toEqual([-E.ECANCELED]);
      h.backend.closeSync(c);
      h.backend.closeSync(l);
    });
  });
}
