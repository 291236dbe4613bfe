import { terminalSafe } from '../report/terminal-text.js';

/**
 * Plain-text tables for terminals: columns padded to their widest cell, long cells cut with "…".
 * Cells hold what files say (names, specifiers): their control characters are shown escaped.
 */
export function renderTable(header: string[], rows: string[][], maxWidth = 60): string {
  const cut = (raw: string) => {
    const s = terminalSafe(raw);
    return s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s;
  };
  const cells = [header, ...rows].map((r) => r.map(cut));
  // A loop, not Math.max(...column): spreading 100,000 rows as arguments overflows the call stack.
  const widths = header.map((_, i) => cells.reduce((widest, r) => Math.max(widest, (r[i] ?? '').length), 0));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n') + '\n';
}
