/**
 * The `/audit` reply: what a repository's dependencies look like, worst first. Pure: the same stored
 * audit always renders the same blocks, which is what lets an ignore re-render a reply from the
 * store. The layout says everything it wants; fitMessage (fit.ts) then splits it between the message
 * and thread replies within Slack's limits.
 *
 * Buttons carry ids only (`auditId:findingToken`, or the repository name): every click re-reads the
 * stored audit.
 */
import { createHash } from 'node:crypto';
import type { KnownBlock } from '@slack/types';
import type { AuditResult } from '../../audit/audit.js';
import { DEFAULT_UNKNOWN_AS, effectiveSeverity, findingKey, severityOrder, UNRATED_LABEL, type Finding, type FindingKind, type RatedSeverity, type Severity } from '../../audit/findings.js';
import { blobLineUrl, treeUrl } from '../../github/links.js';
import { describeReason, reasonsOf } from '../../audit/partial.js';
import { countBySeverity, location } from '../../report/summary.js';
import { actions, button, context, divider, escapeMrkdwn, header, link, section, truncate } from './kit.js';
import type { AuditRecord } from '../../store/audits.js';
import type { SlackMessage } from './errors.js';

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
export type AuditReplyInput = Pick<AuditRecord, 'repo' | 'ref' | 'sha' | 'htmlUrl' | 'createdAt' | 'requestedBy' | 'result'> & { auditId: number };

const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':rotating_light:',
  high: ':red_circle:',
  medium: ':large_orange_circle:',
  unknown: ':white_circle:',
  low: ':large_yellow_circle:',
  info: ':information_source:',
};

const KIND_LABEL: Record<FindingKind, string> = {
  vulnerability: 'vulnerable',
  malicious: 'malicious',
  outdated: 'outdated',
  yanked: 'yanked',
  unpinned: 'unpinned',
  'no-lockfile': 'no lockfile',
  'no-hashes': 'no hashes',
  'non-registry-source': 'non-registry source',
  'extra-index-url': 'extra index URL',
  'python-eol': 'end-of-life Python',
};

const isVulnerability = (f: Finding) => f.kind === 'vulnerability' || f.kind === 'malicious';
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

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

