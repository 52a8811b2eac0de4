import { describe, expect, it } from 'vitest';
import { decodeBinance, FeedError, restOrder } from '../../src/live/binance/binance-codec.js';
import { decimal } from '../../src/live/binance/binance-adapter.js';
import { signQuery } from '../../src/live/binance/binance-rest.js';
import { backoffDelay, redactUrl } from '../../src/live/ws-stream.js';

describe('Binance wire formats', () => {
  it('signs as Binance documents (the HMAC SHA256 example in the spot API docs)', () => {
    const secret = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
    const query = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
    expect(signQuery(query, secret)).toBe('c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71');
  });

  it('decodes trade, kline, bookTicker, depthUpdate (raw and combined streams) and executionReport', () => {
    expect(decodeBinance('{"e":"trade","E":1,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":123456785,"m":true,"M":true}', 7)).toEqual({ market: { kind: 'trade', symbol: 'BNBBTC', time: 123456785, price: 0.001, qty: 100, receivedNs: 7 } });
    const k = decodeBinance('{"stream":"bnbbtc@kline_1m","data":{"e":"kline","E":1,"s":"BNBBTC","k":{"t":60000,"T":119999,"s":"BNBBTC","i":"1m","o":"1","c":"2","h":"3","l":"0.5","v":"10","x":true}}}', 0);
    expect(k).toMatchObject({ market: { kind: 'kline', time: 60000, open: 1, high: 3, low: 0.5, close: 2, volume: 10, closed: true } });
    expect(decodeBinance('{"u":400900217,"s":"BNBUSDT","b":"25.3519","B":"31.21","a":"25.3652","A":"40.66"}', 0)).toMatchObject({ market: { kind: 'book-ticker', bidPrice: 25.3519, askQty: 40.66 } });
    expect(decodeBinance('{"e":"depthUpdate","E":1,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}', 0)).toMatchObject({ market: { kind: 'depth', bids: [[0.0024, 10]], asks: [[0.0026, 100]] } });
    const er = decodeBinance('{"e":"executionReport","E":1,"s":"ETHBTC","c":"mUvoqJxFIILMdfAW5iGSOW","S":"BUY","o":"LIMIT","q":"1.0","p":"0.1","x":"TRADE","X":"PARTIALLY_FILLED","r":"NONE","i":4293153,"l":"0.4","z":"0.4","L":"0.1","n":"0","N":"BNB","Z":"0.04","C":""}', 0);
    expect(er).toEqual({ order: { clientOrderId: 'mUvoqJxFIILMdfAW5iGSOW', symbol: 'ETHBTC', status: 'partially-filled', cumQty: 0.4, cumQuote: 0.04, venueOrderId: '4293153', fee: 0, source: 'stream' } });
    const cancel = decodeBinance('{"e":"executionReport","s":"ETHBTC","c":"cancelReq","C":"orig-1","X":"CANCELED","x":"CANCELED","i":1,"z":"0","Z":"0","r":"NONE"}', 0);
    expect(cancel).toMatchObject({ order: { clientOrderId: 'orig-1', status: 'cancelled' } });
    expect(decodeBinance('{"result":null,"id":1}', 0)).toEqual({ control: { result: null, id: 1 } });
    expect(restOrder({ symbol: 'BTCUSDT', orderId: 5, clientOrderId: 'cx', origClientOrderId: 'o-1', status: 'CANCELED', executedQty: '0.1', cummulativeQuoteQty: '10' }, 'rest')).toMatchObject({ clientOrderId: 'o-1', status: 'cancelled', cumQty: 0.1 });
  });

  it('malformed JSON and bad fields are FeedErrors that say what is wrong', () => {
    expect(() => decodeBinance('{"e":"trade",', 0)).toThrow(FeedError);
    expect(() => decodeBinance('{"e":"trade",', 0)).toThrow(/malformed JSON/);
    expect(() => decodeBinance('{"e":"trade","s":"X","p":"NaN?","q":"1","T":1}', 0)).toThrow(/field p is not a number/);
    expect(() => decodeBinance('42', 0)).toThrow(/expected a JSON object/);
    expect(() => decodeBinance('{"e":"kline","s":"X"}', 0)).toThrow(/without k/);
    expect(() => decodeBinance('{"code":-1121,"msg":"Invalid symbol."}', 0)).toThrow(/stream error -1121/);
  });

  it('quantities go out without exponent notation; URLs in errors lose listen keys and signatures', () => {
    expect(decimal(1e-7)).toBe('0.0000001');
    expect(decimal(2)).toBe('2');
    expect(redactUrl('connect ws://h/ws/pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1 failed')).toBe('connect ws://h/ws/<redacted> failed');
    expect(redactUrl('GET /x?a=1&signature=abcdef&b=2')).toBe('GET /x?a=1&signature=<redacted>&b=2');
  });

  it('backoff grows exponentially under a cap, with full jitter', () => {
    expect(backoffDelay(0, 250, 30_000, () => 0.999)).toBe(249);
    expect(backoffDelay(3, 250, 30_000, () => 0.5)).toBe(1000);
    expect(backoffDelay(20, 250, 30_000, () => 0.999)).toBe(29_970);
    expect(backoffDelay(5, 250, 30_000, () => 0)).toBe(0);
  });
});
