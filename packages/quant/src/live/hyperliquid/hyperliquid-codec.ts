/**
 * Hyperliquid's WebSocket market data (https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket):
 * `{ method: 'subscribe', subscription: { type: 'trades' | 'l2Book' | 'candle', coin, interval? } }` in,
 * `{ channel, data }` out. Candles carry no "closed" flag — an update for the current candle repeats
 * until one with a later open time arrives — so {@link HyperliquidDecoder} keeps the last candle per
 * coin and emits it as closed when the next one starts.
 */
import { FeedError } from '../binance/binance-codec.js';
import type { KlineEvent, MarketEvent } from '../types.js';

/** The subscribe messages for `coin` (e.g. `BTC`). */
export function hyperliquidSubscriptions(coin: string, kinds: readonly string[], interval = '1m'): string[] {
  return kinds.map((k) => JSON.stringify({
    method: 'subscribe',
    subscription: k === 'trade' ? { type: 'trades', coin } : k === 'kline' ? { type: 'candle', coin, interval } : { type: 'l2Book', coin },
  }));
}

function num(v: unknown, field: string): number {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n)) throw new FeedError(`hyperliquid: field ${field} is not a number: ${JSON.stringify(v)?.slice(0, 40)}`);
  return n;
}

/** Decodes Hyperliquid channel messages into market events; one instance per connection. */
export class HyperliquidDecoder {
  readonly #candles = new Map<string, KlineEvent>();

  /** Events in one message (trades arrive batched); control messages give none. Throws FeedError. */
  decode(text: string, receivedNs: number): MarketEvent[] {
    let m: any;
    try {
      m = JSON.parse(text);
    } catch (e) {
      throw new FeedError(`hyperliquid: malformed JSON (${(e as Error).message}): ${text.slice(0, 80)}`);
    }
    if (m === null || typeof m !== 'object' || typeof m.channel !== 'string') throw new FeedError(`hyperliquid: expected {channel, data}, got ${text.slice(0, 60)}`);
    const d = m.data;
    switch (m.channel) {
      case 'subscriptionResponse':
      case 'pong':
        return [];
      case 'error':
        throw new FeedError(`hyperliquid: server error: ${String(d).slice(0, 200)}`);
      case 'trades':
        if (!Array.isArray(d)) throw new FeedError('hyperliquid: trades data is not an array');
        return d.map((t, i) => ({ kind: 'trade', symbol: String(t.coin), time: num(t.time, `data[${i}].time`), price: num(t.px, `data[${i}].px`), qty: num(t.sz, `data[${i}].sz`), receivedNs }));
      case 'l2Book': {
        const levels = d?.levels;
        if (!Array.isArray(levels) || levels.length !== 2) throw new FeedError('hyperliquid: l2Book without two level arrays');
        const side = (l: any[], name: string) => l.map((x, i) => [num(x.px, `${name}[${i}].px`), num(x.sz, `${name}[${i}].sz`)] as [number, number]);
        return [{ kind: 'depth', symbol: String(d.coin), bids: side(levels[0], 'bids'), asks: side(levels[1], 'asks'), receivedNs }];
      }
      case 'candle': {
        const k: KlineEvent = {
          kind: 'kline', symbol: String(d?.s), time: num(d?.t, 't'), open: num(d.o, 'o'), high: num(d.h, 'h'), low: num(d.l, 'l'),
          close: num(d.c, 'c'), volume: num(d.v, 'v'), closed: false, receivedNs,
        };
        const prev = this.#candles.get(k.symbol);
        this.#candles.set(k.symbol, k);
        // The previous candle is final once a later one starts.
        if (prev && k.time > prev.time) return [{ ...prev, closed: true, receivedNs }, k];
        return [k];
      }
      default:
        throw new FeedError(`hyperliquid: unknown channel ${JSON.stringify(m.channel)}`);
    }
  }
}
