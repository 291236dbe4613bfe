/**
 * Why a finding, or a repository an alert listed, is no longer open although nothing fixed it, in
 * words: stored in repo_findings.closed_reason (an exclusion, an ignore) or set on an alert's entry
 * (the repository no longer watched or visible in the alert's channel). Whatever the reason, it is
 * never said to be fixed: alerts and the monthly digest say "fixed" only of a finding closed without one.
 */
import type { Finding } from '../audit/findings.js';

/** An alert's repository that the channel no longer watches: still vulnerable, as far as anyone knows. */
export const NO_LONGER_WATCHED = 'no longer watched here';

/** An alert's repository that turned private and is not linked to the channel by an admin. */
export const NOT_VISIBLE = 'private now, not visible to this channel';

/** An alert's repository the channel still sees, with no finding row that says how it closed. */
export const NOT_FOUND = 'no longer found, not known to be fixed';

/** How store/ignores.ts names a Slack ignore's source (`Slack, by <@U123>`). */
const SLACK_SOURCE = 'Slack, by ';

/**
 * Why a finding an active ignore covers is closed: it is still there, and someone accepted it.
 * `ignored in .depwatch.yml until 2025-06-30: not reachable from our code`, `ignored in Slack by
 * <@U123>: …`, `ignored in channel C123: …`.
 */
export function ignoredReason(by: NonNullable<Finding['ignoredBy']>): string {
  const where = by.source.startsWith(SLACK_SOURCE) ? `Slack by ${by.source.slice(SLACK_SOURCE.length)}` : by.source;
  return `ignored in ${where}${by.until ? ` until ${by.until}` : ''}: ${by.reason}`;
}

/**
 * What kind of "not fixed" a reason is: its file excluded (no longer checked), an ignore covering it
 * (still there), or the repository out of the channel's sight (watched no more, private).
 */
export function closedKind(reason: string): 'excluded' | 'ignored' | 'unwatched' {
  if (reason.startsWith('ignored in ')) return 'ignored';
  if (reason === NO_LONGER_WATCHED || reason === NOT_VISIBLE || reason === NOT_FOUND) return 'unwatched';
  // `excluded by …`, and whatever an older version stored: no longer checked.
  return 'excluded';
}
