/**
 * The verdict rules: a card's signals → `ok`, `caution` or `avoid`, with every reason. Pure; the
 * same rules serve the CLI, Slack and pull-request reviews.
 *
 * avoid   a malicious-package record (whatever else is true); a project the index does not have
 *         (anyone could register the name); a release that does not exist or was yanked; a
 *         quarantined project; an advisory of high, critical or unknown severity hitting the release.
 * caution an archived or deprecated project or repository; a lesser advisory hitting the release;
 *         a name that looks like a more popular one; no release in two years; maintainers who did
 *         not answer most recent issues; project URLs contradicting the attested publisher; more
 *         than MAX_DIRECT_REQUIREMENTS direct requirements; and, failing closed, a card that could
 *         not read everything (never `ok` without its security signals).
 */
import type { SeverityLevel } from '../advisories/severity.js';
import { severityWord } from '../audit/findings.js';
import type { Signal, Signals } from './health/signal.js';
import { describeSimilar, type TyposquatResult } from './typosquat/check.js';
import { midSentence } from '../mid-sentence.js';

export type Verdict = 'ok' | 'caution' | 'avoid';

export interface Reason {
  verdict: Exclude<Verdict, 'ok'>;
  /** The signal that gave the reason (`null` for existence, name and completeness reasons). */
  signal: string | null;
  text: string;
}

export interface VerdictInput {
  name: string;
  version: string | null;
  /** False: the index has no such project; null: could not tell. */
  exists: boolean | null;
  /** False: the project exists, the release asked for does not. */
  versionExists: boolean | null;
  signals: Signals;
  typosquat: TyposquatResult;
  /**
   * What the advisory source could not vouch for although it answered (AdvisoryFacts.warnings):
   * its answers stand, and the card is partial, saying why.
   */
  advisoryWarnings?: readonly string[];
}

export interface VerdictResult {
  verdict: Verdict;
  /** Worst first. */
  reasons: Reason[];
  /** Something could not be read: the card is incomplete (and never `ok`). */
  partial: boolean;
}

export const STALE_AFTER_DAYS = 730;
export const MAX_DIRECT_REQUIREMENTS = 20;
/** Below this many sampled issues, "no replies" says little. */
export const MIN_ISSUES_FOR_REPLY_RULE = 5;
/** Severities that make a release to avoid; `unknown` counts as high (fail closed). */
const SEVERE: ReadonlySet<SeverityLevel> = new Set(['critical', 'high', 'unknown']);

type Rule = (input: VerdictInput) => Reason | Reason[] | null;

const value = <T>(signal: Signal | undefined): T | null => (signal && !signal.unknown ? (signal.value as T) : null);
const unverified = (signal: Signal | undefined) => (signal?.source.verified === false ? ' (repository linked only by the project URLs, unverified)' : '');

