/**
 * What watching asks to be said, as data for the Slack outbox (src/store/outbox): the domain
 * decides the content, src/slack/outbox/renderers.ts decides the layout. Nothing here knows Slack.
 */
import type { RatedSeverity } from '../audit/findings.js';
import type { AffectedRepo } from '../store/watches.js';
import type { MonthlyDigest, QuarterlyDigest, WeeklyDigest } from './digests.js';
import type { DependencyReview } from './pr-review/review.js';

/** A new-advisory alert for one channel, posted once and then updated in place. */
export const ADVISORY_ALERT = 'advisory-alert';

export interface AdvisoryAlert {
  alertId: number;
  advisoryId: string;
  aliases: string[];
  summary: string;
  severity: string;
  cvss: number | null;
  /** How the channel counts an advisory no source rated (its label says so); default high. */
  unknownAs?: RatedSeverity;
  malicious: boolean;
  package: string | null;
  affected: AffectedRepo[];
  resolved: boolean;
  /** Offer "Open fix PR" for the affected repositories that have a fixed release (DEPWATCH_FIX_PRS). */
  offerFixPrs?: boolean;
  /**
   * The complete list of its repositories in the alert's thread (ADVISORY_ALERT_LIST), for an alert
   * naming more than ALERT_REPOS_LISTED: 'posted' once the outbox posted it, 'failed' once it gave it
   * up. Absent: none, or not posted yet; the message then claims no list (alerts.ts says it later).
   */
  listInThread?: 'posted' | 'failed';
}

/**
 * Repositories an alert's message lists in full at most; one naming more also gets the complete
 * list in its thread (ADVISORY_ALERT_LIST), since its message can only name some of them.
 */
export const ALERT_REPOS_LISTED = 25;

/**
 * The complete list of an alert's repositories, posted in the alert's thread when the alert names
 * more than ALERT_REPOS_LISTED (its message counts the rest: "and 250 more repositories"). Posted
 * again only when what it lists changed; each post says when it was made. Split into as many thread
 * replies as Slack's limits need, at whole lines, each saying "(list 1 of 3)".
 */
export const ADVISORY_ALERT_LIST = 'advisory-alert-list';

export interface AdvisoryAlertList {
  alertId: number;
  advisoryId: string;
  package: string | null;
  /** When the list was made (ISO): the list is as of then. */
  asOf: string;
  resolved: boolean;
  /** Every repository (each pin) the alert lists, open and closed, in the alert's order. */
  affected: AffectedRepo[];
  /** What the list says, as a digest: a list saying the same is not posted again. */
  digest: string;
}

/**
 * A dependency a watched repository newly has (a package added, or moved to another version) and
 * the advisories it brought that are new to the channel: one message for all of them, instead of a
 * "new advisory" alert each (they are not new; the dependency is). Each advisory is still recorded
 * as alerted in the channel (said once); a later change of one (another repository hit) gets that
 * advisory a message of its own. Keyed by channel, repository, package, version and when the
 * repository's audit first saw it there, so replicas write it once.
 */
export const DEPENDENCY_ADVISORIES = 'dependency-advisories';

export interface DependencyAdvisories {
  /** How the repository is shown (`owner/name`, or with its branch). */
  repo: string;
  repoUrl: string | null;
  package: string;
  version: string;
  /** Where the release is pinned (the primary place of its first finding). */
  file: string | null;
  line: number | null;
  url: string | null;
  unknownAs?: RatedSeverity;
  /** The advisories, worst first (at most DEPENDENCY_ADVISORIES_KEPT; `total` counts them all). */
  advisories: { id: string; severity: string; summary: string; malicious: boolean }[];
  total: number;
  /** The release that clears every one of them; null when none does (`unfixed` have no fixed release). */
  fixVersion: string | null;
  unfixed: number;
  /** The alert recorded first for it (its id names the repository to "Open fix PR" for, as an alert's button does); absent: no button. */
  alertId?: number;
  /** Offer "Open fix PR" (DEPWATCH_FIX_PRS) when a release fixes any of them. */
  offerFixPr?: boolean;
}

/** Advisories a dependency message keeps (it names the first few): a package with hundreds stays one small row. */
export const DEPENDENCY_ADVISORIES_KEPT = 50;

/**
 * One repository about which an alerts run would post ALERT_SUMMARY_FROM or more messages (one
 * commit pinning many vulnerable releases): one message summarising the advisories new to the
 * channel there instead (dependency-alerts.ts). Each is recorded as alerted in the channel with this
 * message as its announcement (said once, never again); `/audit` lists them all. Keyed by channel,
 * repository and sweep, so replicas, and a run again after a crash, write it once.
 */
