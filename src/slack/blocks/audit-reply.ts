/**
 * The `/audit` reply: what a repository's dependencies look like, worst first. Pure: the same stored
 * audit always renders the same blocks, which is what lets an ignore re-render a reply from the
 * store. The layout says everything it wants; fitMessage (fit.ts) then splits it between the message
 * and thread replies within Slack's limits.
 *
 * Buttons carry ids only (`auditId:findingToken`, or the audit id): every click re-reads the
 * stored audit.
 */
import { createHash } from 'node:crypto';
import type { KnownBlock } from '@slack/types';
import type { AuditResult } from '../../audit/audit.js';
import type { AdviceSyntax } from '../../audit/fix-wording.js';
import { DEFAULT_UNKNOWN_AS, effectiveSeverity, findingKey, severityOrder, UNRATED_LABEL, type Finding, type FindingKind, type RatedSeverity, type Severity } from '../../audit/findings.js';
import { forReaders, notReached, reasonsOf } from '../../audit/partial.js';
import { blobLineUrl, treeUrl } from '../../github/links.js';
import { plural } from '../../plural.js';
import { findingPlaces, isVulnerability, packageFixWithin, packageHeadline, placesWithin, vulnerablePackages, type PackageGroup } from '../../report/packages.js';
import { SEVERITY_STYLE } from '../../report/severity-style.js';
import { placeOf } from '../../place.js';
import { shorten, shortProblemMessage, shortReason } from '../../report/shorten.js';
import { codeScanIncomplete, codeSummary, countBySeverity, osvUrl, severityCounts, vulnerableWhere } from '../../report/summary.js';
import { actions, button, context, divider, escapeMrkdwn, escapeMrkdwnText, header, link, listFit, md, section, truncate } from './kit.js';
import { SLACK_LIMITS } from './limits.js';
import { shellWord } from '../../shell-word.js';
import type { AuditRecord } from '../../store/audits.js';
import { codePlace, scanNotes, secretLabel } from '../../report/code.js';
import type { CodeFinding, ScanResult } from '../../scan/types.js';
import type { SlackMessage } from './errors.js';
import { fixPrButton, fixPrStatus, hasFixableFinding, type FixPrView } from './fix-pr.js';

export const AUDIT_ACTIONS = {
  ignore: 'audit_ignore',
  incident: 'audit_start_incident',
  watch: 'audit_watch_repo',
} as const;

/** Vulnerabilities shown in full (with buttons); the rest are listed one line each. */
export const DETAILED_FINDINGS = 30;
/** How many examples the outdated and hygiene summaries name. */
export const SUMMARY_EXAMPLES = 5;

/** A stored audit, as the reply shows it (its id goes into the buttons). */
export type AuditReplyInput = Pick<AuditRecord, 'repo' | 'ref' | 'sha' | 'htmlUrl' | 'createdAt' | 'requestedBy' | 'result'> & { auditId: number; fixPr?: FixPrView };

const emoji = (s: Severity) => SEVERITY_STYLE[s].emoji;

const KIND_LABEL: Record<FindingKind, string> = {
  vulnerability: 'vulnerable',
  malicious: 'malicious',
  outdated: 'outdated',
  yanked: 'yanked',
  unpinned: 'unpinned',
  'no-lockfile': 'no lockfile',
  'no-hashes': 'no hashes',
  'incomplete-hashes': 'hashes on some lines only',
  'non-registry-source': 'non-registry source',
  'extra-index-url': 'extra index URL',
  'python-eol': 'end-of-life Python',
  typosquat: 'look-alike name',
  'not-on-index': 'not on the index',
};


/** A short, stable token for a finding (a hash of findingKey), so button values stay small. */
export function findingToken(f: Finding): string {
  return createHash('sha256').update(findingKey(f)).digest('hex').slice(0, 16);
}

export function findingButtonValue(auditId: number, f: Finding): string {
  return `${auditId}:${findingToken(f)}`;
}

export function parseFindingButtonValue(value: string | undefined): { auditId: number; token: string } | null {
  const m = /^(\d{1,15}):([0-9a-f]{16})$/.exec(value ?? '');
  return m ? { auditId: Number(m[1]), token: m[2]! } : null;
}

