#!/usr/bin/env node
// quant-live: the live engine's market-data throughput and tick-to-order latency, on xev (@xev/net's
// WebSocket client and TCP) beside the same engine on Node's own `ws` + `net`, in the same run.
//
//   node bench/quant-live.mjs [--json] [--scale X] [--backend NAME]
//
// A feeder child process (so it does not share the engine's core) speaks Binance's stream format over a
// `ws` server on loopback:
// - md-throughput: 1,000,000 × scale messages (3 trades : 1 closed kline) written as fast as the socket
//   takes them; each is parsed (decodeBinance) and dispatched to LiveEngine, whose dual-MA 10/30
//   strategy runs on every closed kline. Reported: messages per second, first to last message.
// - tick-to-order: closed klines paced at 10,000/s for 3 s × scale; the strategy orders on every bar (the
//   venue answers each market order FILLED, as Binance does with newOrderRespType RESULT), the
//   order passes risk, is journaled (fsync never) and signed (HMAC-SHA256), and its HTTP request is
//   written on a keep-alive TCP connection to a sink. Latency runs from the message being handed up by
//   the WebSocket client to the write's completion, in an HDR-style log-bucketed histogram
//   (LatencyHistogram: within 1/32); p50, p99, p99.9 in microseconds.
import { fork } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs, emit, result, targets } from './harness/common.mjs';

const self = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------- feeder (child process)
if (process.argv[2] === '--feeder') {
  const { WebSocketServer } = await import('ws');
  const frame = (text) => {
    const p = Buffer.from(text);
    const head = p.length < 126 ? Buffer.from([0x81, p.length]) : Buffer.from([0x81, 126, p.length >> 8, p.length & 255]);
    return Buffer.concat([head, p]);
  };
  const t0 = 1_700_000_000_000;
  const kline = (i, c) => frame(JSON.stringify({ e: 'kline', E: t0 + i, s: 'BTCUSDT', k: { t: t0 + i * 60_000, T: t0 + i * 60_000 + 59_999, s: 'BTCUSDT', i: '1m', o: String(c), c: String(c), h: String(c + 1), l: String(c - 1), v: '10', n: 1, x: true } }));
  const trade = (i, p) => frame(JSON.stringify({ e: 'trade', E: t0 + i, s: 'BTCUSDT', t: i, p: String(p), q: '0.01', T: t0 + i, m: false, M: true }));
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('listening', () => process.send({ port: wss.address().port }));
  process.on('message', (cmd) => {
    const [sock] = [...wss.clients].map((c) => c._socket);
    if (cmd.kind === 'burst') {
      // Pre-encode everything, then write in 1 MiB slices honouring backpressure.
      const frames = [];
      for (let i = 0; i < cmd.n; i++) {
        const price = 100 + 10 * Math.sin(i / 400);
        frames.push(i % 4 === 3 ? kline(i >> 2, price) : trade(i, price));
      }
      const all = Buffer.concat(frames);
      let at = 0;
      const pump = () => {
        while (at < all.length) {
          const ok = sock.write(all.subarray(at, at + (1 << 20)));
          at += 1 << 20;
          if (!ok) return void sock.once('drain', pump);
        }
      };
      pump();
    } else if (cmd.kind === 'paced') {
      // Spin on the clock so messages leave at the rate, one at a time (no bursts that queue).
      const frames = [];
      for (let i = 0; i < cmd.n; i++) frames.push(kline(i, 100 + (i % 7)));
      const gap = 1e9 / cmd.rate;
      const start = process.hrtime.bigint();
      for (let i = 0; i < cmd.n; i++) {
        const due = start + BigInt(Math.round(i * gap));
        while (process.hrtime.bigint() < due);
        sock.write(frames[i]);
      }
    }
  });
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}