export const ADVISORIES_SUMMARY = 'advisories-summary';

export interface AdvisoriesSummary {
  /** How the repository is shown (`owner/name`, or with its branch). */
  repo: string;
  repoUrl: string | null;
  unknownAs?: RatedSeverity;
  /** How many advisories it says (one row each: an advisory summarised for one repository once). */
  total: number;
  /** How many of them at each level, as rated (the channel's unknownAs says how unrated ones count). */
  bySeverity: Partial<Record<string, number>>;
  /** In how many packages. */
  packages: number;
  /** Every advisory it says: a run that plans it again (a crash, a replica) tells what it already said. */
  advisoryIds: string[];
  /** The worst few, worst first (ADVISORIES_SUMMARY_NAMED at most). */
  worst: { id: string; severity: string; package: string; version: string; summary: string; malicious: boolean }[];
}

/** Advisories a summary names; the rest are counted. */
export const ADVISORIES_SUMMARY_NAMED = 5;

/**
 * What a sweep found for the first time in a watched repository's code: hardcoded secrets (any
 * severity) and other code findings at high or critical. Alerted at once, once.
 */
export const SECRET_ALERT = 'secret-alert';

export interface SecretAlert {
  /** How the repository is shown (`owner/name`, or with its branch). */
  repo: string;
  repoUrl: string | null;
  sha: string;
  /** Whether the repository is private (absent in alerts written before it: counted as private, as /audit counts it). */
  private?: boolean;
  /** Never a value: what kind of credential, where, and its keyed fingerprint. */
  secrets: { kind: string; rule: string; file: string; line: number | null; url: string | null; fingerprint: string; fix: string }[];
  /** New code findings at high or critical that are not secrets (absent in alerts written before them). */
  findings?: { rule: string; severity: string; file: string; line: number | null; url: string | null; message: string; fix: string }[];
}

/**
 * Problems with a watched repository's settings file that its sweep found (settings-notices.ts):
 * told to each watching channel once per set of problems.
 */
export const SETTINGS_NOTICE = 'settings-notice';

export interface SettingsNotice {
  /** How the repository is shown (`owner/name`, or with its branch). */
  repo: string;
  repoUrl: string | null;
  /** The commit whose settings these are. */
  sha: string;
  private: boolean;
  /** One line each, as the audit's notes say them (`.depwatch.yaml: not read, because …`); the first few of a long list. */
  problems: string[];
  /** How many problems there are, listed or not. */
  total: number;
}

/**
 * What a repository already had when a channel watched it (watch-started.ts): posted in that channel
 * by its alerts run once the repository is baselined, once per watch, so that the vulnerabilities
 * known before the watch, which never alert there, are not absorbed unsaid. As that channel sees
 * them: its ignores left out, unrated ones counted as it counts them.
 */
export const WATCH_STARTED = 'watch-started';

export interface WatchStarted {
  /** How the repository is shown (`owner/name`, or with its branch). */
  repo: string;
  repoUrl: string | null;
  /** The commit the baseline was taken at. */
  sha: string;
  private: boolean;
  /** How the channel counts unrated advisories (absent in messages written before it: the default). */
  unknownAs?: RatedSeverity;
  /** Open vulnerabilities (and malicious packages) known before the watch, by severity as rated (`unknown`: not rated). */
  counts: Partial<Record<string, number>>;
  /** The worst few of them, worst first. */
  top: { id: string; package: string | null; version: string | null; severity: string; summary: string }[];
  /** How many there are, listed or not. */
  total: number;
  /** Advisories new to the channel since its watch (published or modified since, or first seen since): each gets its own alert there. */
  alertedApart: number;
}

/**
 * A review digest for one channel and one scheduled slot: its summary is posted in the channel
 * (DIGEST, op post) and its details, and the monthly chart, in the summary's thread (DIGEST_THREAD,
 * op reply). Both rows are written with the slot in one transaction; their keys name the slot, so
 * the same slot run again adds nothing.
 */
export const DIGEST = 'digest';
export const DIGEST_THREAD = 'digest-thread';

export type DigestMessage = {
  timeZone: string;
  /** Its thread (DIGEST_THREAD) was given up: the summary's edit says so (recordDigestDeliveries). */
  threadFailed?: boolean;
} & ({ kind: 'weekly'; digest: WeeklyDigest } | { kind: 'monthly'; digest: MonthlyDigest } | { kind: 'quarterly'; digest: QuarterlyDigest });

