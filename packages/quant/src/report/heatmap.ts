import { escapeHtml } from './escape.js';

/** A heatmap: a grid of values, coloured from low (light) to high (dark blue); NaN cells grey. */
export interface HeatmapOptions {
  /** Element id, so tests and CSS can find it. */
  id: string;
  /** Label of the row axis (shown in the corner cell). */
  corner: string;
  /** Row labels, top to bottom. */
  rows: readonly string[];
  /** Column labels, left to right. */
  cols: readonly string[];
  /** `values[r][c]`; the colour scale spans their finite minimum and maximum. */
  values: readonly (readonly number[])[];
  /** Text shown in a cell (default: the value to 3 significant digits). */
  text?: (r: number, c: number, v: number) => string;
  /** Explicit colour range (default the values' finite range). */
  range?: [number, number];
}

function colour(f: number): string {
  // Linear blend from #f6f8fa to #0a3069 (GitHub's light grey and dark blue).
  const mix = (a: number, b: number) => Math.round(a + (b - a) * f);
  return `rgb(${mix(0xf6, 0x0a)},${mix(0xf8, 0x30)},${mix(0xfa, 0x69)})`;
}

/**
 * Renders a heatmap as an HTML table with inline cell colours: no script and no canvas, so the report
 * stays a static file, and the numbers stay selectable text.
 */
export function heatmap(o: HeatmapOptions): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of o.values) for (const v of row) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (o.range) [lo, hi] = o.range;
  const text = o.text ?? ((_r, _c, v) => (Number.isFinite(v) ? String(+v.toPrecision(3)) : ''));
  const head = `<tr><th>${escapeHtml(o.corner)}</th>${o.cols.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = o.rows.map((label, r) => {
    const cells = o.cols.map((_, c) => {
      const v = o.values[r][c];
      if (!Number.isFinite(v)) return '<td class="hm-nan"></td>';
      const f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      return `<td style="background:${colour(f)};color:${f > 0.55 ? '#fff' : '#1b1f24'}" data-v="${v}">${escapeHtml(text(r, c, v))}</td>`;
    });
    return `<tr><th>${escapeHtml(label)}</th>${cells.join('')}</tr>`;
  });
  return `<div class="scroll"><table id="${escapeHtml(o.id)}" class="heatmap">${head}${body.join('')}</table></div>`;
}

/** CSS for {@link heatmap} tables. */
export const HEATMAP_CSS = '.heatmap td,.heatmap th{padding:2px 4px;font-size:11px;text-align:center;border:1px solid #fff}.heatmap .hm-nan{background:#eaeef2}';
