/** The terminal report: grouped by severity, worst first, with a one-line summary at the end. */
import { DEFAULT_UNKNOWN_AS, severityLabel, severityOrder, type Finding } from '../audit/findings.js';
import { describeReason, reasonsOf } from '../audit/partial.js';
import type { Renderer } from './interface.js';
import { location, summaryLine } from './summary.js';

function describe(f: Finding): string {
  const head =
    f.kind === 'vulnerability' || f.kind === 'malicious'
      ? `${f.package} ${f.version}  ${f.id}${f.aliases?.length ? ` (${f.aliases.join(', ')})` : ''}${f.kind === 'malicious' ? '  MALICIOUS' : ''}`
      : `${f.kind}${f.package ? `  ${f.package}${f.version ? ` ${f.version}` : ''}` : ''}`;
  const lines = [`  ${head}`];
  if (f.summary) lines.push(`      ${f.summary}`);
  if (location(f)) lines.push(`      at ${location(f)}`);
  lines.push(`      fix: ${f.fix.text}`);
  return lines.join('\n');
}

export const renderText: Renderer = (result, options) => {
  const out: string[] = [];
  const unknownAs = result.unknownAs ?? DEFAULT_UNKNOWN_AS;
  for (const severity of severityOrder(unknownAs)) {
    const group = result.findings.filter((f) => f.severity === severity);
    if (!group.length) continue;
    out.push(`${severityLabel(severity, unknownAs).toUpperCase()} (${group.length})`, ...group.map(describe), '');
  }
  if (options.showIgnored && result.ignored.length) {
    out.push(`IGNORED (${result.ignored.length})`);
    for (const f of result.ignored) out.push(`  ${f.id ?? f.kind} ${f.package ?? ''}: ${f.ignoredBy!.reason}${f.ignoredBy!.until ? ` (until ${f.ignoredBy!.until})` : ''}`);
    out.push('');
  }
  for (const n of result.notes) out.push(`note: ${n.message}`);
  for (const e of result.errors) out.push(`problem: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`);
  for (const w of result.warnings) out.push(`WARNING: ${w}`);
  for (const n of result.notices) out.push(`note: ${n}`);
  if (result.notes.length || result.errors.length || result.warnings.length || result.notices.length) out.push('');
  if (result.partial) {
    // Fail closed, in words: a clean summary below a partial result must not read as "all clear".
    out.push('PARTIAL RESULT: not everything was read or checked, so what is missing here may still be there:');
    for (const r of reasonsOf(result)) out.push(`  - ${describeReason(r)}`);
    out.push('');
  }
  out.push(summaryLine(result));
  return out.join('\n') + '\n';
};
