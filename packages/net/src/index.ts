/**
 * `@xev/net`: TCP and UDP on the xev loop — libxev-shaped watchers ({@link TCP}, {@link UDP}) over
 * caller-owned completions, a Promise API (`connect`, `listen`, `bindUdp`), pooled reads for idle
 * connections, a `stream.Duplex` bridge for `tls`, `http` and `ws`, and a WebSocket client.
 *
 * @packageDocumentation
 */
export { TCP, type ShutdownDirection } from './tcp.js';
export { UDP } from './udp.js';
export { WriteQueue, WriteRequest, type WriteCallback } from '@xev/core';
export type { SocketOptions } from './sockets.js';
export { TcpConnection } from './connection.js';
export { connect, listen, TcpListener, type ConnectOptions, type ListenOptions } from './tcp-promises.js';
export { bindUdp, UdpSocket, type BindOptions, type Datagram } from './udp-promises.js';
export { resolveHost, type HostPort } from './resolve.js';
export { XevSocket, type XevSocketConnectOptions } from './duplex.js';
export { connectWebSocket, WebSocketClient, type CloseInfo, type WebSocketOptions } from './ws/client.js';
export { CloseCode, WebSocketProtocolError } from './ws/frame.js';
export { PooledReader, ReadPool, type PooledReadCallback } from './pooled-read.js';
