/**
 * Binance spot wire formats: market stream messages (trade, kline, bookTicker, depthUpdate) and the
 * user-data stream's executionReport, parsed into the engine's events; order JSON from the REST API.
 * Field letters follow https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams
 * and user-data-stream. A message that parses as JSON but is not one of these is a {@link FeedError}.
 */
import type { MarketEvent, OrderUpdate, VenueStatus } from '../types.js';

/** An unreadable or unexpected message; the adapter reports it and keeps the stream open. */
export class FeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedError';
  }
}

/** The stream names Binance uses for a symbol (lower-case). */
export function binanceStreamNames(symbol: string, kinds: readonly string[], interval = '1m'): string[] {
  const s = symbol.toLowerCase();
  return kinds.map((k) => (k === 'trade' ? `${s}@trade` : k === 'kline' ? `${s}@kline_${interval}` : k === 'book-ticker' ? `${s}@bookTicker` : `${s}@depth@100ms`));
}

function num(v: unknown, field: string): number {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n)) throw new FeedError(`field ${field} is not a number: ${JSON.stringify(v)?.slice(0, 40)}`);
  return n;
}

function levels(v: unknown, field: string): [number, number][] {
  if (!Array.isArray(v)) throw new FeedError(`field ${field} is not an array`);
  return v.map((l, i) => [num((l as unknown[])[0], `${field}[${i}][0]`), num((l as unknown[])[1], `${field}[${i}][1]`)]);
}

/** What one stream message became: a market event, an order update, a control reply, or nothing. */
export type Decoded = { market: MarketEvent } | { order: OrderUpdate } | { control: unknown } | null;

/**
 * Decodes one text message from a Binance stream (raw `/ws` or combined `/stream`, whose payload sits
 * under `data`). Throws {@link FeedError} with the reason for malformed JSON or missing fields.
 */
export function decodeBinance(text: string, receivedNs: number): Decoded {
  let m: any;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new FeedError(`malformed JSON (${(e as Error).message}): ${text.slice(0, 80)}`);
  }
  if (m === null || typeof m !== 'object') throw new FeedError(`expected a JSON object, got ${text.slice(0, 40)}`);
  if (m.data !== undefined && typeof m.stream === 'string') m = m.data;
  if ('result' in m && 'id' in m) return { control: m };
  if (m.code !== undefined && m.msg !== undefined) throw new FeedError(`stream error ${m.code}: ${m.msg}`);
  switch (m.e) {
    case 'trade':
      return { market: { kind: 'trade', symbol: String(m.s), time: num(m.T, 'T'), price: num(m.p, 'p'), qty: num(m.q, 'q'), receivedNs } };
    case 'kline': {
      const k = m.k;
      if (!k || typeof k !== 'object') throw new FeedError('kline message without k');
      return { market: { kind: 'kline', symbol: String(m.s), time: num(k.t, 'k.t'), open: num(k.o, 'k.o'), high: num(k.h, 'k.h'), low: num(k.l, 'k.l'), close: num(k.c, 'k.c'), volume: num(k.v, 'k.v'), closed: k.x === true, receivedNs } };
    }
    case 'depthUpdate':
      return { market: { kind: 'depth', symbol: String(m.s), bids: levels(m.b, 'b'), asks: levels(m.a, 'a'), receivedNs } };
    case 'executionReport':
      return { order: executionReport(m) };
    case 'outboundAccountPosition':
    case 'balanceUpdate':
      return null;
    case undefined:
      // bookTicker carries no event type: recognise it by its fields.
      if (m.u !== undefined && m.b !== undefined && m.a !== undefined && m.s !== undefined) {
        return { market: { kind: 'book-ticker', symbol: String(m.s), bidPrice: num(m.b, 'b'), bidQty: num(m.B, 'B'), askPrice: num(m.a, 'a'), askQty: num(m.A, 'A'), receivedNs } };
      }
      throw new FeedError(`unrecognised message: ${text.slice(0, 80)}`);
    default:
      throw new FeedError(`unknown event type ${JSON.stringify(m.e)}`);
  }
}

/** Binance order status → ours. */
export function binanceStatus(s: string): VenueStatus {
  switch (s) {
    case 'NEW': case 'PENDING_NEW': return 'new';
    case 'PARTIALLY_FILLED': return 'partially-filled';
    case 'FILLED': return 'filled';
    case 'CANCELED': case 'PENDING_CANCEL': return 'cancelled';
    case 'REJECTED': return 'rejected';
    case 'EXPIRED': case 'EXPIRED_IN_MATCH': return 'expired';
    default: throw new FeedError(`unknown order status ${s}`);
  }
}

function executionReport(m: any): OrderUpdate {
  // A cancel's report carries the cancel request's id in `c` and the order's own id in `C`.
  const clientOrderId = m.X === 'CANCELED' && typeof m.C === 'string' && m.C !== '' ? m.C : String(m.c);
  return {
    clientOrderId, symbol: String(m.s), status: binanceStatus(String(m.X)), cumQty: num(m.z, 'z'), cumQuote: num(m.Z, 'Z'),
    venueOrderId: String(m.i), fee: m.n !== undefined && m.N === quoteOf(String(m.s)) ? num(m.n, 'n') : 0,
    ...(m.r && m.r !== 'NONE' ? { reason: String(m.r) } : {}), source: 'stream',
  };
}

/** An order object from the REST API (`POST/GET/DELETE /api/v3/order`, `GET /api/v3/openOrders`). */
export function restOrder(m: any, source: 'rest' | 'reconcile'): OrderUpdate {
  if (!m || typeof m !== 'object' || typeof m.clientOrderId !== 'string') throw new FeedError('order response without clientOrderId');
  const clientOrderId = m.status === 'CANCELED' && typeof m.origClientOrderId === 'string' ? m.origClientOrderId : m.clientOrderId;
  return {
    clientOrderId, symbol: String(m.symbol), status: binanceStatus(String(m.status)), cumQty: num(m.executedQty, 'executedQty'),
    cumQuote: num(m.cummulativeQuoteQty, 'cummulativeQuoteQty'), venueOrderId: String(m.orderId), source,
  };
}

/** Quote asset of a symbol, for the common quotes (fees are booked only when charged in the quote). */
export function quoteOf(symbol: string): string {
  for (const q of ['USDT', 'USDC', 'FDUSD', 'BUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY']) if (symbol.endsWith(q)) return q;
  return symbol.slice(-4);
}

/** Base asset of a symbol. */
export function baseOf(symbol: string): string {
  return symbol.slice(0, symbol.length - quoteOf(symbol).length);
}