/** The finding a button names, among the audit's open and ignored findings. */
export function findByToken(result: AuditResult, token: string): Finding | undefined {
  return [...result.findings, ...result.ignored].find((f) => findingToken(f) === token);
}

export { osvUrl };
/**
 * Who set an ignore, as mrkdwn: a Slack ignore's source is exactly `Slack, by <@U…>` (a mention that
 * renders as the name), a channel's `/audit ignore` is exactly `channel C…` (shown as a channel
 * link); any other source (.depwatch.yml) is text and escaped.
 */
export function ignoreSourceMrkdwn(source: string): string {
  return escapeMrkdwn(source)
    .replace(/^Slack, by &lt;@([UW][A-Z0-9]+)&gt;$/, 'Slack, by <@$1>')
    .replace(/^channel ([CGD][A-Z0-9]+)$/, '`/audit ignore` in <#$1>');
}


export function auditingMessage(repo: string, requestedBy: string | null): SlackMessage {
  const blocks: KnownBlock[] = [section(`:hourglass_flowing_sand: Auditing *${escapeMrkdwn(repo)}*…`)];
  if (requestedBy) blocks.push(context(`Requested by <@${requestedBy}>`));
  return { text: md.fallback`Auditing ${repo}…`.text, blocks };
}

const unknownAsOf = (input: AuditReplyInput): RatedSeverity => input.result.unknownAs ?? DEFAULT_UNKNOWN_AS;

const capitalise = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}`;

/** "*High*", or "*Not rated by the source* (counts as high)": an unrated advisory says how it counts here. */
function severityTitle(f: Finding, unknownAs: RatedSeverity): string {
  return f.severity === 'unknown' ? `*${capitalise(UNRATED_LABEL)}* (counts as ${unknownAs})` : `*${SEVERITY_STYLE[f.severity].label}*`;
}

function countsLine(counts: Record<Severity, number>, unknownAs: RatedSeverity): string {
  return severityOrder(unknownAs)
    .filter((s) => counts[s] > 0)
    .map((s) => `${emoji(s)} ${counts[s]} ${s === 'unknown' ? `not rated (count as ${unknownAs})` : s}`)
    .join(' · ');
}

/** The finding's place linked to the audited line, or every place when it names several. */
const fileLink = (input: AuditReplyInput, f: Finding): string => findingPlaces(f, slackSyntax(input));

/** Advice and places in Slack's mrkdwn: code in backticks, places linked to the audited lines. */
function slackSyntax(input: AuditReplyInput): AdviceSyntax {
  return {
    code: (t) => `\`${escapeMrkdwn(t.replace(/`/g, "'"))}\``,
    place: (file, line) => link(blobLineUrl(input.htmlUrl, input.sha, file, line), placeOf(file, line)),
    text: escapeMrkdwn,
  };
}

function advisoryLinks(f: Finding): string {
  if (!f.id) return '';
  const aliases = (f.aliases ?? []).slice(0, 4);
  const more = (f.aliases?.length ?? 0) - aliases.length;
  const primary = link(osvUrl(f.id), f.id);
  return aliases.length ? `${primary} (${aliases.map((a) => link(osvUrl(a), a)).join(', ')}${more > 0 ? `, +${more}` : ''})` : primary;
}

/**
 * Whether the reply left out something of a list (a "…and N more", places or edits counted rather
 * than listed) that the terminal's full report has: then, once, the reply says how to get it.
 */
interface LeftOut {
  any: boolean;
}

/** Characters the fix line may take: the places get what is left of the section. */
const FIX_ROOM = 1_200;

/**
 * The package line: "🟠 *django 2.1.5 → 2.2.28 clears 9 advisories*", where it is, and the one fix,
 * within one section: a release pinned in many files lists the places and edits that fit and counts
 * the rest, so the headline and the fix always show and nothing ends in a bare "…".
 */
