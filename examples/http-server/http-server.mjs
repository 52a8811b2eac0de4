// An HTTP/1.1 server on raw xev TCP (the TCP watcher over caller-owned completions). Keep-alive and
// pipelining: every request parsed from a read gets a slot in the connection's response queue, in
// arrival order; a handler may answer at once or later (a promise), and responses are written strictly
// in slot order through the socket's ordered write queue, so pipelined requests get ordered responses.
import { CallbackAction, Completion } from '@xev/core';
import { TCP, WriteRequest } from '@xev/net';
import { HttpError, RequestParser } from './parser.mjs';

const STATUS = { 200: 'OK', 400: 'Bad Request', 404: 'Not Found', 413: 'Content Too Large', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 501: 'Not Implemented' };

/** Serializes a response: `{ status = 200, headers = {}, body = '' }` or a plain string / Buffer body. */
function serialize(response, keepAlive) {
  const r = typeof response === 'string' || Buffer.isBuffer(response) ? { body: response } : response;
  const body = typeof r.body === 'string' ? Buffer.from(r.body) : (r.body ?? Buffer.alloc(0));
  const status = r.status ?? 200;
  let head = `HTTP/1.1 ${status} ${STATUS[status] ?? 'Status'}\r\ncontent-length: ${body.length}\r\n`;
  if (!keepAlive) head += 'connection: close\r\n';
  for (const [k, v] of Object.entries(r.headers ?? { 'content-type': 'text/plain' })) head += `${k}: ${v}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
}

/** One connection: a read loop, a parser, and the ordered response slots. */
class Connection {
  constructor(server, tcp) {
    this.server = server;
    this.tcp = tcp;
    this.parser = new RequestParser();
    this.buffer = Buffer.allocUnsafe(64 * 1024);
    this.read = new Completion();
    this.slots = []; // { done, bytes, keepAlive } in request order
    this.closing = false;
    this.closed = false;
  }

  start() {
    this.tcp.read(this.read, this.buffer, this, onRead);
  }

  onData(n) {
    // The parser keeps views of our buffer, so hand it a copy of just these bytes.
    this.parser.push(Buffer.from(this.buffer.subarray(0, n)));
    try {
      for (let req = this.parser.next(); req !== null && !this.closing; req = this.parser.next()) {
        const slot = { done: false, bytes: null, keepAlive: req.keepAlive };
        this.slots.push(slot);
        if (!req.keepAlive) this.closing = true; // nothing after a Connection: close request is read
        let out;
        try {
          out = this.server.handler(req);
        } catch (error) {
          out = { status: 500, body: String(error?.message ?? error) };
        }
        if (out && typeof out.then === 'function') {
          out.then(
            (r) => this.fill(slot, r),
            (error) => this.fill(slot, { status: 500, body: String(error?.message ?? error) }),
          );
        } else this.fill(slot, out);
      }
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.closing = true;
      const slot = { done: false, bytes: null, keepAlive: false };
      this.slots.push(slot);
      this.fill(slot, { status: error.status, body: error.message });
    }
    return !this.closing;
  }

  fill(slot, response) {
    slot.bytes = serialize(response, slot.keepAlive);
    slot.done = true;
    this.flush();
  }

  /** Writes every finished response at the head of the queue, in order, as one batch. */
  flush() {
    let batch = null;
    let last = null;
    while (this.slots.length > 0 && this.slots[0].done) {
      last = this.slots.shift();
      batch = batch === null ? last.bytes : Buffer.concat([batch, last.bytes]);
    }
    if (batch === null || this.closed) return;
    const closeAfter = !last.keepAlive;
    this.tcp.queueWrite(new WriteRequest(), batch, this, closeAfter ? onLastWrite : onWrite);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.server.connections.delete(this);
    this.tcp.close(new Completion(), null, () => CallbackAction.disarm);
  }
}

function onRead(conn, _loop, _c, result) {
  if (conn.closed) return CallbackAction.disarm;
  if (result <= 0) {
    // EOF or an error: finish answering what was asked (pipelined requests), then close.
    conn.closing = true;
    if (conn.slots.length === 0 && conn.tcp.writeQueue.length === 0) conn.close();
    return CallbackAction.disarm;
  }
  return conn.onData(result) ? CallbackAction.rearm : CallbackAction.disarm;
}

function onWrite(conn, _loop, _req, result) {
  if (result < 0) conn.close();
  else if (conn.closing && conn.slots.length === 0 && conn.tcp.writeQueue.length === 0) conn.close();
}

function onLastWrite(conn) {
  conn.close();
}

/**
 * Starts serving on `loop`: `handler(request)` returns a response (a string, a Buffer, or
 * `{ status, headers, body }`) or a promise of one. Resolves `{ port, close() }` once listening.
 */
export function createHttpServer(loop, handler, { host = '127.0.0.1', port = 0, backlog = 1024 } = {}) {
  const listener = TCP.create(loop, host.includes(':') ? 6 : 4);
  listener.setOptions({ reuseAddr: true });
  listener.bind(host, port);
  listener.listen(backlog);
  const server = { handler, connections: new Set(), port: listener.localAddress().port };
  const accept = new Completion();
  listener.accept(accept, server, (srv, l, _c, result) => {
    if (result < 0) return result === -125 ? CallbackAction.disarm : CallbackAction.rearm; // ECANCELED: closed
    const tcp = new TCP(l, result);
    tcp.setOptions({ noDelay: true });
    const conn = new Connection(srv, tcp);
    srv.connections.add(conn);
    conn.start();
    return CallbackAction.rearm;
  });
  server.close = () => {
    listener.close(new Completion(), null, () => CallbackAction.disarm);
    for (const conn of server.connections) conn.close();
  };
  return server;
}
