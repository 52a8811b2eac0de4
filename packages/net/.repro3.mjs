// Smallest repro: the receiver keeps one recv outstanding; the sender sends N bytes, then shutdown(write).
import { Loop, Completion, OpCode, SockType, Addr, encodeAddress } from '@xev/core';
const [backend = 'epoll', sizeArg = '4000000'] = process.argv.slice(2);
const size = Number(sizeArg);
const loop = new Loop({ backend });
const b = loop.backend;
const l = b.socket(4, SockType.stream); b.bind(l, encodeAddress('127.0.0.1', 0)); b.listen(l, 16);
const a = new Uint8Array(Addr.size); b.sockname(l, false, a);
const cl = b.socket(4, SockType.stream);
let server = -1;
loop.add(new Completion().prep(OpCode.accept, l).setCallback((_u, _l, _c, r) => void (server = r)));
loop.add(new Completion().prep(OpCode.connect, cl, null, a).setCallback(() => {}));
await loop.run('until_done');
const data = new Uint8Array(size);
let sent = 0, got = 0, eof = false, shut = null;
const s = new Completion();
s.prep(OpCode.send, cl, data).setCallback((_u, lp, c, r) => {
  sent += r;
  if (sent < size) lp.add(c.prep(OpCode.send, cl, data.subarray(sent)));
  else lp.add(new Completion().prep(OpCode.shutdown, cl, null, null, 1).setCallback((_u2, _l2, _c2, r2) => void (shut = r2)));
});
const rc = new Completion();
rc.prep(OpCode.recv, server, new Uint8Array(48 * 1024)).setCallback((_u, lp, c, r) => {
  if (r === 0) { eof = true; return; }
  got += r;
  lp.add(c);
});
loop.add(rc); loop.add(s);
const t = setTimeout(() => { console.log(backend, size, 'STALLED', { sent, got, shut, eof, active: loop.activeCount }); process.exit(1); }, 3000);
await loop.run('until_done');
clearTimeout(t);
console.log(backend, size, 'ok', { sent, got, shut, eof });
loop.close(); b.closeSync?.(l);
