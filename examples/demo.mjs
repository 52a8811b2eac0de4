// The xev demo (`npm start`): which backend this machine gets and why, then a short timer and async
// workload on it, with its figures. Later packages add their parts below.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { Async, CallbackAction, Completion, Loop, Timer, formatReport, report } from '@xev/core';


const r = report();
console.log(formatReport(r));

const loop = new Loop();
console.log(`\nloop: ${loop.backendName} (${loop.mode})\n`);

// 100,000 timers with spread-out deadlines, fired in order.
{
  const timer = new Timer();
  const count = 100_000;
  const completions = Array.from({ length: count }, () => new Completion());
  let fired = 0;
  let last = -Infinity;
  let ordered = true;
  const onFire = (_u, _l, c) => {
    if (c._deadline < last) ordered = false;
    last = c._deadline;
    fired++;
    return CallbackAction.disarm;
  };
  const start = performance.now();
  for (let i = 0; i < count; i++) timer.run(loop, completions[i], i % 50, null, onFire);
  await loop.run('until_done');
  const ms = performance.now() - start;
  console.log(`timers: ${fired.toLocaleString()} fired in deadline order: ${ordered}, ${ms.toFixed(1)} ms (including up to 49 ms of waiting)`);
}

// A repeating timer: rearm means "again after the same delay".
{
  const timer = new Timer();
  const ticks = [];
  timer.run(loop, new Completion(), 10, null, () => {
    ticks.push(performance.now());
    return ticks.length < 5 ? CallbackAction.rearm : CallbackAction.disarm;
  });
  await loop.run('until_done');
  const gaps = ticks.slice(1).map((t, i) => (t - ticks[i]).toFixed(1));
  console.log(`interval: 5 ticks of 10 ms, gaps ${gaps.join(', ')} ms`);
}

// Async: a worker thread wakes the loop 10,000 times; notifies that land before a tick coalesce.
{
  const async = new Async(loop);
  const count = 10_000;
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const { notifyToken } = require(workerData.core);
     for (let i = 0; i < workerData.count; i++) notifyToken(workerData.token);`,
    { eval: true, workerData: { token: async.token(), count, core: createRequire(import.meta.url).resolve("@xev/core") } },
  );
  let wakeups = 0;
  let finished = false;
  worker.once('exit', () => {
    finished = true;
    async.notify();
  });
  const start = performance.now();
  async.wait(new Completion(), null, () => {
    wakeups++;
    return finished ? CallbackAction.disarm : CallbackAction.rearm;
  });
  await loop.run('until_done');
  const ms = performance.now() - start;
  console.log(`async: ${count.toLocaleString()} notifies from a worker, ${wakeups.toLocaleString()} wake-ups (coalesced), ${ms.toFixed(1)} ms`);
  async.close();
}

// @xev/net: 10,000 ping-pong round trips over loopback TCP on the loop's backend.
{
  const { connect, listen } = await import('@xev/net');
  const rounds = 10_000;
  const listener = await listen(loop, { host: '127.0.0.1', port: 0 });
  const serving = (async () => {
    for await (const conn of listener) {
      const buf = Buffer.alloc(64);
      for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) await conn.write(buf.subarray(0, n));
      await conn.close();
    }
  })();
  const conn = await connect(loop, { host: '127.0.0.1', port: listener.address.port, noDelay: true });
  const ping = Buffer.from('ping');
  const pong = Buffer.alloc(64);
  const start = performance.now();
  for (let i = 0; i < rounds; i++) {
    await conn.write(ping);
    let got = 0;
    while (got < ping.length) got += (await conn.read(pong.subarray(got))) ?? 0;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(`tcp: ${rounds.toLocaleString()} ping-pong round trips with the Promise API, ${Math.round(rounds / seconds).toLocaleString()}/s`);
  await conn.close();
  await listener.close();
  await serving;
}

loop.close();

// @xev/quant: the 50/200-day moving-average cross on the S&P 500, 2000–2020 (vega-datasets), with an
// offline HTML report.
{
  const { runDemo } = await import('@xev/quant');
  const reportPath = new URL('../xev-demo-report.html', import.meta.url).pathname;
  const start = performance.now();
  const s = await runDemo({ reportPath });
  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  console.log(
    `\nbacktest: ${s.strategy} ${JSON.stringify(s.params)} on S&P 500 daily ${s.from} … ${s.to} (${s.bars.toLocaleString()} bars): ` +
      `${s.trades} trades, total return ${pct(s.metrics.totalReturn)} vs buy-and-hold ${pct(s.metrics.buyAndHoldReturn)}, ` +
      `max drawdown ${pct(s.metrics.maxDrawdown)}, Sharpe ${s.metrics.sharpe.toFixed(2)} — ${(performance.now() - start).toFixed(0)} ms`,
  );
  console.log(`report: ${reportPath}`);
}
