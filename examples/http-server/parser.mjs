// An incremental HTTP/1.1 request parser: enough of RFC 9112 for a keep-alive server with pipelining —
// request line, headers, Content-Length bodies, chunked bodies refused with 501. It never copies more
// than the bytes of one unfinished request.

const CRLFCRLF = Buffer.from('\r\n\r\n');
/** Requests whose head exceeds this are refused (431), so a client cannot grow our buffer without bound. */
export const MAX_HEAD = 16 * 1024;
/** Bodies above this are refused (413). */
export const MAX_BODY = 8 * 1024 * 1024;

/** A parsing failure that should be answered with `status` and the connection closed. */
export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Feeds bytes in with `push(chunk)`; takes complete requests out with `next()` until it returns null.
 * A request is `{ method, target, version, headers (lower-cased names), body (Buffer), keepAlive }`.
 */
export class RequestParser {
  #pending = null;

  push(chunk) {
    this.#pending = this.#pending === null || this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
  }

  next() {
    const data = this.#pending;
    if (data === null || data.length === 0) return null;
    const end = data.indexOf(CRLFCRLF);
    if (end < 0) {
      if (data.length > MAX_HEAD) throw new HttpError(431, 'request head too large');
      return null;
    }
    const lines = data.toString('latin1', 0, end).split('\r\n');
    const match = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(lines[0]);
    if (!match) throw new HttpError(400, `malformed request line ${JSON.stringify(lines[0].slice(0, 80))}`);
    const headers = {};
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      if (colon <= 0) throw new HttpError(400, 'malformed header line');
      headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
    }
    if (headers['transfer-encoding']) throw new HttpError(501, 'chunked request bodies are not supported by this example');
    const length = headers['content-length'] === undefined ? 0 : Number(headers['content-length']);
    if (!Number.isSafeInteger(length) || length < 0) throw new HttpError(400, 'bad content-length');
    if (length > MAX_BODY) throw new HttpError(413, 'request body too large');
    const total = end + 4 + length;
    if (data.length < total) return null;
    const version = match[3] === '1' ? '1.1' : '1.0';
    const connection = (headers.connection ?? '').toLowerCase();
    const keepAlive = version === '1.1' ? connection !== 'close' : connection === 'keep-alive';
    // The body is a view, not a copy: it is valid until the next push, which is all a handler needs.
    const body = data.subarray(end + 4, total);
    this.#pending = data.subarray(total);
    return { method: match[1], target: match[2], version, headers, body, keepAlive };
  }
}
