#!/usr/bin/env node
// node examples/http-server/server.mjs --port 8080 [--host 127.0.0.1] [--backend io_uring]
//
// An HTTP/1.1 keep-alive server with pipelining on raw xev TCP. Routes:
//   GET  /            "Hello, World!"
//   POST /echo        the request body
//   GET  /delay?ms=N  answers after N ms (pipelined behind it, faster answers still wait their turn)
//   GET  /json        a small JSON document
import { parseArgs } from 'node:util';
import { Loop, sleep } from '@xev/core';
import { createHttpServer } from './http-server.mjs';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' }, backend: { type: 'string' } } });
const loop = new Loop(values.backend ? { backend: values.backend } : {});

const server = createHttpServer(
  loop,
  (req) => {
    const url = new URL(req.target, 'http://x');
    if (url.pathname === '/') return 'Hello, World!';
    if (url.pathname === '/echo' && req.method === 'POST') return { body: req.body, headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' } };
    if (url.pathname === '/delay') return sleep(loop, Number(url.searchParams.get('ms') ?? 10)).then(() => `delayed ${url.searchParams.get('ms')}`);
    if (url.pathname === '/json') return { body: JSON.stringify({ backend: loop.backendName, method: req.method }), headers: { 'content-type': 'application/json' } };
    return { status: 404, body: `no route for ${req.method} ${url.pathname}` };
  },
  { host: values.host, port: Number(values.port) },
);
console.log(`listening on http://${values.host}:${server.port} (${loop.backendName})`);

const stop = () => {
  server.close();
  setTimeout(() => process.exit(0), 100).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
await loop.run('until_done');
