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
import { compareFindings, DEFAULT_UNKNOWN_AS, type RatedSeverity } from '../audit/findings.js';
import { blobLineUrl } from '../github/links.js';
import { compareVersions } from '../python/pep440.js';
import type { OutboundMessage } from '../store/outbox/types.js';
import { repoKeyOfDisplay, type AlertRow, type FindingRow, type RepoSummary } from '../store/watches.js';
import { DEPENDENCY_ADVISORIES, DEPENDENCY_ADVISORIES_KEPT, type DependencyAdvisories } from './messages.js';

/**
 * A dependency brings this many advisories new to the channel, at least, to be said in one message:
 * one alone is said by its own alert (with its buttons), as any new advisory is.
 */
export const MIN_GROUPED = 2;

export interface DependencyPlan {
  /** Advisory → (repository store key → the key of the message that says it there). */
  byAdvisory: Map<string, Map<string, string>>;
  /** The messages, by key (its idempotency and message key). */
  messages: Map<string, OutboundMessage>;
}

/** The message's key: stable across replicas (the rows it is made of are shared), new when the dependency comes back later. */
const dependencyMessageKey = (channel: string, row: Pick<FindingRow, 'repo' | 'package' | 'version' | 'dependencyAddedAt'>): string =>
  `dependency:${channel}:${row.repo}:${row.package ?? ''}@${row.version ?? ''}:${row.dependencyAddedAt ?? ''}`;

/** The message as written with the alert recorded (or reopened) with it: its id is the one "Open fix PR" names. */
export const withAlertId = (message: OutboundMessage, alertId: number): OutboundMessage => ({ ...message, data: { ...(message.data as DependencyAdvisories), alertId } });

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
}): DependencyPlan {
  const { channel } = input;
  const candidates = new Map<string, FindingRow[]>();
  for (const [advisoryId, rows] of input.openByAdvisory) {
    const alert = input.alerts.get(advisoryId);
    if (alert && (alert.state === 'failed' || !input.dependencyOnly.has(alert.clientKey))) continue;
    const alertable = newlyHit(alert, rows).filter((r) => r.alertable);
    if (arrivedWithDependency(alertable)) candidates.set(advisoryId, alertable);
  }
  const { byAdvisory, rowsOf } = groupByDependency(channel, candidates);
  const plan: DependencyPlan = { byAdvisory, messages: new Map() };
  // A dependency whose other advisories keep their own alerts (they also hit a repository that did
  // not just add it) may be left with fewer than MIN_GROUPED here: still one message for what it has.
  for (const [key, rows] of rowsOf) {
    const data = { ...dependencyMessage(rows, input.summaries.get(rows[0]!.repo), input.unknownAs ?? DEFAULT_UNKNOWN_AS), ...(input.offerFixPrs ? { offerFixPr: true } : {}) };
    plan.messages.set(key, { kind: DEPENDENCY_ADVISORIES, data, channel, op: 'post', messageKey: key, idempotencyKey: key });
  }
  return plan;
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