// ---------------------------------------------------------------- engine side
async function main() {
  const args = benchArgs();
  const { Loop } = await import('@xev/core');
  const xnet = await import('@xev/net');
  const { WebSocket } = await import('ws');
  const live = await import('@xev/quant/live');
  const { defineStrategy, dualMaCross } = await import('@xev/quant');

  const feeder = fork(self, ['--feeder'], { stdio: 'inherit' });
  const { port } = await new Promise((r) => feeder.once('message', r));
  const sink = net.createServer((s) => s.on('data', () => {}).on('error', () => {}));
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const sinkPort = sink.address().port;

  const everyBar = defineStrategy({
    name: 'bench-every-bar', params: {}, init: () => ({ n: 0 }),
    onBar(ctx) { ctx.order({ side: ctx.state.n++ % 2 ? 'sell' : 'buy', size: { qty: 0.001 } }); },
  });

  // Transports: the same venue logic over xev or over Node.
  const transports = {
    xev: (loop) => ({
      async open(onText) {
        const ws = await xnet.connectWebSocket(loop, `ws://127.0.0.1:${port}/ws`);
        ws.on('message', (d) => onText(typeof d === 'string' ? d : d.toString()));
        const conn = await xnet.connect(loop, { host: '127.0.0.1', port: sinkPort, noDelay: true });
        return { write: (buf, done) => conn.write(buf).then(done), close: async () => { await ws.close(); await conn.close(); } };
      },
    }),
    node: () => ({
      async open(onText) {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
        await new Promise((r, j) => ws.once('open', r).once('error', j));
        ws.on('message', (d) => onText(d.toString()));
        const s = net.connect({ host: '127.0.0.1', port: sinkPort, noDelay: true });
        await new Promise((r) => s.once('connect', r));
        return { write: (buf, done) => s.write(buf, done), close: async () => { ws.close(); await new Promise((r) => ws.once('close', r)); s.destroy(); } };
      },
    }),
  };

  // A Binance-shaped venue: market data through the transport, orders signed and written raw.
  function benchVenue(transport, hist, onCount) {
    let link = null;
    let tickNs = 0;
    const secret = 'bench-secret-0123456789';
    return {
      name: 'bench',
      async start(h) {
        link = await transport.open((text) => {
          tickNs = Number(process.hrtime.bigint());
          const d = live.decodeBinance(text, tickNs);
          if (d && 'market' in d) h.market(d.market);
          onCount();
        });
      },
      placeOrder(o) {
        const t = tickNs;
        const q = `symbol=${o.symbol}&side=${o.side === 'buy' ? 'BUY' : 'SELL'}&type=MARKET&quantity=${o.qty}&newClientOrderId=${o.clientOrderId}&recvWindow=5000&timestamp=${Date.now()}`;
        const sig = createHmac('sha256', secret).update(q).digest('hex');
        const req = Buffer.from(`POST /api/v3/order?${q}&signature=${sig} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-MBX-APIKEY: bench\r\n\r\n`);
        link.write(req, () => hist?.record(Number(process.hrtime.bigint()) - t));
        return Promise.resolve({ clientOrderId: o.clientOrderId, symbol: o.symbol, status: 'filled', cumQty: o.qty, cumQuote: o.qty * 100, source: 'rest' });
      },
      cancelOrder: () => Promise.reject(new Error('not in the bench')),
      openOrders: async () => [],
      orderStatus: async () => null,
      positions: async () => new Map(),
      stop: async () => link?.close(),
    };
  }

  async function run(side, loop, kind) {
    const n = kind === 'burst' ? Math.round(1_000_000 * args.scale) : Math.round(30_000 * args.scale);
    const hist = kind === 'paced' ? new live.LatencyHistogram() : null;
    let count = 0;
    let first = 0n;
    let last = 0n;
    let done;
    const finished = new Promise((r) => (done = r));
    const transport = side === 'xev' ? transports.xev(loop) : transports.node();
    const venue = benchVenue(transport, hist, () => {
      if (count++ === 0) first = process.hrtime.bigint();
      if (count === n) {
        last = process.hrtime.bigint();
        done();
      }
    });
    const journal = join(mkdtempSync(join(tmpdir(), 'xev-bench-')), 'j.jsonl');
    const engine = new live.LiveEngine({
      venue, strategy: kind === 'burst' ? dualMaCross : everyBar, params: kind === 'burst' ? { fast: 10, slow: 30 } : {},
      symbol: 'BTCUSDT', journal, fsync: 'never', defaultSize: { qty: 0.001 },
    });
    await engine.start();
    feeder.send({ kind, n, rate: 10_000 });
    await finished;
    await engine.idle();
    // Order writes complete after the engine is idle (it does not wait for them): give them a moment.
    for (let i = 0; i < 500 && hist && hist.count < n; i++) await new Promise((r) => setTimeout(r, 2));
    const secs = Number(last - first) / 1e9;
    // Checks: every message reached the engine; on the paced run every bar produced one order.
    if (engine.stats.marketEvents !== n) throw new Error(`${side}: ${engine.stats.marketEvents} of ${n} messages dispatched`);
    if (kind === 'paced' && (engine.stats.ordersSent !== n || hist.count !== n)) throw new Error(`${side}: ${engine.stats.ordersSent} orders, ${hist.count} writes for ${n} bars`);
    await engine.stop();
    return { rate: n / secs, hist, n, bars: engine.stats.bars };
  }

  const pairs = (await targets(args)).filter((p) => p.mode === 'attached');
  for (const { backend, mode } of pairs) {
    let loop;
    try {
      loop = new Loop({ backend });
    } catch (e) {
      emit(args, { name: 'quant-live', backend, mode, unit: 'error', xev: null, node: null, ratio: null, error: String(e.message).split('\n')[0] });
      continue;
    }
    const xb = await run('xev', loop, 'burst');
    const nb = await run('node', null, 'burst');
    emit(args, result({ name: 'md-throughput', backend, mode, unit: 'msg/s', xev: xb.rate, node: nb.rate, extra: { messages: xb.n, bars: xb.bars } }));
    const xp = await run('xev', loop, 'paced');
    const np = await run('node', null, 'paced');
    for (const p of [50, 99, 99.9]) {
      emit(args, result({ name: `tick-to-order-p${p}`, backend, mode, unit: 'µs', better: 'lower', xev: xp.hist.percentile(p) / 1000, node: np.hist.percentile(p) / 1000, extra: { orders: xp.n, rate: 10_000 } }));
    }
    for (let i = 0; i < 200 && loop.activeCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    loop.close();
  }
  feeder.disconnect();
  sink.close();
}
