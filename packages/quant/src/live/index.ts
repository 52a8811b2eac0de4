/**
 * `@xev/quant/live`: live and paper trading on the xev loop — the engine, the order state machine,
 * the journal, the risk manager, venue adapters (Binance spot, paper) and a Binance-compatible
 * exchange simulator for tests and demos. Everything is a named export.
 *
 * @packageDocumentation
 */
export type {
  TradeEvent, KlineEvent, BookTickerEvent, DepthEvent, MarketEvent, StreamKind, OrderSpec, VenueStatus, OrderUpdate,
  VenueHandlers, VenueAdapter,
} from './types.js';
export { OrderBook, OrderStateError, TERMINAL_STATES, type OrderState, type LiveOrder, type FillDelta, type ApplyResult } from './order-state.js';
export { PositionTracker, type Position } from './position-tracker.js';
export { Journal, type FsyncPolicy, type JournalEntry, type JournalInput, type JournalOptions, type Recovered } from './journal.js';
export { RiskManager, RiskRejection, type RiskLimits, type TradingState, type PendingExposure } from './risk-manager.js';
export { BarBuilder } from './bar-builder.js';
export { LiveContext, type ContextHost } from './live-context.js';
export { LiveEngine, type LiveEngineOptions, type EngineStats } from './engine.js';
export { ResilientStream, backoffDelay, redactUrl, type ResilientStreamOptions } from './ws-stream.js';
export { Credentials, loadCredentials } from './credentials.js';
export { decodeBinance, binanceStatus, binanceStreamNames, restOrder, FeedError, baseOf, quoteOf, type Decoded } from './binance/binance-codec.js';
export { BinanceRest, VenueRejectError, signQuery } from './binance/binance-rest.js';
export { BinanceAdapter, decimal, type BinanceOptions } from './binance/binance-adapter.js';
export { PaperVenue, type PaperOptions } from './venue/paper-venue.js';
export { MatchingEngine, SimReject, type SimOrder, type MatchingOptions } from './simulator/matching-engine.js';
export { ExchangeSimulator, type SimulatorOptions, type SimulatorStats } from './simulator/exchange-simulator.js';
export { LatencyHistogram } from './latency-histogram.js';
export { HyperliquidDecoder, hyperliquidSubscriptions } from './hyperliquid/hyperliquid-codec.js';
export { HyperliquidAdapter, type HyperliquidOptions } from './hyperliquid/hyperliquid-adapter.js';
export { keccak256 } from './hyperliquid/keccak.js';
