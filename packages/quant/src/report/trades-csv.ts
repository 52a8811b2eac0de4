import type { Trade } from '../backtest/types.js';

const COLUMNS: Array<keyof Trade> = [
  'side', 'entryTime', 'entryPrice', 'exitTime', 'exitPrice', 'qty', 'grossPnl', 'fees', 'netPnl', 'returnPct', 'exitReason', 'bars',
];

/** The trade log as CSV, times as ISO-8601 UTC, one trade per line. */
export function tradesToCsv(trades: readonly Trade[]): string {
  const lines = [COLUMNS.join(',')];
  for (const t of trades) {
    lines.push(COLUMNS.map((c) => (c === 'entryTime' || c === 'exitTime' ? new Date(t[c]).toISOString() : String(t[c]))).join(','));
  }
  return `${lines.join('\n')}\n`;
}
