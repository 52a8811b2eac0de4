#!/usr/bin/env node
// file-pread-4k: random 4 KiB preads of a 1 GiB file that sits in the page cache, 64 in flight, in
// reads per second; the Node twins are fs.read with callbacks (the line's `node`) and fs.promises
// (`node_promises`), 64 in flight each; the C reference is bench/c/pread.c. file-read-1m-seq: sequential
// 1 MiB reads of the whole file, 4 in flight, in MB/s, against fs.read. The file lives in /tmp, is
// written once per run and deleted at the end; --scale scales its size and the read count.
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs, check, emit, result, runSide, targets } from './harness/common.mjs';
import { cBackend, runC } from './c/run-c.mjs';

const args = benchArgs();
const FILE_SIZE = Math.max(16 << 20, Math.round((1 << 30) * args.scale / (1 << 20)) * (1 << 20));
const READS = Math.max(20_000, Math.round(1_000_000 * args.scale));
const IN_FLIGHT = 64;
const BLOCKS = FILE_SIZE / 4096;

/** xorshift, so every side reads the same kind of random offsets without Math.random's cost. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % BLOCKS) * 4096;
  };
}

async function xevSide(path, backend, mode) {
  const { CallbackAction, Completion, Loop } = await import('@xev/core');
  const { File } = await import('@xev/fs');
  const loop = new Loop({ backend, mode });
  const run = () => (mode === 'blocking' ? loop.runBlocking('until_done') : loop.run('until_done'));
  let handle = -1;
  File.open(loop, new Completion(), path, 'r', 0, null, (_u, _l, _c, r) => void (handle = r));
  await run();
  const file = new File(loop, handle);
  const next = rng(7);
  let issued = 0;
  let done = 0;
  let bad = 0;
  // 64 completions that rearm with a new offset: nothing is allocated per read.
  const onRead = (_u, _l, c, r) => {
    if (r !== 4096) bad++;
    done++;
    if (issued >= READS) return CallbackAction.disarm;
    issued++;
    c.arg0 = next();
    return CallbackAction.rearm;
  };
  const t0 = performance.now();
  for (let i = 0; i < IN_FLIGHT; i++, issued++) file.pread(new Completion(), new Uint8Array(4096), next(), null, onRead);
  await run();
  const random = READS / ((performance.now() - t0) / 1000);
  // Sequential 1 MiB reads, 4 in flight.
  let offset = 0;
  let bytes = 0;
  const onChunk = (_u, _l, c, r) => {
    if (r <= 0) return CallbackAction.disarm;
    bytes += r;
    if (offset >= FILE_SIZE) return CallbackAction.disarm;
    c.arg0 = offset;
    offset += 1 << 20;
    return CallbackAction.rearm;
  };
  const t1 = performance.now();
  for (let i = 0; i < 4; i++, offset += 1 << 20) file.pread(new Completion(), new Uint8Array(1 << 20), offset, null, onChunk);
  await run();
  const sequential = bytes / 1e6 / ((performance.now() - t1) / 1000);
  file.close(new Completion(), null, () => {});
  await run();
  loop.close();
  return { done, bad, random, bytes, sequential };
}

async function nodeSide(path) {
  const fd = fs.openSync(path, 'r');
  const next = rng(7);
  let issued = 0;
  let done = 0;
  let bad = 0;
  const t0 = performance.now();
  await new Promise((resolve) => {
    const one = (buf) =>
      fs.read(fd, buf, 0, 4096, next(), (err, n) => {
        if (err || n !== 4096) bad++;
        done++;
        if (issued < READS) {
          issued++;
          one(buf);
        } else if (done === READS) resolve();
      });
    for (let i = 0; i < IN_FLIGHT; i++, issued++) one(Buffer.alloc(4096));
  });
  const random = READS / ((performance.now() - t0) / 1000);
  // fs.promises, 64 in flight.
  const handle = await fs.promises.open(path, 'r');
  const nextP = rng(7);
  let issuedP = 0;
  const t1 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    const buf = Buffer.alloc(4096);
    while (issuedP < READS) {
      issuedP++;
      const { bytesRead } = await handle.read(buf, 0, 4096, nextP());
      if (bytesRead !== 4096) bad++;
    }
  }));
  const promises = READS / ((performance.now() - t1) / 1000);
  await handle.close();
  // Sequential 1 MiB reads, 4 in flight.
  let offset = 0;
  let bytes = 0;
  const t2 = performance.now();
  await Promise.all(Array.from({ length: 4 }, () => new Promise((resolve) => {
    const buf = Buffer.alloc(1 << 20);
    const one = () => {
      if (offset >= FILE_SIZE) return resolve();
      const at = offset;
      offset += 1 << 20;
      fs.read(fd, buf, 0, 1 << 20, at, (err, n) => {
        bytes += n;
        one();
      });
    };
    one();
  })));
  const sequential = bytes / 1e6 / ((performance.now() - t2) / 1000);
  fs.closeSync(fd);
  return { done, bad, random, promises, bytes, sequential };
}

if (args.side) {
  const [kind, path] = [args.side.slice(0, args.side.indexOf(':')), args.side.slice(args.side.indexOf(':') + 1)];
  const r = kind === 'node' ? await nodeSide(path) : await xevSide(path, args.backend, args.mode);
  console.log(JSON.stringify(r));
} else {
  const path = join(tmpdir(), `xev-file-pread-${process.pid}.bin`);
  try {
    // Write the file once; writing leaves it in the page cache, and a first read pass makes sure.
    const fd = fs.openSync(path, 'w');
    const chunk = Buffer.alloc(1 << 20);
    for (let at = 0; at < FILE_SIZE; at += chunk.length) {
      chunk.fill(at & 0xff);
      fs.writeSync(fd, chunk, 0, chunk.length, at);
    }
    fs.closeSync(fd);
    const warm = fs.openSync(path, 'r');
    for (let at = 0; at < FILE_SIZE; at += chunk.length) fs.readSync(warm, chunk, 0, chunk.length, at);
    fs.closeSync(warm);
    const scale = ['--scale', String(args.scale)];
    const node = runSide(import.meta.url, `node:${path}`, scale);
    check(node.done === READS && node.bad === 0 && node.bytes === FILE_SIZE, 'the Node twin read everything');
    const cCache = {};
    for (const { backend, mode } of await targets(args)) {
      try {
        const xev = runSide(import.meta.url, `xev:${path}`, ['--backend', backend, '--mode', mode, ...scale]);
        check(xev.done === READS && xev.bad === 0 && xev.bytes === FILE_SIZE, `xev read ${xev.done}/${READS} (${xev.bad} short) and ${xev.bytes}/${FILE_SIZE} bytes`);
        const cb = cBackend(backend);
        if (cb && !(cb in cCache)) cCache[cb] = runC('pread', [cb, path, READS, IN_FLIGHT]);
        const c = cb ? cCache[cb] : undefined;
        emit(args, result({ name: 'file-pread-4k', backend, mode, unit: 'reads/s', xev: xev.random, node: node.random, c: c?.rate, extra: { node_promises: Math.round(node.promises), ratio_promises: Math.round((xev.random / node.promises) * 1000) / 1000, in_flight: IN_FLIGHT, file_mib: FILE_SIZE >> 20 } }));
        emit(args, result({ name: 'file-read-1m-seq', backend, mode, unit: 'MB/s', xev: xev.sequential, node: node.sequential, extra: { in_flight: 4, file_mib: FILE_SIZE >> 20 } }));
      } catch (error) {
        // One broken backend must not hide the others' figures.
        console.error(`file-pread on ${backend}/${mode} failed: ${error.message}`);
        process.exitCode = 1;
      }
    }
  } finally {
    fs.rmSync(path, { force: true });
  }
}
