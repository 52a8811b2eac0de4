import { afterEach, describe, expect, it } from 'vitest';
import { rig, script, until, warm, start, type Rig } from './helpers.js';

describe('malformed input from the venue', () => {
  let r: Rig | undefined;
  afterEach(async () => {
    script.length = 0;
    await r?.close();
    r = undefined;
  });

  it('malformed JSON and well-formed JSON with bad fields are reported clearly and the stream keeps going', async () => {
    r = await rig();
    await start(r);
    await warm(r);
    r.sim.sendRawText('{"e":"trade","s":"BTCUSDT",');
    r.sim.sendRawText('{"e":"trade","s":"BTCUSDT","p":"not-a-price","q":"1","T":1}');
    r.sim.sendRawText('[1,2,3');
    r.sim.sendRawText('{"e":"mystery"}');
    r.sim.trade('BTCUSDT', 101, 0.1);
    await until(() => r!.engine.positions.lastPrice('BTCUSDT') === 101, 'the trade after the garbage');
    const messages = r.engine.problems.map((e) => e.message);
    expect(messages.filter((m) => /malformed JSON/.test(m))).toHaveLength(2);
    expect(messages.some((m) => /field p is not a number/.test(m))).toBe(true);
    expect(messages.some((m) => /unknown event type "mystery"/.test(m))).toBe(true);
    expect(r.sim.stats.marketConnections).toBe(1); // no reconnect was needed
  });

  it('a malformed WebSocket frame fails that connection with a protocol error; the engine reconnects and keeps trading', async () => {
    r = await rig();
    await start(r);
    await warm(r);
    // FIN + RSV1 + text with no extension negotiated: RFC 6455 §5.2 says fail the connection.
    r.sim.sendRawBytes(Buffer.from([0xc1, 0x02, 0x68, 0x69]));
    await until(() => r!.sim.stats.marketConnections === 2 && r!.sim.subscribers('btcusdt@trade') === 1, 'the reconnect and resubscription');
    expect(r.engine.problems.some((e) => /binance-market: connection lost/.test(e.message) && /RSV|reserved|malformed/i.test(e.message))).toBe(true);
    r.sim.trade('BTCUSDT', 102, 0.1);
    await until(() => r!.engine.positions.lastPrice('BTCUSDT') === 102, 'a trade after the reconnect');
    r.engine.submit('buy', 'market', 0.1);
    await until(() => r!.engine.orders.get('xev-1')?.state === 'filled', 'an order after the reconnect');
  });
});
