import type { BacktestResult, Trade } from '../backtest/types.js';
import type { Metrics } from '../metrics/compute.js';
import { drawdowns } from '../metrics/returns.js';
import { escapeHtml } from './escape.js';
import { metricRows, num, pct } from './format.js';
import { lineChart } from './svg-chart.js';

/** What a report shows. */
export interface ReportInput {
  /** Page title and heading. */
  title: string;
  /** Free text under the title (data file, period…). */
  subtitle?: string;
  /** The backtest result. */
  result: BacktestResult;
  /** Its metrics. */
  metrics: Metrics;
  /** Largest number of trades listed in the table (default 2000); the rest are counted, not shown. */
  maxTrades?: number;
}

/** The reports' shared stylesheet (inline in every report). */
export const REPORT_CSS = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:960px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.sub{color:#57606a;margin:0 0 16px}
table{border-collapse:collapse;width:100%}th,td{padding:4px 6px;border-bottom:1px solid #d8dee4;text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th:first-child,td:first-child{text-align:left}.metrics{width:auto;min-width:420px}.pos{color:#1a7f37}.neg{color:#cf222e}
.scroll{overflow-x:auto}.chart{display:block;width:100%;height:auto;margin:8px 0}.chart .grid{stroke:#eaeef2}.chart .tick{font-size:11px;fill:#57606a}
.chart .chart-title{font-size:13px;font-weight:600;fill:#1b1f24}.chart .legend{font-size:12px}
`;

function tradeRow(t: Trade, k: number): string {
  const cls = t.netPnl > 0 ? 'pos' : 'neg';
  const d = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
  return `<tr><td>${k + 1}</td><td>${t.side}</td><td>${d(t.entryTime)}</td><td>${num(t.entryPrice, 4)}</td><td>${d(t.exitTime)}</td>` +
    `<td>${num(t.exitPrice, 4)}</td><td>${num(t.qty, 4)}</td><td class="${cls}">${num(t.netPnl)}</td><td class="${cls}">${pct(t.returnPct)}</td>` +
    `<td>${num(t.fees)}</td><td>${t.bars}</td><td>${t.exitReason}</td></tr>`;
}

/**
 * Renders a self-contained HTML report: metrics table, equity chart (strategy and buy-and-hold scaled
 * to the same starting cash), drawdown chart and the trade list. Inline CSS and SVG only — no scripts,
 * fonts or network requests — so it can be archived and opened offline.
 */
export function renderReport(input: ReportInput): string {
  const { result: r, metrics: m } = input;
  const e0 = r.options.initialCash;
  const bh = Float64Array.from(r.close, (c) => (e0 * c) / r.close[0]);
  const dd = drawdowns(r.equity, e0).series.map((x) => -x);
  const equity = lineChart({
    id: 'equity-chart', title: 'Equity', time: r.time,
    series: [{ label: r.strategy, values: r.equity, color: '#0969da' }, { label: 'buy & hold', values: bh, color: '#8c959f' }],
    format: (v) => v.toLocaleString('en-US', { maximumFractionDigits: 0 }),
  });
  const drawdown = lineChart({
    id: 'drawdown-chart', title: 'Drawdown', time: r.time, includeY: 0, height: 200,
    series: [{ label: 'drawdown', values: dd, color: '#cf222e', area: true }],
    // `|| 0` turns −0 into 0 so the top tick reads "0 %", not "-0 %".
    format: (v) => `${+(v * 100).toFixed(1) || 0} %`,
  });
  const max = input.maxTrades ?? 2000;
  const shown = r.trades.slice(0, max);
  const params = Object.entries(r.params).map(([k, v]) => `${escapeHtml(k)}=${escapeHtml(String(v))}`).join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(input.title)}</title><style>${REPORT_CSS}</style></head><body>
<h1>${escapeHtml(input.title)}</h1>
<p class="sub">${escapeHtml(input.subtitle ?? '')}${input.subtitle ? ' · ' : ''}strategy <b>${escapeHtml(r.strategy)}</b>${params ? ` (${params})` : ''} · fills at ${r.options.fillAt} · fees maker ${r.options.fees.maker}, taker ${r.options.fees.taker}, fixed ${r.options.fees.fixed} · slippage ${r.options.slippageBps} bp</p>
<h2>Summary</h2>
<table class="metrics" id="metrics">${metricRows(m).map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<h2>Equity</h2>${equity}
<h2>Drawdown</h2>${drawdown}
<h2>Trades</h2>
<div class="scroll"><table id="trades"><thead><tr><th>#</th><th>side</th><th>entry time</th><th>entry</th><th>exit time</th><th>exit</th><th>qty</th><th>net PnL</th><th>return</th><th>fees</th><th>bars</th><th>exit reason</th></tr></thead>
<tbody>${shown.map(tradeRow).join('')}</tbody></table></div>
${r.trades.length > max ? `<p class="sub">${r.trades.length - max} more trades not shown; export them with --trades.</p>` : ''}
</body></html>
`;
}
