// Garbage in, no crash out, for any backend: random submission entries with random objects, run in a child
// process (random closes must not hit the test runner's descriptors). Exits 0 and prints a summary when
// every staged slot completed exactly as often as it was staged and nothing crashed.
//
//   node backend-fuzz.mjs <backend module path> <seed> [blocking|attached]
//
// Backend packages run it through `runBackendFuzz` from @xev/core/conformance; a sanitizer build is
// loaded the way the backend's own environment variable says (XEV_EPOLL_DEBUG=1, …).
import { Cqe, SQE_OBJECTS, Sqe, SockType, encodeAddress } from '@xev/core';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [modulePath, seedArg, mode = 'blocking'] = process.argv.slice(2);
const { backend: target } = await import(pathToFileURL(modulePath).href);
let seed = Number(seedArg) >>> 0 || 1;
const rand = () => ((seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
const pick = (list) => list[Math.floor(rand() * list.length)];

const entries = 64;
const b = target.create({ entries, mode });
const sq = new Float64Array(entries * Sqe.stride);
const cq = new Float64Array(16 * Cqe.stride); // smaller than sq: completions queue up natively
const objects = new Array(entries * SQE_OBJECTS).fill(null);
b.init({ sq, objects, cq, sqEntries: entries, cqEntries: 16 });
if (mode === 'attached') b.attach(() => {});

const dir = mkdtempSync(join(tmpdir(), 'xev-fuzz-'));
const fds = new Set();
const listener = b.socket(4, SockType.stream);
b.bind(listener, encodeAddress('127.0.0.1', 0));
b.listen(listener, 64);
const bound = new Uint8Array(28);
b.sockname(listener, false, bound);
for (const fd of [listener, b.socket(4, SockType.stream), b.socket(6, SockType.dgram), b.asyncCreate()]) fds.add(fd);
fds.add(openSync(join(dir, 'file'), 'w+'));
const proc = b.spawn('true', [], { stdio: 'ignore' });
fds.add(proc);

const detached = () => {
  const u = new Uint8Array(8);
  structuredClone(u.buffer, { transfer: [u.buffer] });
  return u;
};
const objectsPool = [
  () => null, () => undefined, () => 'text', () => 42, () => ({}), () => [1, 2],
  () => new Uint8Array(0), () => new Uint8Array(64), () => new Float64Array(14), () => new Float64Array(2),
  () => new DataView(new ArrayBuffer(32)), () => detached(), () => bound.slice(), () => encodeAddress('::1', 9),
  () => new Uint8Array(28).map(() => Math.floor(rand() * 256)), () => Buffer.from(join(dir, 'f') + '\0'),
];
const numbers = [0, 1, -1, 0.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 53, 1e300, 3, 4, 7, 255];
// Never the process's stdio or Node's own descriptors: only ours, or numbers that are no descriptor.
const badHandles = [-1, 0.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 53, 1e300, 65535, 16_000_000];
const opOf = new Map(); // slot -> the op last staged in it
// Slots staged twice with different ops. A duplicate is refused with EBUSY only while the first is in
// flight: when the first completed during its own submission, the duplicate runs, so the slot's results
// cannot be told apart. (Without this, a poll's result 16 — HANGUP — taken for an accepted descriptor got
// garbage written into Node's own signal pipe, fd 16, and crashed libuv.)
const mixed = new Set();
const keep = new Map(); // slot -> objects of its operations in flight

const expected = new Map(); // slot -> completions still owed
let nextSlot = 0;
let staged = 0;
let completions = 0;
const stage = () => {
  const i = staged++;
  const base = i * Sqe.stride;
  const op = rand() < 0.9 ? pick([8, 9, 10, 11, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27]) : pick(numbers);
  let slot = nextSlot++;
  if (rand() < 0.03 && expected.size > 0) slot = pick([...expected.keys()]); // a slot still in flight
  sq[base + Sqe.op] = op;
  sq[base + Sqe.slot] = slot;
  sq[base + Sqe.handle] = rand() < 0.8 ? pick([...fds]) : pick(badHandles);
  if (!expected.has(slot)) opOf.set(slot, op); // a duplicate of a slot in flight only gets EBUSY
  else if (opOf.get(slot) !== op) mixed.add(slot);
  sq[base + Sqe.arg0] = pick(numbers);
  sq[base + Sqe.arg1] = pick(numbers);
  sq[base + Sqe.target] = rand() < 0.7 && expected.size > 0 ? pick([...expected.keys()]) : pick(numbers);
  objects[i * SQE_OBJECTS] = pick(objectsPool)();
  objects[i * SQE_OBJECTS + 1] = pick(objectsPool)();
  // As the loop does: the objects stay referenced until their completion (the kernel may write into them).
  keep.set(slot, [...(keep.get(slot) ?? []), objects[i * SQE_OBJECTS], objects[i * SQE_OBJECTS + 1]]);
  expected.set(slot, (expected.get(slot) ?? 0) + 1);
};
const reap = (n) => {
  for (let i = 0; i < n; i++) {
    const slot = cq[i * Cqe.stride + Cqe.slot];
    const result = cq[i * Cqe.stride + Cqe.result];
    const owed = expected.get(slot);
    const ambiguous = mixed.has(slot);
    if (!owed) throw new Error(`slot ${slot} completed (result ${result}) without being owed a completion`);
    if (owed === 1) {
      expected.delete(slot);
      mixed.delete(slot);
      keep.delete(slot);
    }
    else expected.set(slot, owed - 1);
    completions++;
    if (!Number.isInteger(result)) throw new Error(`slot ${slot}: result ${result} is not an integer`);
    // New descriptors from accept (20) and open (12) join the ones the fuzzer closes at the end.
    if ((opOf.get(slot) === 20 || opOf.get(slot) === 12) && result >= 0 && !ambiguous) fds.add(result);
  }
};
const enter = (waitMs = 0) => {
  const count = staged;
  staged = 0;
  const n = b.enter(count, waitMs);
  objects.fill(null);
  reap(n);
};

for (let round = 0; round < 400; round++) {
  const batch = 1 + Math.floor(rand() * 16);
  for (let i = 0; i < batch; i++) stage();
  enter();
  if (rand() < 0.2) target.notify({ backend: target.name, handle: rand() < 0.5 ? pick([...fds]) : pick(badHandles) });
  if (mode === 'attached' && rand() < 0.3) await new Promise((r) => setImmediate(r));
}
// Close every descriptor, so that every parked operation completes.
for (const fd of fds) b.closeSync(fd);
const deadline = Date.now() + 5000;
while (expected.size > 0 && Date.now() < deadline) {
  enter(mode === 'blocking' ? 5 : 0);
  await new Promise((r) => setTimeout(r, 2));
}
if (expected.size > 0) {
  const stuck = [...expected.keys()].slice(0, 10).map((slot) => `${slot}:op${opOf.get(slot)}`);
  throw new Error(`slots never completed: ${stuck.join(' ')}`);
}
b.destroy();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ seed: Number(seedArg), mode, completions }));
