/**
 * Which advisories new to a channel arrived with a dependency, and the one message that says each
 * such dependency. A commit that adds `pillow==8.0.0` brings the 26 advisories pillow 8.0.0 has had
 * for years: what is new is the dependency, and 26 "New advisory in pillow" alerts would bury the
 * one advisory published today. The sweep records when a finding arrived with its dependency (the
 * audit that first saw the package at that version in the repository: FindingRow.dependencyAddedAt);
 * a re-match of an unchanged repository never sets it, so an advisory published or changed since
 * the last sweep for a dependency already there keeps its own alert.
 *
 * Decided here, said by src/slack/blocks/dependency-alert.ts. Pure.
 */
import { createHash } from 'node:crypto';
import { compareFindings, DEFAULT_UNKNOWN_AS, type RatedSeverity } from '../audit/findings.js';
import { blobLineUrl } from '../github/links.js';
import { compareVersions } from '../python/pep440.js';
import type { OutboundMessage } from '../store/outbox/types.js';
import { advisoryIdOf, repoKeyOfDisplay, type AlertRow, type FindingRow, type RepoSummary } from '../store/watches.js';
import { ADVISORIES_SUMMARY, ADVISORIES_SUMMARY_NAMED, DEPENDENCY_ADVISORIES, DEPENDENCY_ADVISORIES_KEPT, type AdvisoriesSummary, type DependencyAdvisories } from './messages.js';

/**
 * A dependency brings this many advisories new to the channel, at least, to be said in one message:
 * one alone is said by its own alert (with its buttons), as any new advisory is.
 */
export const MIN_GROUPED = 2;

/**
 * From this many messages one alerts run would post about one repository (a dependency message, or
 * the alert of an advisory new to the channel that hits only repositories summarised too), that
 * repository gets one message summarising them instead: one commit pinning hundreds of vulnerable
 * releases is one event, and hundreds of top-level posts (at Slack's pace of about one a second
 * in a channel) would bury everything else said there for minutes. Each advisory it summarises is
 * still recorded as alerted in the channel, with that message as its announcement
 * (AffectedRepo.announcedWith), as a dependency message's are: said once, never again; `/audit`
 * lists them all. Fewer are each said as before. As pr-review's NOT_REVIEWED_SUMMARY_FROM.
 */
export const ALERT_SUMMARY_FROM = 5;

export interface DependencyPlan {
  /** Advisory → (repository store key → the key of the message that says it there). */
  byAdvisory: Map<string, Map<string, string>>;
  /** The messages, by key (its idempotency and message key). */
  messages: Map<string, OutboundMessage>;
}

/** The message's key: stable across replicas (the rows it is made of are shared), new when the dependency comes back later. */
const dependencyMessageKey = (channel: string, row: Pick<FindingRow, 'repo' | 'package' | 'version' | 'dependencyAddedAt'>): string =>
  `dependency:${channel}:${row.repo}:${row.package ?? ''}@${row.version ?? ''}:${row.dependencyAddedAt ?? ''}`;

/**
 * A summary's key: the channel, the repository and its sweep (checkedAt: a later sweep that floods
 * it again is a message of its own). A run that crashed after recording some of its advisories, or
 * a replica that recorded some meanwhile, plans the rest under the same key, and the message written
 * first (which names them all) says them: one post. Advisories fresh again without a new sweep (an
 * ignore removed) that the message written under it does not say get a key of their own
 * (summaryKeyFor), so no message already posted is taken to have said them.
 */
export const summaryMessageKey = (channel: string, repo: string, checkedAt: string | null | undefined): string => `alert-summary:${channel}:${repo}:${checkedAt ?? ''}`;

function summaryKeyFor(base: string, advisoryIds: readonly string[], written: ReadonlyMap<string, ReadonlySet<string>>): string {
  const before = written.get(base);
  if (!before || advisoryIds.every((id) => before.has(id))) return base;
  return `${base}:${createHash('sha256').update([...advisoryIds].sort().join('\n')).digest('base64url').slice(0, 22)}`;
}

/** A dependency message as written with the alert recorded (or reopened) with it: its id is the one "Open fix PR" names. A summary names no alert. */
export const withAlertId = (message: OutboundMessage, alertId: number): OutboundMessage =>
  message.kind === DEPENDENCY_ADVISORIES ? { ...message, data: { ...(message.data as DependencyAdvisories), alertId } } : message;

/** The keys of the dependency messages that said an alert's repositories (AffectedRepo.announcedWith). */
export const announcedWith = (alert: Pick<AlertRow, 'affected'>): string[] => [...new Set(alert.affected.flatMap((a) => (a.announcedWith ? [a.announcedWith] : [])))];

/**
 * The rows of an advisory an alert does not list as open yet (by repository and version): every row
 * when there is no alert, or it is resolved.
 */
export function newlyHit(alert: Pick<AlertRow, 'affected' | 'state'> | undefined, rows: readonly FindingRow[]): FindingRow[] {
  if (!alert || alert.state === 'resolved') return [...rows];
  const listed = new Set(alert.affected.filter((a) => a.fixedAt === null).map((a) => `${repoKeyOfDisplay(a.repo)}|${a.version ?? ''}`));
  return rows.filter((r) => !listed.has(`${r.repo}|${r.version ?? ''}`));
}

