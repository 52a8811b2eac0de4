import { escapeHtml } from './escape.js';

/** One line on a chart. */
export interface ChartSeries {
  /** Legend text. */
  label: string;
  /** One value per bar (NaN skipped). */
  values: ArrayLike<number>;
  /** CSS colour. */
  color: string;
  /** Fill the area between the line and the chart's zero/baseline. */
  area?: boolean;
}

/** Chart options. */
export interface ChartOptions {
  /** Used as the SVG element id, so tests and CSS can find it. */
  id: string;
  title: string;
  /** Bar times (epoch ms) for the x axis labels. */
  time: ArrayLike<number>;
  series: ChartSeries[];
  /** Width in px (default 900). */
  width?: number;
  /** Height in px (default 280). */
  height?: number;
  /** Formats y tick labels. */
  format?: (v: number) => string;
  /** Force the y range to include this value (e.g. 0 for drawdowns). */
  includeY?: number;
}

/**
 * Reduces a series to at most ~2·`buckets` points, keeping each bucket's minimum and maximum in
 * their original order, so spikes and drawdown troughs survive downsampling (a plain stride would
 * drop them). Returns [index, value] pairs.
 */
export function downsample(values: ArrayLike<number>, buckets: number): Array<[number, number]> {
  const n = values.length;
  const out: Array<[number, number]> = [];
  if (n <= buckets * 2) {
    for (let i = 0; i < n; i++) if (Number.isFinite(values[i])) out.push([i, values[i]]);
    return out;
  }
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(n, Math.floor((b + 1) * size));
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < values[lo]) lo = i;
      if (hi < 0 || v > values[hi]) hi = i;
    }
    if (lo < 0) continue;
    const [a, c] = lo <= hi ? [lo, hi] : [hi, lo];
    out.push([a, values[a]]);
    if (c !== a) out.push([c, values[c]]);
  }
  return out;
}

function niceTicks(min: number, max: number, count: number): number[] {
  const span = max - min || Math.abs(max) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

/**
 * Renders a line chart as a self-contained SVG string: no scripts, fonts or external references, so
 * a report opens offline in any browser.
 */
export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 900;
  const H = o.height ?? 280;
  const m = { l: 70, r: 16, t: 28, b: 28 };
  const fmt = o.format ?? ((v: number) => v.toFixed(2));
  const n = o.time.length;
  const pts = o.series.map((s) => downsample(s.values, 600));
  let lo = o.includeY ?? Infinity;
  let hi = o.includeY ?? -Infinity;
  for (const p of pts) for (const [, v] of p) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  const x = (i: number) => m.l + (n > 1 ? (i / (n - 1)) * (W - m.l - m.r) : 0);
  const y = (v: number) => m.t + (1 - (v - lo) / (hi - lo)) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(`<svg id="${escapeHtml(o.id)}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(o.title)}">`);
  parts.push(`<text x="${m.l}" y="18" class="chart-title">${escapeHtml(o.title)}</text>`);
  for (const t of niceTicks(lo, hi, 5)) {
    const yy = y(t).toFixed(1);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${yy}" y2="${yy}" class="grid"/>`);
    parts.push(`<text x="${m.l - 6}" y="${yy}" class="tick" text-anchor="end" dominant-baseline="middle">${escapeHtml(fmt(t))}</text>`);
  }
  for (let k = 0; k <= 4 && n > 0; k++) {
    const i = Math.round((k / 4) * (n - 1));
    const d = new Date(o.time[i]).toISOString().slice(0, 10);
    parts.push(`<text x="${x(i).toFixed(1)}" y="${H - 8}" class="tick" text-anchor="${k === 0 ? 'start' : k === 4 ? 'end' : 'middle'}">${d}</text>`);
  }
  o.series.forEach((s, k) => {
    const p = pts[k];
    if (p.length === 0) return;
    const d = p.map(([i, v], j) => `${j ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
    if (s.area) {
      const base = y(Math.max(lo, Math.min(hi, o.includeY ?? lo))).toFixed(1);
      parts.push(`<path class="area" d="${d}L${x(p[p.length - 1][0]).toFixed(1)},${base}L${x(p[0][0]).toFixed(1)},${base}Z" fill="${s.color}" fill-opacity="0.25"/>`);
    }
    parts.push(`<path class="series" data-label="${escapeHtml(s.label)}" data-points="${p.length}" d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    parts.push(`<text x="${W - m.r - 4}" y="${18 + k * 14}" class="legend" text-anchor="end" fill="${s.color}">${escapeHtml(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