/** A pull request as its review card names it. */
export interface PullRequestRef {
  repo: string;
  number: number;
  title: string;
  url: string;
  headSha: string;
  state: 'open' | 'merged' | 'closed';
  /** The same review as a comment on the pull request (DEPWATCH_PR_COMMENTS), or why it could not be written. */
  comment?: { url: string } | { problem: string };
}

/**
 * The dependency review of a pull request in one channel: posted once, then updated in place (a
 * new head, merged, closed). Its message key names the pull request and channel.
 */
export const PULL_REQUEST_REVIEW = 'pull-request-review';

export interface PullRequestReviewCard {
  ref: PullRequestRef;
  review: DependencyReview;
  /** The message of a review posted before the outbox (its ts is not in the outbox). */
  ts?: string;
}

/**
 * Many pull requests of one channel could not be reviewed in one sweep for the same cause (GitHub
 * failing: 5xx, rate limits, an outage): one message names them all, instead of a "not reviewed"
 * card for each (pr-review/sweep-part.ts). Never a pass: each is tried again at the next sweep, and
 * its review, once made, is posted as its own card. Keyed by the channel and when the outage began
 * (channel-notices.ts noticeKey), so an outage that lasts posts it once and a later outage over the
 * same pull requests gets a message of its own; edited when the pull requests it names change and
 * once it is over (pr-review/not-reviewed-notice.ts).
 */
export const PULL_REQUESTS_NOT_REVIEWED = 'pull-requests-not-reviewed';

export interface PullRequestsNotReviewed {
  /** One per cause: what failed (its distinct reasons, the first few), and the pull requests it left unreviewed. */
  causes: { cause: string; reasons: string[]; pulls: Pick<PullRequestRef, 'repo' | 'number' | 'title' | 'url' | 'headSha'>[] }[];
  /**
   * Once no sweep names any of them in the channel (GitHub answered again): when, and what became
   * of each (src/watch/pr-review/not-reviewed-notice.ts). Absent while it goes on, and in messages
   * written before.
   */
  over?: { at: string; outcomes: { repo: string; number: number; outcome: NotReviewedOutcome }[] };
}

/**
 * What became of a pull request a "not reviewed" message named, at the head it named, once it is
 * over: reviewed on its own card; still not reviewed (failing alone now: its own "not reviewed"
 * card says why); merged or closed; no card in the channel (nothing to review at its head, or no
 * longer watched there); pushed to since (`moved`: the head named was never reviewed, its own card
 * is of a newer one); or not known yet (`unknown`: the sweep did not reach it, only the most
 * recently updated pull requests being listed, or only a card of another head is there).
 */
export type NotReviewedOutcome = 'reviewed' | 'not-reviewed' | 'closed' | 'no-card' | 'moved' | 'unknown';

/**
 * The open pull requests of watched repositories could not be listed at all (GitHub refused: the
 * token or App may not read their pull requests, or the repository is gone; or it kept failing),
 * so none of them is reviewed: one message per channel watching any of them, posted once while the
 * set of such repositories (and whether each failure is lasting) stays the same, edited when it
 * changes and when every one can be listed again (src/watch/pr-review/listing-notice.ts). Keyed by
 * the channel and when the notice began.
 */
export const PULL_REQUESTS_NOT_LISTED = 'pull-requests-not-listed';

export interface PullRequestsNotListed {
  /** The repositories whose pull requests could not be listed (while it goes on; the last ones said once it is over). */
  repos: {
    repo: string;
    /** GitHub's answer, one line. */
    reason: string;
    /** GitHub's lasting answer (401, 403, 404): asking again will not mend it; else failing sweep after sweep. */
    lasting: boolean;
    /** Since when every sweep has failed to list them. */
    since: string;
  }[];
  /** When every one of them could be listed again (or was no longer watched here); null while it goes on. */
  recoveredAt: string | null;
  /** Once over: those of `repos` no longer watched in the channel, rather than listed again. */
  unwatched?: string[];
}

/**
 * Sweeps could not check for new advisories (OSV down, the mirror behind, re-matching failed, a
 * sweep batch lost): one message per channel and run of partial sweeps, posted by the alerts job
 * (it would otherwise post nothing, as when nothing was published), and edited once a complete
 * sweep ends the run. Keyed by the run's start.
 */
export const SWEEP_PROBLEMS = 'sweep-problems';

export interface SweepProblemsNotice {
  since: string;
  /** The last partial sweep's problems (the first few), and how many more it had (absent: none; older rows). */
  problems: string[];
  more?: number;
  /** Since when the problems have been these (absent in notices written before it: the run's first ones). */
  problemsSince?: string;
  /** When a complete sweep ended the run; null while it goes on. */
  recoveredAt: string | null;
}
