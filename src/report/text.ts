/**
 * The terminal report: vulnerable packages first (one upgrade each, then its advisories worst
 * first, each with its link), then the other findings by severity, problems, and a one-line summary.
 */
import { DEFAULT_UNKNOWN_AS, severityOrder, UNRATED_LABEL, type Finding, type RatedSeverity } from '../audit/findings.js';
import { partialBlock, reasonsOf } from '../audit/partial.js';
import type { CodeFinding, ScanResult } from '../scan/types.js';
import type { ChunkedRenderer, Renderer } from './interface.js';
import { linesInChunks } from './json-chunks.js';
import { findingPlaces, isVulnerability, packageFix, packageHeadline, placesLine, vulnerablePackages, type PackageGroup } from './packages.js';
import { codePlace, passedOver, scanNotes, secretLabel } from './code.js';
import { SEVERITY_STYLE } from './severity-style.js';
import { placeOf } from '../place.js';
import { shorten, shortProblemMessage } from './shorten.js';
import { CODE_SCAN_PARTIAL, codeScanIncomplete, osvUrl, summaryLine } from './summary.js';
import { terminalSafe } from './terminal-text.js';

const LEVEL_WIDTH = 11;
const level = (f: Finding) => SEVERITY_STYLE[f.severity].label.toUpperCase().padEnd(LEVEL_WIDTH);
const indent = ' '.repeat(4 + LEVEL_WIDTH);

function advisory(f: Finding, unknownAs: RatedSeverity): string[] {
  const unrated = f.severity === 'unknown' ? `  (${UNRATED_LABEL}; treated as ${unknownAs})` : '';
  const head = `${f.id}${f.aliases?.length ? ` (${f.aliases.join(', ')})` : ''}${typeof f.cvss === 'number' ? `  CVSS ${f.cvss.toFixed(1)}` : ''}${unrated}${f.kind === 'malicious' ? '  MALICIOUS' : ''}`;
  const lines = [`    ${level(f)}${head}`];
  if (f.summary) lines.push(`${indent}${f.summary}`);
  if (f.id) lines.push(`${indent}${osvUrl(f.id)}`);
  return lines;
}

function packageBlock(g: PackageGroup, unknownAs: RatedSeverity): string[] {
  return [
    `  ${packageHeadline(g)}`,
    ...(g.locations.length ? [`    at ${placesLine(g.locations, undefined, g.locationsOmitted)}`] : []),
    `    fix: ${packageFix(g)}`,
    ...g.findings.flatMap((f) => advisory(f, unknownAs)),
    '',
  ];
}

function otherFinding(f: Finding): string[] {
  const head = `${f.kind}${f.package ? `  ${f.package}${f.version ? ` ${f.version}` : ''}` : ''}`;
  const lines = [`  ${head}`];
  const where = findingPlaces(f);
  if (where) lines.push(`      at ${where}`);
  lines.push(`      fix: ${f.fix.text}`);
  return lines;
}

function codeFinding(f: CodeFinding): string[] {
  const lines = [`  ${SEVERITY_STYLE[f.severity].label.toUpperCase().padEnd(LEVEL_WIDTH)}${codePlace(f)}  ${f.rule} (${f.confidence} confidence)`];
  const secret = secretLabel(f);
  if (secret) lines.push(`${indent}${secret}`);
  lines.push(`${indent}${f.message}`, `${indent}fix: ${f.fix}`);
  return lines;
}

/** Code and configuration findings (depwatch audit of a directory), worst first, as the scan orders them. */
function codeLines(scan: ScanResult, showIgnored: boolean): string[] {
  const out: string[] = [];
  // A scan that did not check everything says so in its own heading, even with nothing found.
  const incomplete = codeScanIncomplete(scan);
  if (scan.findings.length || incomplete) out.push(`CODE AND CONFIGURATION (${scan.findings.length}${incomplete ? `; ${CODE_SCAN_PARTIAL}` : ''})`, ...scan.findings.flatMap(codeFinding), '');
  if (showIgnored && scan.ignored.length) {
    out.push(`IGNORED IN CODE (${scan.ignored.length})`);
    for (const f of scan.ignored) out.push(`  ${f.rule} ${codePlace(f)}: ${shorten(f.ignoredBy!.reason)} (${f.ignoredBy!.source}${f.ignoredBy!.until ? `, until ${f.ignoredBy!.until}` : ''})`);
    out.push('');
  }
  return out;
}

/** The report's lines (without their line breaks), as the data has them: see terminalSafe. */
function textLines(result: Parameters<Renderer>[0], options: Parameters<Renderer>[1]): string[] {
  const out: string[] = [];
  const unknownAs = result.unknownAs ?? DEFAULT_UNKNOWN_AS;
  const packages = vulnerablePackages(result.findings);
  if (packages.length) out.push(`VULNERABLE PACKAGES (${packages.length})`, '', ...packages.flatMap((g) => packageBlock(g, unknownAs)));
  const others = result.findings.filter((f) => !isVulnerability(f));
  for (const severity of severityOrder(unknownAs)) {
    const group = others.filter((f) => f.severity === severity);
    if (!group.length) continue;
    out.push(`${SEVERITY_STYLE[severity].label.toUpperCase()} (${group.length})`);
    for (const finding of group) out.push(...otherFinding(finding));
    out.push('');
  }
  if (options.showIgnored && result.ignored.length) {
    out.push(`IGNORED (${result.ignored.length})`);
    for (const f of result.ignored) out.push(`  ${f.id ?? f.kind} ${f.package ?? ''}: ${shorten(f.ignoredBy!.reason)}${f.ignoredBy!.until ? ` (until ${f.ignoredBy!.until})` : ''}`);
    out.push('');
  }
  if (result.code) for (const line of codeLines(result.code, options.showIgnored === true)) out.push(line);
  for (const n of result.notes) out.push(`note: ${shorten(n.message)}`);
  // Filtered once: the notes are listed, then counted for the blank line below.
  const passed = result.code ? passedOver(result.code, result.errors) : [];
  const codeNotes = result.code ? scanNotes(result.code) : [];
  for (const s of passed) out.push(`note: ${s.message}`);
  for (const n of codeNotes) out.push(`note: ${shorten(n.message)}`);
  for (const e of result.errors) out.push(`problem: ${placeOf(e.file, e.line)}: ${shortProblemMessage(e)}`);
  for (const w of result.warnings) out.push(`WARNING: ${w}`);
  for (const n of result.notices) out.push(`note: ${n}`);
  const codeNoteCount = passed.length + codeNotes.length;
  if (result.notes.length || codeNoteCount || result.errors.length || result.warnings.length || result.notices.length) out.push('');
  if (result.partial) {
    // Fail closed, in words: a clean summary below a partial result must not read as "all clear".
    out.push(...partialBlock(reasonsOf(result)), '');
  }
  out.push(summaryLine(result));
  return out;
}

/**
 * The report's lines as a terminal may show them: names and content from the repository can hold
 * control characters (a file named to clear the screen or forge a line), shown escaped.
 */
const safeTextLines = (...args: Parameters<Renderer>): string[] => textLines(...args).map(terminalSafe);

export const renderText: Renderer = (result, options) => safeTextLines(result, options).join('\n') + '\n';

/** The same text a thousand lines at a time, for the CLI to write as it goes. */
export const renderTextChunks: ChunkedRenderer = (result, options) => linesInChunks(safeTextLines(result, options));