function packageText(input: AuditReplyInput, g: PackageGroup, leftOut: LeftOut): string {
  const s = slackSyntax(input);
  const head = `${emoji(g.severity)} *${packageHeadline(g, s)}*${g.malicious ? ' · *MALICIOUS PACKAGE*' : ''}`;
  const fix = packageFixWithin(g, s, FIX_ROOM);
  const fixLine = `*Fix:* ${truncate(fix.text, FIX_ROOM)}`;
  // The place is worth its own line when there are several, or when the fix does not already link it.
  const primary = g.locations[0];
  const edited = primary && g.fix.advice?.edits.some((e) => e.file === primary.file && e.line === primary.line);
  const lines = [head];
  if (g.locations.length > 1 || (primary && !edited)) {
    const room = SLACK_LIMITS.sectionText - head.length - fixLine.length - '\nAt \n'.length;
    const places = placesWithin(g.locations, s, g.locationsOmitted, room);
    if (places.cut > 0) leftOut.any = true;
    lines.push(`At ${places.text}`);
  }
  if (fix.cut > 0) leftOut.any = true;
  lines.push(fixLine);
  return lines.join('\n');
}

/** One advisory under its package: severity, ids, CVSS, and what the flaw is. */
function advisoryText(f: Finding, unknownAs: RatedSeverity): string {
  const head = [
    `${emoji(f.severity)} ${severityTitle(f, unknownAs)}${f.kind === 'malicious' ? ' *MALICIOUS*' : ''}`,
    advisoryLinks(f),
    ...(typeof f.cvss === 'number' ? [`CVSS ${f.cvss.toFixed(1)}`] : []),
  ].join(' · ');
  return f.summary ? `${head}\n${escapeMrkdwn(truncate(f.summary, 300))}` : head;
}

function advisoryBlocks(input: AuditReplyInput, f: Finding): KnownBlock[] {
  const value = findingButtonValue(input.auditId, f);
  const ignore = button({ text: 'Ignore…', actionId: AUDIT_ACTIONS.ignore, value, accessibilityLabel: `Ignore ${f.id ?? ''} for ${f.package ?? ''}` });
  const text = advisoryText(f, unknownAsOf(input));
  const counts = effectiveSeverity(f.severity, unknownAsOf(input));
  if (counts === 'critical' || counts === 'high') {
    return [
      section(text),
      actions(`f:${findingToken(f)}`, button({ text: 'Start incident', actionId: AUDIT_ACTIONS.incident, value, style: 'danger' }), ignore),
    ];
  }
  return [section(text, ignore)];
}

/**
 * Characters the advisories of one compact line may take: a package with a hundred advisories
 * names those that fit and counts the rest, so its line stays whole within a section.
 */
const COMPACT_ADVISORIES_ROOM = 1_500;

/**
 * Characters the places of one compact line may take: a release pinned in many files names the
 * places that fit and counts the rest ("and 12 more places"), as the package's detailed section does.
 */
const COMPACT_PLACES_ROOM = 800;

/** Past the detailed ones: one line per package, where it is (every place, or those that fit and how many more), its remaining advisories linked worst first. */
function compactLine(input: AuditReplyInput, g: PackageGroup, findings: Finding[], leftOut: LeftOut): string {
  const s = slackSyntax(input);
  const places = placesWithin(g.locations, s, g.locationsOmitted, COMPACT_PLACES_ROOM);
  if (places.cut > 0) leftOut.any = true;
  const advisories = listFit(findings.map((f) => `${emoji(f.severity)} ${f.id ? link(osvUrl(f.id), f.id) : '?'}`), ', ', { room: COMPACT_ADVISORIES_ROOM, more: (left) => `…and ${left} more` });
  if (advisories.left > 0) leftOut.any = true;
  return [`${emoji(g.severity)} *${packageHeadline(g, s)}*`, ...(places.text ? [places.text] : []), advisories.text].join(' · ');
}

