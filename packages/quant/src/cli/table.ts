import type { Metrics } from '../metrics/compute.js';
import { metricRows } from '../report/format.js';

/** A two-column, aligned plain-text metrics table for terminals. */
export function metricsTable(m: Metrics, heading: string): string {
  const rows = metricRows(m);
  const w = Math.max(...rows.map(([k]) => k.length));
  const v = Math.max(...rows.map(([, x]) => x.length));
  const rule = '-'.repeat(w + v + 3);
  return [heading, rule, ...rows.map(([k, x]) => `${k.padEnd(w)}   ${x.padStart(v)}`), rule].join('\n');
}
