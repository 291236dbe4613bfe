/**
 * People signals: who owns the project on PyPI (roles, organisation) and, from the upstream
 * repository, how many people committed in the last year, how fast a maintainer first answers an
 * issue, and whether the repository is archived, has a security policy and runs CI.
 *
 * Repository signals carry the link's provenance: `verified` when the repository is the Trusted
 * Publisher named by the release's PEP 740 attestations, unverified when it only comes from the
 * project URLs (anyone can write any URL there, including a famous project's).
 */
import type { IssueFacts, RepoFacts } from '../sources/github.js';
import type { PypiOwnership } from '../sources/pypi.js';
import { known, plural, SOURCES, unknownSignal, type Signals, type SignalSource } from './signal.js';

/** Issues younger than this with no reply yet are too fresh to count either way. */
export const REPLY_GRACE_DAYS = 14;

export interface ReplyTimes {
  /** Issues from outside the team that count (answered, or old enough to have been). */
  sampled: number;
  unanswered: number;
  /** Median hours to the first maintainer reply, unanswered issues counting as never; null when more than half are unanswered or none sampled. */
  medianHours: number | null;
}

/** Pure: the median time to a first maintainer reply over recent issues. */
export function replyTimes(issues: readonly IssueFacts[], now: Date): ReplyTimes {
  const hours: number[] = [];
  let unanswered = 0;
  for (const issue of issues) {
    if (issue.byMaintainer) continue;
    const opened = Date.parse(issue.createdAt);
    if (Number.isNaN(opened)) continue;
    if (issue.firstMaintainerReplyAt === null) {
      if (now.getTime() - opened < REPLY_GRACE_DAYS * 86_400_000) continue;
      unanswered++;
      hours.push(Infinity);
    } else {
      hours.push(Math.max(0, (Date.parse(issue.firstMaintainerReplyAt) - opened) / 3_600_000));
    }
  }
  hours.sort((a, b) => a - b);
  const mid = hours.length === 0 ? null : hours.length % 2 === 1 ? hours[(hours.length - 1) / 2]! : (hours[hours.length / 2 - 1]! + hours[hours.length / 2]!) / 2;
  return { sampled: hours.length, unanswered, medianHours: mid === null || !Number.isFinite(mid) ? null : Math.round(mid * 10) / 10 };
}

function duration(hours: number): string {
  if (hours < 1) return 'under an hour';
  if (hours < 48) return plural(Math.round(hours), 'hour');
  return plural(Math.round(hours / 24), 'day');
}

export function ownershipSignals(ownership: { ok: true; value: PypiOwnership | null } | { ok: false; why: string; failed: boolean }): Signals {
  const f = 'people' as const;
  if (!ownership.ok) return { pypi_owners: unknownSignal(f, 'Owners on PyPI', SOURCES.json, ownership.why, ownership.failed) };
  const o = ownership.value;
  if (o === null) return { pypi_owners: unknownSignal(f, 'Owners on PyPI', SOURCES.json, 'the index does not publish ownership', false) };
  const owners = o.roles.filter((r) => r.role === 'Owner').map((r) => r.user);
  const maintainers = o.roles.filter((r) => r.role !== 'Owner').map((r) => r.user);
  const text = `${plural(owners.length, 'owner')}${owners.length ? ` (${owners.join(', ')})` : ''}, ${plural(maintainers.length, 'maintainer')}${
    maintainers.length ? ` (${maintainers.join(', ')})` : ''
  }${o.organization ? `; organisation ${o.organization}` : '; no organisation'}`;
  return { pypi_owners: known(f, 'Owners on PyPI', { owners, maintainers, organization: o.organization }, text, SOURCES.json) };
}

export type RepoLink = { repository: string; verified: boolean; how: string };

const REPO_SIGNALS = [
  ['contributors', 'Contributors (last year)'],
  ['first_reply', 'Time to first maintainer reply'],
  ['repo_archived', 'Repository archived'],
  ['security_policy', 'Security policy'],
  ['ci', 'CI configured'],
] as const;

