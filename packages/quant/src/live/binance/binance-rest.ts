/**
 * Binance's signed REST API over xev sockets: `node:http` with an agent whose sockets are @xev/net
 * `XevSocket`s (kept alive, so an order costs no TCP handshake). Requests are signed with HMAC-SHA256
 * of the query string (node:crypto), as https://developers.binance.com/docs/binance-spot-api-docs/rest-api
 * specifies; the key travels in the `X-MBX-APIKEY` header. Neither ever appears in an error.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Loop } from '@xev/core';
import { XevSocket } from '@xev/net';
import type { Credentials } from '../credentials.js';

/** HMAC-SHA256 signature (hex) of a query string. */
export function signQuery(query: string, secret: string): string {
  return createHmac('sha256', secret).update(query).digest('hex');
}

/** A Binance error answer (`{ code, msg }` with a 4xx status): the venue refused, the order did not happen. */
export class VenueRejectError extends Error {
  readonly venueReject = true;
  constructor(readonly status: number, readonly code: number, msg: string) {
    super(`venue refused (HTTP ${status}, code ${code}): ${msg}`);
    this.name = 'VenueRejectError';
  }
}

/** An http.Agent whose connections are xev TCP sockets. */
class XevAgent extends http.Agent {
  constructor(private readonly loop: Loop) {
    super({ keepAlive: true, maxSockets: 4 });
  }
  // Node's agent takes a returned socket as created (it calls back itself), so the callback is unused.
  override createConnection(options: http.ClientRequestArgs): Duplex {
    const s = XevSocket.connect(this.loop, { host: options.host ?? '127.0.0.1', port: Number(options.port) });
    s.setNoDelay(true);
    return s;
  }
}

/** A signed REST client. `baseUrl` is `https://api.binance.com` live, or the simulator's `http://127.0.0.1:PORT`. */
export class BinanceRest {
  readonly #agent: http.Agent | https.Agent;
  readonly #creds: Credentials | null;
  readonly #base: URL;
  /** Milliseconds the request may take to reach the matching engine; Binance's default is 5,000. */
  recvWindow = 5000;
  /**
   * A request with no answer after this many ms is abandoned (its socket destroyed) and fails; for an
   * order that means "unknown", which reconciliation settles. Default 5,000.
   */
  timeoutMs = 5000;

  constructor(loop: Loop, baseUrl: string, creds: Credentials | null) {
    this.#base = new URL(baseUrl);
    // TLS to the real exchange goes through Node's https agent; plain HTTP (the simulator) through xev.
    this.#agent = this.#base.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new XevAgent(loop);
    this.#creds = creds;
  }

  /** A public (unsigned) request. */
  public(method: string, path: string, params: Record<string, string | number> = {}): Promise<any> {
    return this.#request(method, path, new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString(), false);
  }

  /** A signed request (`timestamp`, `recvWindow`, `signature` added). */
  signed(method: string, path: string, params: Record<string, string | number> = {}): Promise<any> {
    if (!this.#creds) return Promise.reject(new Error('this request needs API credentials, and none were given'));
    const q = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
    q.set('recvWindow', String(this.recvWindow));
    q.set('timestamp', String(Date.now()));
    const query = q.toString();
    return this.#request(method, path, `${query}&signature=${signQuery(query, this.#creds.secret)}`, true);
  }

  /** A request that only needs the API key (user-data stream listen keys). */
  keyed(method: string, path: string, params: Record<string, string> = {}): Promise<any> {
    if (!this.#creds) return Promise.reject(new Error('this request needs API credentials, and none were given'));
    return this.#request(method, path, new URLSearchParams(params).toString(), true);
  }

  #request(method: string, path: string, query: string, keyed: boolean): Promise<any> {
    const lib = this.#base.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request({
        method, host: this.#base.hostname, port: this.#base.port || (this.#base.protocol === 'https:' ? 443 : 80),
        path: `${path}${query ? `?${query}` : ''}`, agent: this.#agent,
        headers: keyed ? { 'X-MBX-APIKEY': this.#creds!.key } : {},
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new Error(`${method} ${path}: ${e.message}`)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: any;
          try {
            body = text === '' ? {} : JSON.parse(text);
          } catch {
            return reject(new Error(`${method} ${path}: HTTP ${res.statusCode} with a body that is not JSON: ${text.slice(0, 80)}`));
          }
          if ((res.statusCode ?? 500) >= 400) {
            if (typeof body?.code === 'number' && (res.statusCode ?? 500) < 500) return reject(new VenueRejectError(res.statusCode!, body.code, String(body.msg)));
            return reject(new Error(`${method} ${path}: HTTP ${res.statusCode}: ${String(body?.msg ?? text).slice(0, 120)}`));
          }
          resolve(body);
        });
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      req.on('close', () => clearTimeout(timer));
      // The path carries the signature; report the method and endpoint only.
      req.on('error', (e) => reject(new Error(`${method} ${path}: ${e.message}`)));
      req.end();
    });
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }
}
