/** Markdown for pull-request comments and CI job summaries. */
import { DEFAULT_UNKNOWN_AS, severityLabel, severityOrder, type Finding } from '../audit/findings.js';
import { describeReason, reasonsOf } from '../audit/partial.js';
import type { Renderer, ReportOptions } from './interface.js';
import { location, summaryLine } from './summary.js';

/** Table cells must not break the table: escape pipes, flatten newlines, escape HTML. */
const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;');

function where(f: Finding, options: ReportOptions): string {
  const loc = location(f);
  if (!loc) return '';
  const url = f.file ? options.fileUrl?.(f.file, f.line) : null;
  return url ? `[${cell(loc)}](${url})` : `\`${cell(loc)}\``;
}

const advisoryLink = (id: string) => `[${id}](https://osv.dev/vulnerability/${encodeURIComponent(id)})`;

export const renderMarkdown: Renderer = (result, options) => {
  const out = [`## Depwatch audit of \`${cell(result.target)}\``, '', summaryLine(result), ''];
  if (result.partial) {
    out.push('> **Partial result:** not everything was read or checked, so what is missing here may still be there.');
    for (const r of reasonsOf(result)) out.push(`> - ${cell(describeReason(r))}`);
    out.push('');
  }
  const unknownAs = result.unknownAs ?? DEFAULT_UNKNOWN_AS;
  for (const severity of severityOrder(unknownAs)) {
    const group = result.findings.filter((f) => f.severity === severity);
    if (!group.length) continue;
    const label = severityLabel(severity, unknownAs);
    out.push(`### ${label[0]!.toUpperCase()}${label.slice(1)} (${group.length})`, '', '| Finding | Package | Where | Fix |', '|---|---|---|---|');
    for (const f of group) {
      const what = f.id ? `${f.kind === 'malicious' ? '**malicious** ' : ''}${advisoryLink(f.id)}${f.summary ? `: ${cell(f.summary)}` : ''}` : f.kind;
      out.push(`| ${what} | ${cell(f.package ?? '')}${f.version ? ` ${cell(f.version)}` : ''} | ${where(f, options)} | ${cell(f.fix.text)} |`);
    }
    out.push('');
  }
  if (result.ignored.length) {
    out.push(`<details><summary>${result.ignored.length} ignored</summary>`, '');
    for (const f of result.ignored) out.push(`- ${cell(f.id ?? f.kind)} ${cell(f.package ?? '')}: ${cell(f.ignoredBy!.reason)}${f.ignoredBy!.until ? ` (until ${f.ignoredBy!.until})` : ''}`);
    out.push('', '</details>', '');
  }
  for (const n of result.notes) out.push(`- ${cell(n.message)}`);
  for (const e of result.errors) out.push(`- problem in \`${cell(e.file)}${e.line ? `:${e.line}` : ''}\`: ${cell(e.message)}`);
  return out.join('\n') + '\n';
};