/** Lines packed into sections of at most ~2,800 characters (fitMessage would split them anyway, less tidily). */
function packedSections(lines: string[], max = 2800): KnownBlock[] {
  const out: KnownBlock[] = [];
  let current = '';
  for (const line of lines) {
    if (current && current.length + 1 + line.length > max) {
      out.push(section(current));
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) out.push(section(current));
  return out;
}

function outdatedSummary(input: AuditReplyInput, outdated: Finding[], leftOut: LeftOut): KnownBlock[] {
  if (!outdated.length) return [];
  const major = outdated.filter((f) => f.details?.bump === 'major').length;
  const examples = outdated.slice(0, SUMMARY_EXAMPLES).map((f) => {
    const latest = typeof f.details?.latest === 'string' ? f.details.latest : f.fix.version ?? '?';
    const bump = typeof f.details?.bump === 'string' ? ` (${escapeMrkdwn(f.details.bump)})` : '';
    return `• *${escapeMrkdwn(f.package ?? '?')}* ${escapeMrkdwn(f.version ?? '')} → ${escapeMrkdwn(latest)}${bump}`;
  });
  const more = outdated.length - examples.length;
  if (more > 0) leftOut.any = true;
  return [
    section(
      `*Outdated:* ${plural(outdated.length, 'release')} behind the latest${major ? ` (${major} a major version behind)` : ''}\n${examples.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`,
    ),
  ];
}

function hygieneSummary(input: AuditReplyInput, hygiene: Finding[], leftOut: LeftOut): KnownBlock[] {
  if (!hygiene.length) return [];
  const byKind = new Map<FindingKind, number>();
  for (const f of hygiene) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  const counts = [...byKind].map(([k, n]) => `${n} ${KIND_LABEL[k]}`).join(' · ');
  const examples = hygiene.slice(0, SUMMARY_EXAMPLES).map((f) => {
    const where = fileLink(input, f);
    return `• ${emoji(f.severity)} _${KIND_LABEL[f.kind]}_${f.package ? ` *${escapeMrkdwn(f.package)}*` : ''}${where ? ` (${where})` : ''}: ${escapeMrkdwn(truncate(f.fix.text, 160))}`;
  });
  const more = hygiene.length - examples.length;
  if (more > 0) leftOut.any = true;
  return [section(`*Hygiene:* ${counts}\n${examples.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`)];
}

function ignoredSummary(result: AuditResult): KnownBlock[] {
  if (!result.ignored.length) return [];
  const lines = result.ignored.slice(0, SUMMARY_EXAMPLES).map((f) => {
    const by = f.ignoredBy;
    const until = by?.until ? ` until ${by.until}` : '';
    return `• ${f.id ? link(osvUrl(f.id), f.id) : KIND_LABEL[f.kind]} in *${escapeMrkdwn(f.package ?? '?')}*: “${escapeMrkdwn(shorten(by?.reason ?? '', 150))}” (${ignoreSourceMrkdwn(by?.source ?? '')}${escapeMrkdwn(until)})`;
  });
  const more = result.ignored.length - lines.length;
  return [section(`*Ignored:* ${result.ignored.length}\n${lines.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`)];
}

/** One code finding in a line: severity, rule, place (linked to the audited line), what it is. A secret by kind and fingerprint only. */
function codeLine(input: AuditReplyInput, f: CodeFinding, width: number): string {
  const place = link(blobLineUrl(input.htmlUrl, input.sha, f.file, f.line), codePlace(f));
  const secret = secretLabel(f);
  return `• ${emoji(f.severity)} \`${escapeMrkdwn(f.rule)}\` ${place}: ${escapeMrkdwn(truncate(secret ?? f.message, width))}`;
}

/** The worst few code findings with their fix, then the rest one line each (they flow into the thread). */
function codeFindingsSection(input: AuditReplyInput, scan: ScanResult): KnownBlock[] {
  const incomplete = codeScanIncomplete(scan);
  // Fail closed: a scan that did not check everything says so here, even with nothing found.
  if (!scan.findings.length && !incomplete) return [];
  const worst = scan.findings.slice(0, SUMMARY_EXAMPLES).map((f) => `${codeLine(input, f, 200)}\n      _${escapeMrkdwn(truncate(f.fix, 200))}_`);
  // codeSummary then says the counts are of what could be scanned; why is at the top.
  const heading = incomplete ? ':warning: *Code and configuration (partial, see above):*' : '*Code and configuration:*';
  const blocks: KnownBlock[] = [section(`${heading} ${escapeMrkdwn(codeSummary(scan))}${worst.length ? `\n${worst.join('\n')}` : ''}`)];
  const rest = scan.findings.slice(SUMMARY_EXAMPLES);
  if (rest.length) {
    blocks.push(context(`${plural(rest.length, 'more code finding')}, one line each:`));
    blocks.push(...packedSections(rest.map((f) => codeLine(input, f, 140))));
  }
  return blocks;
}

function problemsSummary(result: AuditResult, leftOut: LeftOut): KnownBlock[] {
  const lines = [
    ...result.errors.map((e) => `:x: ${escapeMrkdwn(`${placeOf(e.file, e.line)}: ${shortProblemMessage(e)}`)}`),
    ...result.notes.map((n) => `:memo: ${escapeMrkdwn(shorten(n.message))}`),
    ...(result.code ? scanNotes(result.code).map((n) => `:memo: ${escapeMrkdwn(shorten(n.message))}`) : []),
  ];
  if (!lines.length) return [];
  const shown = lines.slice(0, 8);
  if (lines.length > shown.length) leftOut.any = true;
  return [section(`*Could not read or apply:*\n${shown.join('\n')}${lines.length > shown.length ? `\n…and ${lines.length - shown.length} more` : ''}`)];
}

/**
 * How to get what the reply's lists left out, said once: the terminal's report of the same commit
 * (every advisory, finding, place and edit; `--markdown` for a file to share), with the reply's
 * `--unknown-as`. Slack could take a file upload, but a command costs no message and no extra
 * request, and works for whoever may read the repository. A repository elsewhere than github.com
 * is named by its URL, which the terminal reads on the host it is configured for.
 */
function fullReportHint(input: AuditReplyInput): string {
  const onGitHub = /^https:\/\/github\.com\//.test(input.htmlUrl);
  // A sha is hex and `@` is plain in a shell: only the name or URL may need quoting.
  const target = onGitHub ? `${shellWord(input.repo)}@${input.sha}` : shellWord(`${input.htmlUrl}/tree/${input.sha}`);
  const unknownAs = input.result.unknownAs && input.result.unknownAs !== DEFAULT_UNKNOWN_AS ? ` --unknown-as ${input.result.unknownAs}` : '';
  const command = `depwatch audit${unknownAs} ${target}`;
  return `:information_source: The terminal's report of the same commit lists what this reply only counts: \`${escapeMrkdwn(command)}\` (add \`--markdown\` for a file to share).`;
}

/** The full reply (before fitting): header, partial-result warning, counts, buttons, then the details. */
export function auditReply(input: AuditReplyInput): SlackMessage & { continuation: (index: number, total: number) => KnownBlock[] } {
  const { result } = input;
  const shortSha = input.sha.slice(0, 7);
  const vulns = result.findings.filter(isVulnerability);
  const packages = vulnerablePackages(vulns);
  const outdated = result.findings.filter((f) => f.kind === 'outdated' || f.kind === 'yanked');
  const hygiene = result.findings.filter((f) => !isVulnerability(f) && f.kind !== 'outdated' && f.kind !== 'yanked');

  const leftOut: LeftOut = { any: false };
  const blocks: KnownBlock[] = [header(`Dependency audit: ${input.repo}`)];
  // A first stage is partial only because checks are still coming: it says that, not "partial".
  const pending = result.pending ?? [];
  const partial = pending.length ? reasonsOf(result).length > 0 : result.partial;
  if (pending.length) blocks.push(section(`:hourglass_flowing_sand: *Still coming:* ${escapeMrkdwn(pending.join('; '))}. This message is updated when they are in.`));
  if (partial) {
    // A long path is cut in its middle, never "not read completely" after it (shortReason).
    const reasons = forReaders(reasonsOf(result)).map((r) => escapeMrkdwn(shortReason(r, 200)));
    const shown = reasons.slice(0, 5);
    if (reasons.length > shown.length) leftOut.any = true;
    blocks.push(section(`⚠️ *Partial result:* ${shown.join('; ')}${reasons.length > shown.length ? `; …and ${reasons.length - shown.length} more` : ''}`));
  }
  const when = new Date(input.createdAt);
  blocks.push(
    section(
      `${link(treeUrl(input.htmlUrl, input.sha), `${input.repo}@${shortSha}`)} (${escapeMrkdwn(input.ref)}) · ${plural(result.dependencies, 'package')}` +
        ` · audited <!date^${Math.floor(when.getTime() / 1000)}^{date_short_pretty} {time}|${when.toISOString().slice(0, 16).replace('T', ' ')} UTC>` +
        (input.requestedBy ? ` for <@${input.requestedBy}>` : ''),
    ),
  );
  const vulnCounts = countBySeverity(vulns);
  const otherCounts = countBySeverity(result.findings.filter((f) => !isVulnerability(f)));
  const other = result.findings.length - vulns.length;
  const advisoriesUnchecked = partial && notReached(result, 'advisories');
  blocks.push(
    section(
      (vulns.length
        ? `*${plural(vulns.length, 'vulnerability', 'vulnerabilities')} ${vulnerableWhere(packages)}:* ${countsLine(vulnCounts, unknownAsOf(input))}`
        : advisoriesUnchecked
          ? '*Vulnerabilities were not checked* (see above)'
          : partial
            ? ':warning: *No known vulnerabilities in what could be read* (see above)'
            : ':white_check_mark: *No known vulnerabilities*') +
        `\n*${plural(other, 'other finding')}*${other ? `: ${countsLine(otherCounts, unknownAsOf(input))}` : ''}` +
        (result.ignored.length ? ` · ${result.ignored.length} ignored` : '') +
        (result.code ? `\n*${plural(result.code.findings.length, 'code finding')}*${result.code.findings.length ? `: ${countsLine(countBySeverity(result.code.findings), unknownAsOf(input))}` : ''}${result.code.ignored.length ? ` · ${result.code.ignored.length} ignored` : ''}${codeScanIncomplete(result.code) ? ' · :warning: *partial: not all code was scanned*' : ''}` : ''),
    ),
  );
  for (const notice of result.notices) blocks.push(context(`:information_source: ${escapeMrkdwn(notice)}`));
  const watchButton = button({ text: 'Watch this repo', actionId: AUDIT_ACTIONS.watch, value: String(input.auditId), style: 'primary' });
  const offerFix = input.fixPr?.enabled === true && !input.fixPr.pull && hasFixableFinding(result);
  blocks.push(actions('audit_actions', ...(offerFix ? [watchButton, fixPrButton(input.auditId, input.sha)] : [watchButton])));
  if (input.fixPr?.pull) blocks.push(fixPrStatus(input.fixPr.pull));

  if (vulns.length) {
    blocks.push(divider());
    // Package by package, each advisory in detail (with its buttons) until DETAILED_FINDINGS, then one line each.
    let detailed = 0;
    const compact: string[] = [];
    for (const g of packages) {
      const shown = g.findings.slice(0, Math.max(0, DETAILED_FINDINGS - detailed));
      detailed += shown.length;
      if (shown.length) blocks.push(section(packageText(input, g, leftOut)), ...shown.flatMap((f) => advisoryBlocks(input, f)));
      if (shown.length < g.findings.length) compact.push(compactLine(input, g, g.findings.slice(shown.length), leftOut));
    }
    const rest = vulns.length - detailed;
    if (rest) {
      blocks.push(context(`${plural(rest, 'more advisory', 'more advisories')}, one line each:`));
      blocks.push(...packedSections(compact));
    }
  }
  const tail = [...(result.code ? codeFindingsSection(input, result.code) : []), ...outdatedSummary(input, outdated, leftOut), ...hygieneSummary(input, hygiene, leftOut), ...ignoredSummary(result), ...problemsSummary(result, leftOut)];
  if (tail.length) blocks.push(divider(), ...tail);
  if (leftOut.any) blocks.push(context(fullReportHint(input)));

  // The notification text (notifications, screen readers, search) says what the section says, the
  // partial marker first: a notification cut short still shows it.
  const code = result.code ? `, ${codeSummary(result.code)}` : '';
  const marks = [...(partial ? ['partial result'] : []), ...(pending.length ? [`still coming: ${escapeMrkdwnText(pending.join('; '))}`] : [])];
  const vulnText = vulns.length
    ? `${plural(vulns.length, 'vulnerability', 'vulnerabilities')} ${vulnerableWhere(packages)} (${severityCounts(vulns, unknownAsOf(input))})`
    : advisoriesUnchecked
      ? 'vulnerabilities NOT checked'
      : partial
        ? 'no known vulnerabilities in what could be read'
        : 'no known vulnerabilities';
  const text = `${escapeMrkdwnText(input.repo)}@${shortSha}${marks.length ? ` (${marks.join('; ')})` : ''}: ${vulnText}, ${plural(other, 'other finding')}${code}`;
  const continuation = (index: number, total: number): KnownBlock[] => [context(`Audit of ${escapeMrkdwn(input.repo)}@${shortSha}, continued (${index}/${total})`)];
  return { text, blocks, continuation };
}