/** Whether every one of an advisory's new rows (one at least) arrived with its dependency, at a known package and version. */
export const arrivedWithDependency = (rows: readonly FindingRow[]): boolean => rows.length > 0 && rows.every((r) => r.dependencyAddedAt && r.package !== null && r.version !== null);

/**
 * Which of the advisories whose new rows all arrived with their dependency (`candidates`: advisory →
 * those rows) are said by dependency, and the rows each dependency message says (by its key): an
 * advisory is, when every dependency it arrived with brings MIN_GROUPED or more of them; else it
 * keeps its own alert. The planner's rule, and the monthly review's, so it counts what was said.
 */
export function groupByDependency(channel: string, candidates: ReadonlyMap<string, readonly FindingRow[]>): { byAdvisory: Map<string, Map<string, string>>; rowsOf: Map<string, FindingRow[]> } {
  const advisoriesOf = new Map<string, Set<string>>();
  for (const [advisoryId, rows] of candidates) {
    for (const row of rows) {
      const key = dependencyMessageKey(channel, row);
      advisoriesOf.set(key, (advisoriesOf.get(key) ?? new Set()).add(advisoryId));
    }
  }
  const byAdvisory = new Map<string, Map<string, string>>();
  const rowsOf = new Map<string, FindingRow[]>();
  for (const [advisoryId, rows] of candidates) {
    const keys = rows.map((r) => dependencyMessageKey(channel, r));
    if (!keys.every((k) => (advisoriesOf.get(k)?.size ?? 0) >= MIN_GROUPED)) continue;
    byAdvisory.set(advisoryId, new Map(rows.map((r, i) => [r.repo, keys[i]!])));
    rows.forEach((r, i) => rowsOf.set(keys[i]!, [...(rowsOf.get(keys[i]!) ?? []), r]));
  }
  return { byAdvisory, rowsOf };
}

/**
 * The advisories to say by dependency: open, not ignored, with no message of their own in the
 * channel (no alert yet, or one only dependency messages said: `dependencyOnly`), whose newly hit
 * repository rows that may alert all arrived with their dependency, in a dependency that brings
 * MIN_GROUPED or more. An advisory with a message of its own is edited as before (silently).
 */
export function planDependencyMessages(input: {
  channel: string;
  openByAdvisory: ReadonlyMap<string, readonly FindingRow[]>;
  alerts: ReadonlyMap<string, AlertRow>;
  /** Alerts (client keys) only dependency messages said so far: no post of their own in the outbox. */
  dependencyOnly: ReadonlySet<string>;
  summaries: ReadonlyMap<string, RepoSummary>;
  unknownAs?: RatedSeverity;
  /** DEPWATCH_FIX_PRS: the message offers "Open fix PR" for the repository. */
  offerFixPrs?: boolean;
  /** Summaries already in the outbox under the repositories' keys (summaryMessageKey): the advisories each says. */
  summariesWritten?: ReadonlyMap<string, ReadonlySet<string>>;
}): DependencyPlan {
  const { channel } = input;
  const unknownAs = input.unknownAs ?? DEFAULT_UNKNOWN_AS;
  // Advisories this run posts a message for (no message of their own yet): their rows that may alert.
  const fresh = new Map<string, FindingRow[]>();
  for (const [advisoryId, rows] of input.openByAdvisory) {
    const alert = input.alerts.get(advisoryId);
    if (alert && (alert.state === 'failed' || !input.dependencyOnly.has(alert.clientKey))) continue;
    const alertable = newlyHit(alert, rows).filter((r) => r.alertable);
    if (alertable.length > 0) fresh.set(advisoryId, alertable);
  }
  const candidates = new Map([...fresh].filter(([, rows]) => arrivedWithDependency(rows)));
  const grouped = groupByDependency(channel, candidates);
  const summarised = floodedRepos(fresh, grouped);
  const plan: DependencyPlan = { byAdvisory: new Map(), messages: new Map() };
  const summaryRows = new Map<string, FindingRow[]>();
  for (const [advisoryId, rows] of fresh) {
    const byDependency = grouped.byAdvisory.get(advisoryId);
    // Its own alert, unless every repository it hits is summarised: that alert names them all.
    if (!byDependency && !rows.every((r) => summarised.has(r.repo))) continue;
    const said = new Map<string, string>();
    for (const r of rows) {
      if (said.has(r.repo)) continue; // two pins of one repository: one advisory there, said once
      if (summarised.has(r.repo)) {
        summaryRows.set(r.repo, [...(summaryRows.get(r.repo) ?? []), r]);
        said.set(r.repo, ''); // its key once the summary's advisories are all known
      } else said.set(r.repo, byDependency!.get(r.repo)!);
    }
    plan.byAdvisory.set(advisoryId, said);
  }
  // A dependency whose other advisories keep their own alerts (they also hit a repository that did
  // not just add it) may be left with fewer than MIN_GROUPED here: still one message for what it has.
  for (const [key, rows] of grouped.rowsOf) {
    if (summarised.has(rows[0]!.repo)) continue;
    const data = { ...dependencyMessage(rows, input.summaries.get(rows[0]!.repo), unknownAs), ...(input.offerFixPrs ? { offerFixPr: true } : {}) };
    plan.messages.set(key, { kind: DEPENDENCY_ADVISORIES, data, channel, op: 'post', messageKey: key, idempotencyKey: key });
  }
  for (const [repo, rows] of summaryRows) {
    const summary = input.summaries.get(repo);
    const ids = rows.map((r) => advisoryIdOf(r) ?? '');
    const key = summaryKeyFor(summaryMessageKey(channel, repo, summary?.checkedAt), ids, input.summariesWritten ?? new Map());
    for (const r of rows) plan.byAdvisory.get(advisoryIdOf(r) ?? '')?.set(repo, key);
    plan.messages.set(key, { kind: ADVISORIES_SUMMARY, data: { ...summaryMessage(rows, summary, unknownAs), advisoryIds: ids }, channel, op: 'post', messageKey: key, idempotencyKey: key });
  }
  return plan;
}

