/**
 * `@xev/quant`: market data, indicators, strategies, an event-driven backtester, metrics and reports.
 * This file is the whole public surface; everything is a named export.
 */
export * from './data/index.js';
export * from './indicators/index.js';
export { defineStrategy, type StrategyDefinition, type VectorizedPlan, type VectorizedScratch } from './strategy/define-strategy.js';
export { BarCursor, LookAheadError } from './strategy/cursor.js';
export type { InitContext, StrategyContext } from './strategy/context.js';
export type {
  Side, OrderType, PriceOffset, ExitSpec, Size, OrderRequest, EntryRequest, OrderInfo, PositionInfo,
} from './strategy/orders.js';
export {
  ParamError, resolveParams, validateSpecs,
  type ParamSpec, type ParamSpecs, type ParamValues, type IntParam, type FloatParam, type BoolParam, type EnumParam,
} from './strategy/params.js';
export { dualMaCross } from './strategy/builtins/dual-ma-cross.js';
export { tripleMa } from './strategy/builtins/triple-ma.js';
export { rsiMeanReversion } from './strategy/builtins/rsi-mean-reversion.js';
export { bollingerBreakout } from './strategy/builtins/bollinger-breakout.js';
export { macdCross } from './strategy/builtins/macd-cross.js';
export { grid } from './strategy/builtins/grid.js';
export { builtinStrategies, getStrategy } from './strategy/builtins/registry.js';
export { runBacktest, resolveOptions } from './backtest/engine.js';
export { Ledger, LedgerInvariantError, type LedgerSnapshot } from './backtest/ledger.js';
export { limitFillPrice, stopFillPrice, stopLimitFill, slip, type StopLimitOutcome } from './backtest/fill-model.js';
export { checkExits, makeExits, type ActiveExits, type ExitHit } from './backtest/exits.js';
export type { BacktestOptions, BacktestResult, FeeModel, Fill, FillReason, Trade, Rejection } from './backtest/types.js';
export { computeMetrics, type Metrics, type MetricsOptions } from './metrics/compute.js';
export { periodsPerYear, type Calendar } from './metrics/periods.js';
export { barReturns, drawdowns, sampleStdDev, downsideDeviation, mean, type DrawdownStats } from './metrics/returns.js';
export { renderReport, type ReportInput } from './report/html-report.js';
export { lineChart, downsample, type ChartOptions, type ChartSeries } from './report/svg-chart.js';
export { tradesToCsv } from './report/trades-csv.js';
export { runCli, type CliIo } from './cli/command.js';
export { ConfigError, validateConfig, type RunConfig } from './cli/config.js';
export { backtestFile, writeReport, writeTrades, type FileRun } from './cli/run.js';
export { runDemo, sp500DataPath, type DemoOptions, type DemoSummary } from './demo.js';
export { runVectorized, crossTargets, type VectorizedOptions } from './backtest/vectorized.js';
export { ColumnarFills } from './backtest/fill-columns.js';
export {
  ParamSpace, buildAxes, compileConstraint, mulberry32, MAX_GRID,
  type ParamSet, type ParamRange, type Constraint, type SearchSpace, type Axis,
} from './optimizer/param-space.js';
export {
  METRIC_KEYS, METRIC_COUNT, packMetrics, unpackMetrics, compileObjective, compareRanked, TopN,
  type Objective, type ObjectiveFn, type RankedResult,
} from './optimizer/objective.js';
export { Evaluator, loadStrategy, type StrategyRef, type EvalSpec, type EvalError } from './optimizer/evaluate.js';
export { InlineRunner, bufferId, type Sweep, type SweepRunner, type BatchCallback } from './optimizer/runner.js';
export { ThreadRunner, workerModuleUrl, type ThreadRunnerOptions, type ThreadRunnerStats } from './optimizer/thread-runner.js';
export type { BatchTask, BatchResult, DatasetHandle } from './optimizer/worker-task.js';
export {
  optimize, generateCandidates, evalSpecOf, toBatches, defaultBatchSize,
  type OptimizeOptions, type OptimizeResult, type OptimizeProgress, type SearchMethod,
} from './optimizer/optimize.js';
export { datasetBytes, datasetHash, storeDataset, fetchDataset, DATASET_PREFIX, type RedisLike } from './optimizer/dataset-store.js';
export {
  RedisRunner, redisConnection, encodeResult, decodeResult, DEFAULT_QUEUE,
  type RedisRunnerOptions, type RemoteBatch, type RemoteResult,
} from './optimizer/redis-runner.js';
export { startRedisWorker, type RedisWorkerOptions, type RedisWorkerHandle } from './optimizer/redis-worker.js';
export {
  walkForward, walkForwardWindows,
  type WalkForwardOptions, type WalkForwardResult, type WindowLayout, type WindowResult, type StitchedStats, type ParamStability,
} from './optimizer/walk-forward.js';
export { heatmap, type HeatmapOptions } from './report/heatmap.js';
export { renderOptimizeReport, renderWalkForwardReport, objectiveGrid } from './report/optimizer-report.js';
