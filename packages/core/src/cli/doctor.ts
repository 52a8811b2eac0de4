import type { BackendReport } from '../backend/registry.js';

/** Renders the registry report for a terminal: one line per candidate, then the choice and why. */
export function formatReport(report: BackendReport): string {
  const lines = [`xev doctor — ${report.platform}/${report.arch}, Node ${report.node}`, ''];
  const width = Math.max(...report.candidates.map((c) => c.name.length));
  for (const c of report.candidates) {
    const mark = c.status === 'usable' ? 'ok ' : '-- ';
    const modes = c.modes.length ? ` [${c.modes.join(', ')}]` : '';
    const errno = c.code ? ` (${c.code}${c.errno !== undefined ? `, errno ${c.errno}` : ''})` : c.errno !== undefined ? ` (errno ${c.errno})` : '';
    lines.push(`  ${mark}${c.name.padEnd(width)}  ${c.status}${modes}: ${c.message}${errno}`);
    if (c.fix && c.status !== 'usable') lines.push(`     ${' '.repeat(width)}  fix: ${c.fix}`);
  }
  lines.push('', report.selected ? `selected: ${report.selected} — ${report.reason}` : `no backend selected: ${report.reason}`);
  return lines.join('\n');
}