export const osvUrl = (id: string) => `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;

export function auditingMessage(repo: string, requestedBy: string | null): SlackMessage {
  const blocks: KnownBlock[] = [section(`:hourglass_flowing_sand: Auditing *${escapeMrkdwn(repo)}*…`)];
  if (requestedBy) blocks.push(context(`Requested by <@${requestedBy}>`));
  return { text: `Auditing ${repo}…`, blocks };
}

function countsLine(counts: Record<Severity, number>, unknownAs: RatedSeverity): string {
  return severityOrder(unknownAs)
    .filter((s) => counts[s] > 0)
    .map((s) => `${SEVERITY_EMOJI[s]} ${counts[s]} ${s === 'unknown' ? `not rated (count as ${unknownAs})` : s}`)
    .join(' · ');
}

const unknownAsOf = (input: AuditReplyInput): RatedSeverity => input.result.unknownAs ?? DEFAULT_UNKNOWN_AS;

/** `*High*`, or for an advisory no source rated, that it is not rated and how it counts here. */
function severityTitle(f: Finding, unknownAs: RatedSeverity): string {
  return f.severity === 'unknown' ? `*${capitalise(UNRATED_LABEL)}* (counts as ${unknownAs})` : `*${capitalise(f.severity)}*`;
}

function fileLink(input: AuditReplyInput, f: Finding): string {
  if (!f.file) return '';
  return link(blobLineUrl(input.htmlUrl, input.sha, f.file, f.line), location(f));
}

function advisoryLinks(f: Finding): string {
  if (!f.id) return '';
  const aliases = (f.aliases ?? []).slice(0, 4);
  const more = (f.aliases?.length ?? 0) - aliases.length;
  const primary = link(osvUrl(f.id), f.id);
  return aliases.length ? `${primary} (${aliases.map((a) => link(osvUrl(a), a)).join(', ')}${more > 0 ? `, +${more}` : ''})` : primary;
}

function vulnerabilityText(input: AuditReplyInput, f: Finding): string {
  const head = [
    `${SEVERITY_EMOJI[f.severity]} ${severityTitle(f, unknownAsOf(input))}${f.kind === 'malicious' ? ' *MALICIOUS PACKAGE*' : ''}`,
    `*${escapeMrkdwn(f.package ?? '?')}* ${escapeMrkdwn(f.version ?? '')}`.trim(),
    advisoryLinks(f),
    ...(typeof f.cvss === 'number' ? [`CVSS ${f.cvss.toFixed(1)}`] : []),
  ].join(' · ');
  const lines = [head];
  if (f.summary) lines.push(escapeMrkdwn(truncate(f.summary, 200)));
  if (f.fixedVersions?.length) lines.push(`*Fixed in:* ${f.fixedVersions.slice(0, 8).map(escapeMrkdwn).join(', ')}${f.fixedVersions.length > 8 ? ', …' : ''}`);
  lines.push(`*Fix:* ${escapeMrkdwn(truncate(f.fix.text, 400))}`);
  const where = fileLink(input, f);
  const places = Array.isArray(f.details?.locations) ? f.details.locations.length : 0;
  if (where) lines.push(`${where}${places > 1 ? ` (and ${places - 1} more place${places > 2 ? 's' : ''})` : ''}`);
  return lines.join('\n');
}

function vulnerabilityBlocks(input: AuditReplyInput, f: Finding): KnownBlock[] {
  const value = findingButtonValue(input.auditId, f);
  const ignore = button({ text: 'Ignore…', actionId: AUDIT_ACTIONS.ignore, value, accessibilityLabel: `Ignore ${f.id ?? ''} for ${f.package ?? ''}` });
  const text = vulnerabilityText(input, f);
  const counts = effectiveSeverity(f.severity, unknownAsOf(input));
  if (counts === 'critical' || counts === 'high') {
    return [
      section(text),
      actions(`f:${findingToken(f)}`, button({ text: 'Start incident', actionId: AUDIT_ACTIONS.incident, value, style: 'danger' }), ignore),
    ];
  }
  return [section(text, ignore)];
}

function compactLine(input: AuditReplyInput, f: Finding): string {
  const where = fileLink(input, f);
  return [
    `${SEVERITY_EMOJI[f.severity]} *${escapeMrkdwn(f.package ?? '?')}* ${escapeMrkdwn(f.version ?? '')}`,
    f.id ? link(osvUrl(f.id), f.id) : '',
    f.fixedVersions?.length ? `fixed in ${f.fixedVersions.slice(0, 3).map(escapeMrkdwn).join(', ')}` : 'no fix yet',
    where,
  ]
    .filter(Boolean)
    .join(' · ');
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

function outdatedSummary(input: AuditReplyInput, outdated: Finding[]): KnownBlock[] {
  if (!outdated.length) return [];
  const major = outdated.filter((f) => f.details?.bump === 'major').length;
  const examples = outdated.slice(0, SUMMARY_EXAMPLES).map((f) => {
    const latest = typeof f.details?.latest === 'string' ? f.details.latest : f.fix.version ?? '?';
    const bump = typeof f.details?.bump === 'string' ? ` (${f.details.bump})` : '';
    return `• *${escapeMrkdwn(f.package ?? '?')}* ${escapeMrkdwn(f.version ?? '')} → ${escapeMrkdwn(latest)}${bump}`;
  });
  const more = outdated.length - examples.length;
  return [
    section(
      `*Outdated:* ${outdated.length} release${outdated.length === 1 ? '' : 's'} behind the latest${major ? ` (${major} a major version behind)` : ''}\n${examples.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`,
    ),
  ];
}

function hygieneSummary(input: AuditReplyInput, hygiene: Finding[]): KnownBlock[] {
  if (!hygiene.length) return [];
  const byKind = new Map<FindingKind, number>();
  for (const f of hygiene) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  const counts = [...byKind].map(([k, n]) => `${n} ${KIND_LABEL[k]}`).join(' · ');
  const examples = hygiene.slice(0, SUMMARY_EXAMPLES).map((f) => {
    const where = fileLink(input, f);
    return `• ${SEVERITY_EMOJI[f.severity]} _${KIND_LABEL[f.kind]}_${f.package ? ` *${escapeMrkdwn(f.package)}*` : ''}${where ? ` (${where})` : ''}: ${escapeMrkdwn(truncate(f.fix.text, 160))}`;
  });
  const more = hygiene.length - examples.length;
  return [section(`*Hygiene:* ${counts}\n${examples.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`)];
}

function ignoredSummary(result: AuditResult): KnownBlock[] {
  if (!result.ignored.length) return [];
  const lines = result.ignored.slice(0, SUMMARY_EXAMPLES).map((f) => {
    const by = f.ignoredBy;
    const until = by?.until ? ` until ${by.until}` : '';
    return `• ${f.id ? link(osvUrl(f.id), f.id) : KIND_LABEL[f.kind]} in *${escapeMrkdwn(f.package ?? '?')}*: “${escapeMrkdwn(truncate(by?.reason ?? '', 150))}” (${by?.source ?? ''}${until})`;
  });
  const more = result.ignored.length - lines.length;
  return [section(`*Ignored:* ${result.ignored.length}\n${lines.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`)];
}

function problemsSummary(result: AuditResult): KnownBlock[] {
  const lines = [
    ...result.errors.map((e) => `:x: ${escapeMrkdwn(`${e.file}${e.line ? `:${e.line}` : ''}: ${truncate(e.message, 200)}`)}`),
    ...result.notes.map((n) => `:memo: ${escapeMrkdwn(truncate(n.message, 200))}`),
  ];
  if (!lines.length) return [];
  const shown = lines.slice(0, 8);
  return [section(`*Could not read or apply:*\n${shown.join('\n')}${lines.length > shown.length ? `\n…and ${lines.length - shown.length} more` : ''}`)];
}

/** The full reply (before fitting): header, partial-result warning, counts, buttons, then the details. */
export function auditReply(input: AuditReplyInput): SlackMessage & { continuation: (index: number, total: number) => KnownBlock[] } {
  const { result } = input;
  const shortSha = input.sha.slice(0, 7);
  const vulns = result.findings.filter(isVulnerability);
  const outdated = result.findings.filter((f) => f.kind === 'outdated' || f.kind === 'yanked');
  const hygiene = result.findings.filter((f) => !isVulnerability(f) && f.kind !== 'outdated' && f.kind !== 'yanked');

  const blocks: KnownBlock[] = [header(`Dependency audit: ${input.repo}`)];
  if (result.partial) {
    const reasons = reasonsOf(result).map((r) => escapeMrkdwn(truncate(describeReason(r), 200)));
    const shown = reasons.slice(0, 5);
    blocks.push(section(`⚠️ *Partial result:* ${shown.join('; ')}${reasons.length > shown.length ? `; …and ${reasons.length - shown.length} more` : ''}`));
  }
  const when = new Date(input.createdAt);
  blocks.push(
    section(
      `${link(treeUrl(input.htmlUrl, input.sha), `${input.repo}@${shortSha}`)} (${escapeMrkdwn(input.ref)}) · ${result.dependencies} dependencies` +
        ` · audited <!date^${Math.floor(when.getTime() / 1000)}^{date_short_pretty} {time}|${when.toISOString().slice(0, 16).replace('T', ' ')} UTC>` +
        (input.requestedBy ? ` for <@${input.requestedBy}>` : ''),
    ),
  );
  const vulnCounts = countBySeverity(vulns);
  const otherCounts = countBySeverity(result.findings.filter((f) => !isVulnerability(f)));
  const other = result.findings.length - vulns.length;
  blocks.push(
    section(
      (vulns.length
        ? `*${vulns.length} ${vulns.length === 1 ? 'vulnerability' : 'vulnerabilities'}:* ${countsLine(vulnCounts, unknownAsOf(input))}`
        : result.partial && result.warnings.some((w) => w.startsWith('advisories unavailable'))
          ? '*Vulnerabilities were not checked* (see above)'
          : result.partial
            ? ':warning: *No known vulnerabilities in what could be read* (see above)'
            : ':white_check_mark: *No known vulnerabilities*') +
        `\n*${other} other finding${other === 1 ? '' : 's'}*${other ? `: ${countsLine(otherCounts, unknownAsOf(input))}` : ''}` +
        (result.ignored.length ? ` · ${result.ignored.length} ignored` : ''),
    ),
  );
  for (const notice of result.notices) blocks.push(context(`:information_source: ${escapeMrkdwn(notice)}`));
  blocks.push(actions('audit_actions', button({ text: 'Watch this repo', actionId: AUDIT_ACTIONS.watch, value: input.repo, style: 'primary' })));

  if (vulns.length) {
    blocks.push(divider());
    for (const f of vulns.slice(0, DETAILED_FINDINGS)) blocks.push(...vulnerabilityBlocks(input, f));
    const rest = vulns.slice(DETAILED_FINDINGS);
    if (rest.length) {
      blocks.push(context(`${rest.length} more vulnerable release${rest.length === 1 ? '' : 's'}, one line each:`));
      blocks.push(...packedSections(rest.map((f) => compactLine(input, f))));
    }
  }
  const tail = [...outdatedSummary(input, outdated), ...hygieneSummary(input, hygiene), ...ignoredSummary(result), ...problemsSummary(result)];
  if (tail.length) blocks.push(divider(), ...tail);

  const text = vulns.length
    ? `${input.repo}@${shortSha}: ${vulns.length} ${vulns.length === 1 ? 'vulnerability' : 'vulnerabilities'} (${severityOrder(unknownAsOf(input)).filter((s) => vulnCounts[s] > 0).map((s) => `${vulnCounts[s]} ${s === 'unknown' ? 'not rated' : s}`).join(', ')}), ${other} other findings${result.partial ? ' (partial result)' : ''}`
    : `${input.repo}@${shortSha}: no known vulnerabilities, ${other} other findings${result.partial ? ' (partial result)' : ''}`;
  const continuation = (index: number, total: number): KnownBlock[] => [context(`Audit of ${escapeMrkdwn(input.repo)}@${shortSha}, continued (${index}/${total})`)];
  return { text, blocks, continuation };
}
