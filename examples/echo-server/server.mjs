#!/usr/bin/env node
// node examples/echo-server/server.mjs --port 3131 [--host 127.0.0.1] [--backend io_uring] [--mode blocking]
//
// A TCP echo server on the TCP watcher, in the shape of libxev's ping-pongs server: one read
// completion per connection that rearms, each chunk echoed through the ordered write queue, shutdown at
// EOF. In blocking mode it runs the loop on this thread, waiting in the kernel.
import { parseArgs } from 'node:util';
import { CallbackAction, Completion, Loop } from '@xev/core';
import { TCP, WriteRequest } from '@xev/net';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '3131' }, host: { type: 'string', default: '127.0.0.1' }, backend: { type: 'string' }, mode: { type: 'string', default: 'attached' } },
});
const loop = new Loop({ ...(values.backend ? { backend: values.backend } : {}), mode: values.mode });

const listener = TCP.create(loop, values.host.includes(':') ? 6 : 4);
listener.setOptions({ reuseAddr: true });
listener.bind(values.host, Number(values.port));
listener.listen(1024);

/** Per connection: its socket, one read buffer, one reusable read completion, and the echoes in flight. */
function serve(tcp) {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  const state = { tcp, inFlight: 0, eof: false };
  const closeIfDone = () => {
    if (state.eof && state.inFlight === 0) tcp.close(new Completion(), null, () => CallbackAction.disarm);
  };
  const echoed = () => {
    state.inFlight--;
    closeIfDone();
  };
  tcp.read(new Completion(), buffer, state, (_s, _l, _c, n) => {
    if (n <= 0) {
      // EOF (or an error): close once the echoes already queued are out.
      state.eof = true;
      closeIfDone();
      return CallbackAction.disarm;
    }
    state.inFlight++;
    tcp.queueWrite(new WriteRequest(), Buffer.from(buffer.subarray(0, n)), null, echoed);
    return CallbackAction.rearm;
  });
}

listener.accept(new Completion(), null, (_u, l, _c, result) => {
  if (result < 0) return CallbackAction.disarm;
  const tcp = new TCP(l, result);
  tcp.setOptions({ noDelay: true });
  serve(tcp);
  return CallbackAction.rearm;
});
console.log(`echo on ${values.host}:${listener.localAddress().port} (${loop.backendName}, ${loop.mode})`);

if (loop.mode === 'blocking') loop.runBlocking('until_done');
else {
  process.on('SIGTERM', () => process.exit(0));
  await loop.run('until_done');
}
