/** Markdown for pull-request comments and CI job summaries. */
import type { AdviceSyntax } from '../audit/fix-wording.js';
import { DEFAULT_UNKNOWN_AS, severityOrder, type Finding, type RatedSeverity } from '../audit/findings.js';
import { describeReason, forReaders, reasonsOf } from '../audit/partial.js';
import type { ScanResult } from '../scan/types.js';
import type { ChunkedRenderer, Renderer, ReportOptions } from './interface.js';
import { linesInChunks } from './json-chunks.js';
import { markdownCellCode, markdownCode, markdownText, markdownTextWithCode, markdownUrl } from './markdown-text.js';
import { findingPlaces, isVulnerability, packageFix, packageHeadline, placesLine, vulnerablePackages, type PackageGroup } from './packages.js';
import { passedOver, scanNotes, secretLabel } from './code.js';
import { SEVERITY_STYLE, severityBadge } from './severity-style.js';
import { placeOf } from '../place.js';
import { shorten, shortProblemMessage } from './shorten.js';
import { CODE_SCAN_PARTIAL, codeScanIncomplete, osvUrl, summaryLine } from './summary.js';

/**
 * Any text from the repository, PyPI or OSV (file names, package names, versions, messages that
 * quote a manifest, advisory summaries): literal inline text, in a table cell or out of one.
 */
const cell = markdownText;

/**
 * Text in Depwatch's own words that may hold code spans (fix wording: "the constraint `<5` excludes
 * 5.1"; warnings and partial reasons: "run `depwatch db sync`"), with repository or service text
 * inside: markdown-text.ts's markdownTextWithCode.
 */
const cellWithCode = markdownTextWithCode;

const code = markdownCode;
const cellCode = markdownCellCode;

/** How advice and places are written; `inTable` for table cells, whose code spans escape pipes. */
function syntax(options: ReportOptions, inTable = false): AdviceSyntax {
  const span = inTable ? cellCode : code;
  return {
    code: span,
    place: (file, line) => {
      const url = options.fileUrl?.(file, line);
      return url ? `[${cell(placeOf(file, line))}](${markdownUrl(url)})` : span(placeOf(file, line));
    },
    text: cell,
  };
}

/** A finding's place (or places), for its table row. */
const where = (f: Finding, options: ReportOptions): string => findingPlaces(f, syntax(options, true));

const advisoryLink = (id: string) => `[${cell(id)}](${markdownUrl(osvUrl(id))})`;

function packageSection(g: PackageGroup, options: ReportOptions, unknownAs: RatedSeverity): string[] {
  const s = syntax(options);
  const out = [`#### ${SEVERITY_STYLE[g.severity].emoji} ${packageHeadline(g, s)}`, ''];
  if (g.locations.length) out.push(`At ${placesLine(g.locations, s, g.locationsOmitted)}.`, '');
  out.push(`**Fix:** ${packageFix(g, s)}`, '', '| Severity | Advisory | What it is |', '|---|---|---|');
  for (const f of g.findings) {
    const ids = `${f.kind === 'malicious' ? '**malicious** ' : ''}${advisoryLink(f.id ?? '?')}${f.aliases?.length ? ` (${f.aliases.map(cell).join(', ')})` : ''}`;
    const cvss = typeof f.cvss === 'number' ? ` (CVSS ${f.cvss.toFixed(1)})` : '';
    out.push(`| ${severityBadge(f.severity, unknownAs)}${cvss} | ${ids} | ${cellWithCode(f.summary ?? '')} |`);
  }
  out.push('');
  return out;
}

