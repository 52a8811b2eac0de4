/**
 * `@xev/quant`: market data, indicators, strategies, an event-driven backtester, metrics and reports.
 * This file is the whole public surface; everything is a named export.
 */
export * from './data/index.js';
export * from './indicators/index.js';
