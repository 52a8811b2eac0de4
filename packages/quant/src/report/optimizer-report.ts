/**
 * HTML reports of an optimization and of a walk-forward analysis: self-contained like the backtest
 * report (inline CSS and SVG, no scripts), with the objective heatmap over two parameters, the top-N
 * table, and for walk-forward the stitched out-of-sample equity, the per-window in-sample vs
 * out-of-sample table and the parameter-stability heatmap.
 */
import type { OptimizeResult } from '../optimizer/optimize.js';
import type { WalkForwardResult } from '../optimizer/walk-forward.js';
import type { Axis } from '../optimizer/param-space.js';
import { escapeHtml } from './escape.js';
import { num, pct } from './format.js';
import { heatmap, HEATMAP_CSS } from './heatmap.js';
import { REPORT_CSS } from './html-report.js';
import { lineChart } from './svg-chart.js';

const page = (title: string, subtitle: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${REPORT_CSS}${HEATMAP_CSS}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(subtitle)}</p>
${body}
</body></html>
`;

const fmtParam = (v: unknown) => (typeof v === 'number' ? String(+v.toPrecision(6)) : String(v));

/** Most cells per heatmap axis; longer axes are binned (each cell shows its bin's best). */
const MAX_CELLS = 40;

/**
 * The objective over the first two searched numeric parameters with more than one value: each cell is
 * the best score among candidates in that cell (the other parameters vary freely), binned to at most
 * {@link MAX_CELLS} per side. Undefined when fewer than two such parameters were searched.
 */
export function objectiveGrid(r: Pick<OptimizeResult, 'axes' | 'candidates' | 'scores'>): { y: Axis; x: Axis; rows: string[]; cols: string[]; values: number[][] } | undefined {
  const numeric = r.axes.filter((a) => a.values.length > 1 && typeof a.values[0] === 'number');
  if (numeric.length < 2) return undefined;
  const [y, x] = numeric;
  const bins = (a: Axis) => Math.min(MAX_CELLS, a.values.length);
  const binOf = (a: Axis, v: unknown) => Math.floor((a.values.indexOf(v as number) * bins(a)) / a.values.length);
  const label = (a: Axis, b: number) => {
    const lo = a.values[Math.ceil((b * a.values.length) / bins(a))];
    const hi = a.values[Math.ceil(((b + 1) * a.values.length) / bins(a)) - 1];
    return lo === hi ? fmtParam(lo) : `${fmtParam(lo)}–${fmtParam(hi)}`;
  };
  const values = Array.from({ length: bins(y) }, () => new Array<number>(bins(x)).fill(NaN));
  r.candidates.forEach((p, i) => {
    const s = r.scores[i];
    if (s !== s) return;
    const row = values[binOf(y, p[y.name])];
    const c = binOf(x, p[x.name]);
    if (!(row[c] >= s)) row[c] = s;
  });
  return { y, x, values, rows: Array.from({ length: bins(y) }, (_, b) => label(y, b)), cols: Array.from({ length: bins(x) }, (_, b) => label(x, b)) };
}

function topTable(r: OptimizeResult): string {
  const names = r.axes.map((a) => a.name);
  const head = `<tr><th>#</th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}<th>${escapeHtml(r.objective)}</th><th>CAGR</th><th>Sharpe</th><th>max DD</th><th>trades</th></tr>`;
  const rows = r.top.map((t) => `<tr><td>${t.rank}</td>${names.map((n) => `<td>${escapeHtml(fmtParam(t.params[n]))}</td>`).join('')}<td>${num(t.score, 4)}</td><td>${pct(t.metrics.cagr)}</td><td>${num(t.metrics.sharpe)}</td><td>${pct(t.metrics.maxDrawdown)}</td><td>${t.metrics.tradeCount}</td></tr>`);
  return `<div class="scroll"><table id="top">${head}${rows.join('')}</table></div>`;
}