/** Code and configuration findings in one table, worst first; the place links to the line when the tree is on GitHub. */
function codeSection(scan: ScanResult, options: ReportOptions): string[] {
  const s = syntax(options, true); // for the table's cells
  const out: string[] = [];
  const incomplete = codeScanIncomplete(scan);
  if (incomplete && !scan.findings.length) out.push(`### Code and configuration (0; ${CODE_SCAN_PARTIAL})`, '');
  if (scan.findings.length) {
    out.push(`### Code and configuration (${scan.findings.length}${incomplete ? `; ${CODE_SCAN_PARTIAL}` : ''})`, '', '| Severity | Finding | Where | Fix |', '|---|---|---|---|');
    for (const f of scan.findings) {
      const secret = secretLabel(f);
      const what = `${cellCode(f.rule)} ${cellWithCode(f.message)}${secret ? ` (${cell(secret)})` : ''}`;
      const place = s.place(f.file, f.line) + (f.column !== null ? ` col ${f.column}` : '');
      out.push(`| ${severityBadge(f.severity)} (${f.confidence} confidence) | ${what} | ${place} | ${cellWithCode(f.fix)} |`);
    }
    out.push('');
  }
  if (scan.ignored.length) {
    out.push(`<details><summary>${scan.ignored.length} ignored in code</summary>`, '');
    for (const f of scan.ignored) out.push(`- ${code(f.rule)} ${code(placeOf(f.file, f.line))}: ${cell(shorten(f.ignoredBy!.reason))}${f.ignoredBy!.until ? ` (until ${f.ignoredBy!.until})` : ''}`);
    out.push('', '</details>', '');
  }
  return out;
}

/** The report's lines (without their line breaks). */
function markdownLines(result: Parameters<Renderer>[0], options: Parameters<Renderer>[1]): string[] {
  const out = [`## Depwatch audit of ${code(result.target)}`, '', cell(summaryLine(result)), ''];
  for (const w of result.warnings) out.push(`> **Warning:** ${cellWithCode(w)}`, '');
  if (result.partial) {
    out.push('> **Partial result:** not everything was read or checked, so what is missing here may still be there.');
    for (const r of forReaders(reasonsOf(result))) out.push(`> - ${cellWithCode(describeReason(r))}`);
    out.push('');
  }
  const unknownAs = result.unknownAs ?? DEFAULT_UNKNOWN_AS;
  const packages = vulnerablePackages(result.findings);
  if (packages.length) out.push(`### Vulnerable packages (${packages.length})`, '', ...packages.flatMap((g) => packageSection(g, options, unknownAs)));
  const others = result.findings.filter((f) => !isVulnerability(f));
  for (const severity of severityOrder(unknownAs)) {
    const group = others.filter((f) => f.severity === severity);
    if (!group.length) continue;
    out.push(`### ${severityBadge(severity, unknownAs)} (${group.length})`, '', '| Finding | Package | Where | Fix |', '|---|---|---|---|');
    for (const f of group) out.push(`| ${f.kind} | ${cell(f.package ?? '')}${f.version ? ` ${cell(f.version)}` : ''} | ${where(f, options)} | ${cellWithCode(f.fix.text)} |`);
    out.push('');
  }
  if (result.ignored.length) {
    out.push(`<details><summary>${result.ignored.length} ignored</summary>`, '');
    for (const f of result.ignored) out.push(`- ${cell(f.id ?? f.kind)} ${cell(f.package ?? '')}: ${cell(shorten(f.ignoredBy!.reason))}${f.ignoredBy!.until ? ` (until ${f.ignoredBy!.until})` : ''}`);
    out.push('', '</details>', '');
  }
  if (result.code) for (const line of codeSection(result.code, options)) out.push(line);
  for (const n of result.notes) out.push(`- ${cell(shorten(n.message))}`);
  // Every notice JSON and text give (what `exclude:` kept out, the `.in` files discovery passed over,
  // an offline audit's unasked registry, the advisory data's age…): each says what was not read or checked.
  for (const n of result.notices) out.push(`- ${cellWithCode(n)}`);
  for (const skipped of result.code ? passedOver(result.code, result.errors) : []) out.push(`- ${cell(skipped.message)}`);
  for (const n of result.code ? scanNotes(result.code) : []) out.push(`- ${cell(shorten(n.message))}`);
  for (const e of result.errors) out.push(`- problem in ${code(placeOf(e.file, e.line))}: ${cell(shortProblemMessage(e))}`);
  return out;
}

export const renderMarkdown: Renderer = (result, options) => markdownLines(result, options).join('\n') + '\n';

/** The same text a thousand lines at a time, for the CLI to write as it goes. */
export const renderMarkdownChunks: ChunkedRenderer = (result, options) => linesInChunks(markdownLines(result, options));