/**
 * `link` null means no repository was found where one is named; `metadataUnread` says when the
 * project's metadata (the project URLs that name it) could not be read, so that "no repository"
 * is not claimed about a project nobody looked at: its signals are then unknown for that reason,
 * failed (the card partial) when the read failed.
 */
export function repositorySignals(
  link: RepoLink | null,
  facts: { ok: true; value: RepoFacts | null } | { ok: false; why: string; failed: boolean } | null,
  now: Date,
  metadataUnread: { why: string; failed: boolean } | null = null,
): Signals {
  const f = 'people' as const;
  const signals: Signals = {};
  const none = (why: string, failed: boolean, source: SignalSource = { name: 'GitHub' }): Signals => {
    for (const [id, label] of REPO_SIGNALS) signals[id] = unknownSignal(f, label, source, why, failed);
    return signals;
  };
  if (link === null && metadataUnread !== null) {
    return none(`the project's metadata was not read (${metadataUnread.why}), so its repository is not known`, metadataUnread.failed);
  }
  if (link === null) return none('no GitHub repository is linked to this project', false);
  const source: SignalSource = {
    name: link.verified ? 'GitHub (repository verified by PEP 740 attestations)' : 'GitHub (UNVERIFIED: repository named only in the project URLs)',
    url: `https://github.com/${link.repository}`,
    verified: link.verified,
  };
  if (facts === null) return none('GitHub was not asked', false, source);
  if (!facts.ok) return none(facts.why, facts.failed, source);
  const repo = facts.value;
  if (repo === null) return none(`GitHub has no repository ${link.repository} (deleted, renamed or private)`, false, source);

  signals.repo_archived = known(f, 'Repository archived', repo.archived, repo.archived ? 'yes: read-only, no further development' : 'no', source);
  const needsToken = 'GitHub answers this only to authenticated requests: set GITHUB_TOKEN';
  signals.contributors =
    repo.authorsLastYear === null
      ? unknownSignal(f, 'Contributors (last year)', source, needsToken, false)
      : known(
          f,
          'Contributors (last year)',
          { authors: repo.authorsLastYear.length, commits: repo.commitsLastYear ?? 0 },
          `${plural(repo.authorsLastYear.length, 'person', 'people')} in ${plural(repo.commitsLastYear ?? 0, 'commit')} on the default branch${
            (repo.commitsLastYear ?? 0) > 100 ? ' (authors counted over the latest 100)' : ''
          }`,
          source,
        );
  if (repo.issues === null) signals.first_reply = unknownSignal(f, 'Time to first maintainer reply', source, needsToken, false);
  else {
    const t = replyTimes(repo.issues, now);
    const text =
      t.sampled === 0
        ? 'no recent issues from outside the maintainers'
        : t.medianHours === null
          ? `no maintainer reply on ${t.unanswered} of the latest ${t.sampled} issues (median: never)`
          : `median ${duration(t.medianHours)} over the latest ${plural(t.sampled, 'issue')}${t.unanswered ? ` (${t.unanswered} unanswered)` : ''}`;
    signals.first_reply = known(f, 'Time to first maintainer reply', { median_hours: t.medianHours, sampled: t.sampled, unanswered: t.unanswered }, text, source);
  }
  signals.security_policy =
    repo.securityPolicy === null ? unknownSignal(f, 'Security policy', source, needsToken, false) : known(f, 'Security policy', repo.securityPolicy, repo.securityPolicy ? 'yes' : 'none found', source);
  signals.ci =
    repo.ciFiles === null
      ? unknownSignal(f, 'CI configured', source, needsToken, false)
      : known(f, 'CI configured', repo.ciFiles, repo.ciFiles.length ? repo.ciFiles.slice(0, 5).join(', ') + (repo.ciFiles.length > 5 ? ', …' : '') : 'none found', source);
  return signals;
}
