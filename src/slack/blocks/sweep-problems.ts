/**
 * What the alerts job says when sweeps could not check for new advisories, and how a digest's
 * summary says the same: one line naming since when and why (the first problem, and how many more).
 */
import type { KnownBlock } from '@slack/types';
import type { SweepProblemsNotice } from '../../watch/messages.js';
import { fitOneMessage, type FittedMessage } from './fit.js';
import { context, escapeMrkdwn, section, truncate } from './kit.js';
import { formatUtc } from '../../incidents/duration.js';

/** A problem line is an error line: long enough to say what failed, never a wall of text. */
const PROBLEM_MAX = 300;


/** At most this many problems are listed under the notice's line; the rest are counted ("and N more"). */
export const PROBLEMS_LISTED = 5;

/** `more`: problems the store did not keep beyond `problems` (absent: none). */
type Problems = { since: string; problems: readonly string[]; more?: number };

/** "⚠️ Depwatch could not check for new advisories since 2025-01-06 09:00 UTC: advisory refresh failed (…) (+1 more)" (plain text). */
export function sweepProblemLine(p: Problems): string {
  const [first = 'the last sweep was partial', ...rest] = p.problems;
  const others = rest.length + (p.more ?? 0);
  return `⚠️ Depwatch could not check for new advisories since ${formatUtc(p.since)}: ${truncate(first, PROBLEM_MAX)}${others ? ` (+${others} more)` : ''}`;
}

/** Every current problem, one bullet each, the first PROBLEMS_LISTED of them and how many more (mrkdwn). */
function problemList(p: Problems): string {
  const listed = p.problems.slice(0, PROBLEMS_LISTED).map((line) => `• ${escapeMrkdwn(truncate(line, PROBLEM_MAX))}`);
  const more = p.problems.length - listed.length + (p.more ?? 0);
  return [...listed, ...(more > 0 ? [`and ${more} more`] : [])].join('\n');
}

export function sweepProblemsMessage(notice: SweepProblemsNotice): FittedMessage {
  if (notice.recoveredAt !== null) {
    const text = `✅ Depwatch is checking for new advisories again: sweeps were partial from ${formatUtc(notice.since)} until ${formatUtc(notice.recoveredAt)}; the sweep that ended then was complete, and anything it found is alerted as usual.`;
    return fitOneMessage({ text, blocks: [section(escapeMrkdwn(text))] }, 'the sweep problems notice');
  }
  const line = sweepProblemLine(notice);
  const blocks: KnownBlock[] = [section(escapeMrkdwn(line))];
  if (notice.problems.length + (notice.more ?? 0) > 1) blocks.push(context(problemList(notice)));
  blocks.push(context('Until a sweep is complete, no alert here does not mean nothing new was published. This message is edited when the problems change and when sweeps recover.'));
  return fitOneMessage({ text: line, blocks }, 'the sweep problems notice');
}