/** Renders the report of an {@link OptimizeResult}. */
export function renderOptimizeReport(r: OptimizeResult, title: string, subtitle = ''): string {
  const grid = objectiveGrid(r);
  const search = r.search === 'grid' ? 'grid' : `random (${r.search.random} draws, seed ${r.search.seed ?? 1})`;
  const summary = `${r.strategy} · objective ${r.objective} · ${search} · ${r.evaluated} of ${r.candidates.length} candidates evaluated${r.failed ? `, ${r.failed} failed` : ''}${r.aborted ? ' (interrupted)' : ''} · ${r.bars} bars · ${(r.elapsedMs / 1000).toFixed(1)} s`;
  const body = [
    `<h2>Top ${r.top.length}</h2>${topTable(r)}`,
    grid ? `<h2>${escapeHtml(r.objective)} by ${escapeHtml(grid.y.name)} and ${escapeHtml(grid.x.name)}</h2><p class="sub">Best ${escapeHtml(r.objective)} in each cell; other parameters vary freely; grey cells were not evaluated or failed.</p>${heatmap({ id: 'objective-heatmap', corner: `${grid.y.name} \\ ${grid.x.name}`, rows: grid.rows, cols: grid.cols, values: grid.values })}` : '',
  ];
  return page(title, subtitle ? `${subtitle} · ${summary}` : summary, body.join('\n'));
}

/** Renders the report of a {@link WalkForwardResult}. */
export function renderWalkForwardReport(r: WalkForwardResult, time: Float64Array, title: string, subtitle = ''): string {
  const d = (i: number) => new Date(time[i]).toISOString().slice(0, 10);
  const names = r.axes.map((a) => a.name);
  const windows = r.windows.map((w) => `<tr><td>${w.index + 1}</td><td>${d(w.isStart)} → ${d(w.isEnd - 1)}</td><td>${d(w.oosStart)} → ${d(w.oosEnd - 1)}</td>${names.map((n) => `<td>${escapeHtml(fmtParam(w.best.params[n]))}</td>`).join('')}<td>${num(w.isScore, 3)}</td><td>${num(w.oosScore, 3)}</td><td>${pct(w.degradation)}</td><td>${pct(w.best.metrics.cagr)}</td><td>${pct(w.oos.cagr)}</td><td>${num(w.efficiency, 2)}</td></tr>`);
  const stability = heatmap({
    id: 'stability-heatmap', corner: 'parameter \\ window',
    rows: r.stability.map((s) => `${s.name} (spread ${num(s.spread, 2)})`),
    cols: r.windows.map((w) => String(w.index + 1)),
    values: r.stability.map((s) => s.positions),
    range: [0, 1],
    text: (row, c) => fmtParam(r.stability[row].values[c]),
  });
  const chart = r.equity.length ? lineChart({
    id: 'oos-equity-chart', title: 'Stitched out-of-sample equity', time: r.time,
    series: [{ label: 'out of sample', values: r.equity, color: '#0969da' }],
    format: (v) => v.toLocaleString('en-US', { maximumFractionDigits: 0 }),
  }) : '';
  const s = r.stitched;
  const summary = `<table class="metrics" id="wf-summary">${[
    ['Walk-forward efficiency', num(r.efficiency, 3)],
    ['Mean degradation (in → out of sample)', pct(r.meanDegradation)],
    ['Out-of-sample total return', pct(s.totalReturn)],
    ['Out-of-sample CAGR', pct(s.cagr)],
    ['Out-of-sample Sharpe', num(s.sharpe)],
    ['Out-of-sample max drawdown', pct(s.maxDrawdown)],
    ['Windows', `${r.windows.length} (${r.mode})${r.aborted ? ', interrupted' : ''}`],
  ].map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
  const body = [
    `<h2>Summary</h2>${summary}`,
    `<h2>Out-of-sample equity</h2>${chart}`,
    `<h2>Windows: in-sample vs out-of-sample</h2><div class="scroll"><table id="windows"><tr><th>#</th><th>in sample</th><th>out of sample</th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}<th>IS ${escapeHtml(r.objective)}</th><th>OOS ${escapeHtml(r.objective)}</th><th>degradation</th><th>IS CAGR</th><th>OOS CAGR</th><th>efficiency</th></tr>${windows.join('')}</table></div>`,
    `<h2>Parameter stability</h2><p class="sub">The value each window chose; colour is its position in the searched range (light = low end, dark = high end). A stable parameter keeps one colour across the row.</p>${stability}`,
  ];
  return page(title, `${subtitle}${subtitle ? ' · ' : ''}${r.strategy} · objective ${r.objective}`, body.join('\n'));
}