/**
 * The repositories this run would post ALERT_SUMMARY_FROM or more messages about: one per
 * dependency message, and one per advisory alert naming it (an advisory of its own hits each of its
 * repositories once).
 */
function floodedRepos(fresh: ReadonlyMap<string, readonly FindingRow[]>, grouped: { byAdvisory: ReadonlyMap<string, unknown>; rowsOf: ReadonlyMap<string, readonly FindingRow[]> }): Set<string> {
  const posts = new Map<string, number>();
  const count = (repo: string) => posts.set(repo, (posts.get(repo) ?? 0) + 1);
  for (const rows of grouped.rowsOf.values()) count(rows[0]!.repo);
  for (const [advisoryId, rows] of fresh) if (!grouped.byAdvisory.has(advisoryId)) new Set(rows.map((r) => r.repo)).forEach(count);
  return new Set([...posts].filter(([, n]) => n >= ALERT_SUMMARY_FROM).map(([repo]) => repo));
}

/** What a summary says of one repository: how many advisories, in how many packages, by severity, the worst few. */
function summaryMessage(rows: readonly FindingRow[], summary: RepoSummary | undefined, unknownAs: RatedSeverity): Omit<AdvisoriesSummary, 'advisoryIds'> {
  const worstFirst = [...rows].sort((a, b) => compareFindings(a.finding, b.finding, unknownAs));
  return {
    repo: summary?.display ?? rows[0]!.repo,
    repoUrl: summary?.htmlUrl ?? null,
    unknownAs,
    total: rows.length,
    bySeverity: rows.reduce<Partial<Record<string, number>>>((counts, r) => ({ ...counts, [r.finding.severity]: (counts[r.finding.severity] ?? 0) + 1 }), {}),
    packages: new Set(rows.map((r) => (r.package ?? '').toLowerCase())).size,
    worst: worstFirst.slice(0, ADVISORIES_SUMMARY_NAMED).map((r) => ({
      id: advisoryIdOf(r) ?? '',
      severity: r.finding.severity,
      package: r.package ?? '',
      version: r.version ?? '',
      summary: r.finding.summary ?? '',
      malicious: r.finding.kind === 'malicious',
    })),
  };
}

/** What the message says of one repository's dependency: its advisories worst first, and the release that clears them all. */
function dependencyMessage(rows: readonly FindingRow[], summary: RepoSummary | undefined, unknownAs: RatedSeverity): DependencyAdvisories {
  const findings = rows.map((r) => r.finding).sort((a, b) => compareFindings(a, b, unknownAs));
  const first = rows[0]!;
  const place = findings[0]!;
  const fixes = findings.map((f) => f.fix.version);
  const unfixed = fixes.filter((v) => v === null).length;
  const fixVersion = unfixed > 0 ? null : (fixes as string[]).reduce<string | null>((max, v) => (max === null || safeCompare(v, max) > 0 ? v : max), null);
  return {
    repo: summary?.display ?? first.repo,
    repoUrl: summary?.htmlUrl ?? null,
    package: first.package ?? '',
    version: first.version ?? '',
    file: place.file,
    line: place.line,
    url: place.file && summary?.htmlUrl && summary.auditedSha ? blobLineUrl(summary.htmlUrl, summary.auditedSha, place.file, place.line) : null,
    unknownAs,
    advisories: findings.slice(0, DEPENDENCY_ADVISORIES_KEPT).map((f) => ({ id: f.id ?? '', severity: f.severity, summary: f.summary ?? '', malicious: f.kind === 'malicious' })),
    total: findings.length,
    fixVersion,
    unfixed,
  };
}

/** PEP 440 order; a version that is not PEP 440 sorts by text rather than throwing. */
function safeCompare(a: string, b: string): number {
  try {
    return compareVersions(a, b);
  } catch {
    return a.localeCompare(b);
  }
}
