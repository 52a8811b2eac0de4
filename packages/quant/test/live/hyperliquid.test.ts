import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { LiveEngine } from '../../src/live/engine.js';
import { HyperliquidAdapter } from '../../src/live/hyperliquid/hyperliquid-adapter.js';
import { HyperliquidDecoder } from '../../src/live/hyperliquid/hyperliquid-codec.js';
import { PaperVenue } from '../../src/live/venue/paper-venue.js';
import { closeLoop, newLoop, script, scripted, tempDir, until } from './helpers.js';

const candle = (t: number, c: number) => JSON.stringify({ channel: 'candle', data: { t, T: t + 59_999, s: 'BTC', i: '1m', o: String(c), c: String(c), h: String(c + 1), l: String(c - 1), v: '2.5', n: 3 } });
const trades = (px: number, time: number) => JSON.stringify({ channel: 'trades', data: [{ coin: 'BTC', side: 'B', px: String(px), sz: '0.1', time, hash: '0x0', tid: time }] });

describe('Hyperliquid market data', () => {
  it('decodes trades, l2Book and candles (a candle is closed when the next one starts); malformed input is a clear FeedError', () => {
    const d = new HyperliquidDecoder();
    expect(d.decode(trades(106296, 1), 5)).toEqual([{ kind: 'trade', symbol: 'BTC', time: 1, price: 106296, qty: 0.1, receivedNs: 5 }]);
    expect(d.decode('{"channel":"l2Book","data":{"coin":"BTC","time":1,"levels":[[{"px":"99","sz":"1","n":1}],[{"px":"101","sz":"2","n":1}]]}}', 0))
      .toEqual([{ kind: 'depth', symbol: 'BTC', bids: [[99, 1]], asks: [[101, 2]], receivedNs: 0 }]);
    expect(d.decode(candle(60_000, 100), 0).map((e) => (e as { closed: boolean }).closed)).toEqual([false]);
    expect(d.decode(candle(60_000, 101), 0).map((e) => (e as { closed: boolean }).closed)).toEqual([false]);
    const rolled = d.decode(candle(120_000, 102), 0);
    expect(rolled).toMatchObject([{ time: 60_000, close: 101, closed: true }, { time: 120_000, closed: false }]);
    expect(d.decode('{"channel":"subscriptionResponse","data":{}}', 0)).toEqual([]);
    expect(() => d.decode('{"channel":"trades","data":[{"px":"x"', 0)).toThrow(/hyperliquid: malformed JSON/);
    expect(() => d.decode('{"channel":"trades","data":[{"coin":"BTC","px":"abc","sz":"1","time":1}]}', 0)).toThrow(/field data\[0\].px is not a number/);
    expect(() => d.decode('{"channel":"weird","data":1}', 0)).toThrow(/unknown channel/);
  });

  it('the adapter subscribes over xev to a ws server speaking Hyperliquid, and a paper engine trades its candles; orders to Hyperliquid itself are refused', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const subs: unknown[] = [];
    let client: WebSocket | undefined;
    wss.on('connection', (ws) => {
      client = ws;
      ws.on('message', (m) => {
        const msg = JSON.parse(String(m));
        if (msg.method === 'subscribe') {
          subs.push(msg.subscription);
          ws.send(JSON.stringify({ channel: 'subscriptionResponse', data: msg }));
        }
      });
    });
    const loop = newLoop();
    const hl = new HyperliquidAdapter(loop, { wsUrl: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`, coins: ['BTC'], backoffMs: 10 });
    const engine = new LiveEngine({ venue: new PaperVenue(hl), strategy: scripted, symbol: 'BTC', journal: join(tempDir(), 'hl.jsonl'), fsync: 'never' });
    await engine.start();
    await until(() => subs.length === 2, 'both subscriptions');
    expect(subs).toEqual([{ type: 'trades', coin: 'BTC' }, { type: 'candle', coin: 'BTC', interval: '1m' }]);
    script.push((ctx) => ctx.order({ side: 'buy', size: { qty: 0.1 } }));
    client!.send(trades(100, 1));
    client!.send(candle(60_000, 100));
    // Closes the first candle: the strategy orders, and the new candle's price (101) is the next the paper venue sees.
    client!.send(candle(120_000, 101));
    client!.send('{"channel":"candle","data":{"t":"soon"}}');
    client!.send(trades(101.5, 2));
    await until(() => engine.orders.get('xev-1')?.state === 'filled', 'the paper fill');
    expect(engine.stats.bars).toBe(1);
    expect(engine.positions.get('BTC')).toMatchObject({ qty: 0.1 });
    expect(engine.positions.get('BTC').avgPrice).toBeCloseTo(101, 9);
    await until(() => engine.positions.lastPrice('BTC') === 101.5, 'the last trade');
    expect(engine.problems.some((e) => /field t is not a number/.test(e.message))).toBe(true);
    await expect(hl.placeOrder({ clientOrderId: 'x', symbol: 'BTC', side: 'buy', type: 'market', qty: 1 })).rejects.toThrow(/EIP-712/);
    await engine.stop();
    await new Promise<void>((r) => wss.close(() => r()));
    await closeLoop(loop);
    script.length = 0;
  });
});