const RULES: Rule[] = [
  ({ signals }) => {
    const ids = value<string[]>(signals.malicious);
    return ids && ids.length ? { verdict: 'avoid', signal: 'malicious', text: `reported as a malicious package (${ids.join(', ')}): do not install it` } : null;
  },
  ({ exists, name, typosquat }) => {
    if (exists !== false) return null;
    const target = typosquat.similarTo[0];
    return {
      verdict: 'avoid',
      signal: null,
      text: `${name} is not on the index: nothing to install, and anyone could register the name${target ? `; did you mean ${target.name}?` : ''}`,
    };
  },
  ({ versionExists, name, version }) => (versionExists === false ? { verdict: 'avoid', signal: null, text: `${name} has no release ${version ?? ''} on the index` } : null),
  ({ signals }) => {
    const status = value<string>(signals.project_status);
    if (status === 'quarantined') return { verdict: 'avoid', signal: 'project_status', text: 'the index has quarantined this project (suspected malware): nothing can be installed' };
    if (status === 'archived') return { verdict: 'caution', signal: 'project_status', text: 'its owners archived the project on the index: no further releases are expected' };
    if (status === 'deprecated') return { verdict: 'caution', signal: 'project_status', text: 'its owners deprecated the project on the index' };
    return null;
  },
  ({ signals }) => (value<boolean>(signals.release_yanked) === true ? { verdict: 'avoid', signal: 'release_yanked', text: `this release was yanked: ${signals.release_yanked!.text}` } : null),
  ({ signals }) => {
    const hits = value<{ id: string; severity: SeverityLevel }[]>(signals.affecting_release) ?? [];
    if (hits.length === 0) return null;
    const severe = hits.filter((h) => SEVERE.has(h.severity));
    const list = (hs: typeof hits) => hs.map((h) => `${h.id} (${severityWord(h.severity)})`).join(', ');
    return severe.length
      ? { verdict: 'avoid', signal: 'affecting_release', text: `known vulnerabilities in this release: ${list(severe)}` }
      : { verdict: 'caution', signal: 'affecting_release', text: `known vulnerabilities in this release: ${list(hits)}` };
  },
  ({ exists, typosquat }) => {
    if (exists === false || !typosquat.suspect) return null;
    return { verdict: 'caution', signal: null, text: `the name ${describeSimilar(typosquat.similarTo[0]!)}: check it is the project you meant` };
  },
  ({ signals }) => {
    const last = value<{ days: number; version: string }>(signals.last_release);
    return last && last.days >= STALE_AFTER_DAYS ? { verdict: 'caution', signal: 'last_release', text: `no release in ${Math.floor(last.days / 365)} years (last: ${last.version})` } : null;
  },
  ({ signals }) =>
    value<boolean>(signals.repo_archived) === true ? { verdict: 'caution', signal: 'repo_archived', text: `the source repository is archived${unverified(signals.repo_archived)}` } : null,
  ({ signals }) => {
    const reply = value<{ median_hours: number | null; sampled: number; unanswered: number }>(signals.first_reply);
    return reply && reply.sampled >= MIN_ISSUES_FOR_REPLY_RULE && reply.median_hours === null
      ? { verdict: 'caution', signal: 'first_reply', text: `maintainers did not answer ${reply.unanswered} of the latest ${reply.sampled} issues${unverified(signals.first_reply)}` }
      : null;
  },
  ({ signals }) => {
    const urls = value<{ repository: string | null; matches_publisher: boolean | null }>(signals.project_urls);
    const publisher = value<{ repository: string | null }>(signals.publisher);
    return urls?.matches_publisher === false
      ? { verdict: 'caution', signal: 'project_urls', text: `the project URLs claim github.com/${urls.repository}, but its releases are published from ${publisher?.repository ?? 'elsewhere'}` }
      : null;
  },
  ({ signals }) => {
    const direct = value<{ count: number }>(signals.direct_requirements);
    return direct && direct.count > MAX_DIRECT_REQUIREMENTS
      ? { verdict: 'caution', signal: 'direct_requirements', text: `heavy: ${direct.count} direct requirements (more than ${MAX_DIRECT_REQUIREMENTS})` }
      : null;
  },
];

/**
 * Fail closed: a card that could not check advisories never says `ok`, whatever else it read.
 * `advisories`: what was not checked about advisories, said before any other caution (the contract:
 * such a card says so in its first caution reason, so a reader who stops there knows the card's
 * "no known advisories" is not one); `others`: the other sources that could not be read.
 */
function completeness({ signals, advisoryWarnings = [] }: VerdictInput): { advisories: Reason[]; others: Reason[]; partial: boolean } {
  const failed = Object.entries(signals).filter(([, s]) => s.unknown?.failed);
  const advisories: Reason[] = advisoryWarnings.map((warning) => ({ verdict: 'caution', signal: null, text: `partial: ${warning}` }));
  const security = failed.filter(([, s]) => s.family === 'security');
  if (security.length) advisories.push({ verdict: 'caution', signal: security[0]![0], text: `advisories could not be checked (${security[0]![1].unknown!.why}): not rated ok` });
  const unread = failed.filter(([, s]) => s.family !== 'security');
  const others: Reason[] = unread.length ? [{ verdict: 'caution', signal: null, text: `partial: could not read ${unread.map(([, s]) => midSentence(s.label)).join(', ')}` }] : [];
  return { advisories, others, partial: failed.length > 0 || advisoryWarnings.length > 0 };
}

export function decideVerdict(input: VerdictInput): VerdictResult {
  const reasons = RULES.flatMap((rule) => {
    const r = rule(input);
    return r === null ? [] : Array.isArray(r) ? r : [r];
  });
  const gaps = completeness(input);
  const partial = gaps.partial;
  const unsure = input.exists === null ? [{ verdict: 'caution' as const, signal: null, text: 'could not tell whether the index has this project' }] : [];
  const all = [...gaps.advisories, ...reasons, ...unsure, ...gaps.others];
  all.sort((a, b) => (a.verdict === b.verdict ? 0 : a.verdict === 'avoid' ? -1 : 1));
  const verdict: Verdict = all.some((r) => r.verdict === 'avoid') ? 'avoid' : all.length ? 'caution' : 'ok';
  return { verdict, reasons: all, partial: partial || input.exists === null };
}
