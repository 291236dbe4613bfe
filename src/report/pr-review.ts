/**
 * A pull request's dependency review as a GitHub comment (Markdown), the same content as the Slack
 * card (src/slack/blocks/pr-review.ts). Everything the pull request, PyPI or OSV wrote is escaped:
 * no HTML, no links or images it did not ask for, and no @mentions (a path named `@team` must not
 * notify anyone: markdown-text.ts breaks them with a zero-width space, in code spans too). The first line is a hidden marker, so the comment can be found again when its id
 * is lost, and is kept as one comment.
 */
import { indexNote } from '../python/index-options.js';
import { submoduleChangeWords } from '../watch/pr-review/submodules.js';
import type { Verdict } from '../packages/verdict.js';
import { fitList } from '../list-fit.js';
import { markdownCode, markdownText } from './markdown-text.js';
import { changeKindLabel, shownSide } from '../watch/pr-review/diff.js';
import { listedChanges, verdictCounts } from '../watch/pr-review/severity-order.js';
import { reviewCommandOf } from '../watch/pr-review/review-command.js';
import type { DependencyReview, ReviewedChange, ReviewedSource } from '../watch/pr-review/review.js';

export const REVIEW_COMMENT_MARKER = '<!-- depwatch:review -->';

/**
 * GitHub refuses comment bodies over 65,536 characters ("Body is too long (maximum is 65536
 * characters)"); the margin covers characters it may count otherwise than JavaScript does.
 */
const MAX_BODY = 60_000;

/** Each warning's list at most, the notes, what was not read, and the removed packages' line: the added and changed get the rest. */
const WARNING_ROOM = 8000;
const NOTES_ROOM = 2000;
const PARTIAL_ROOM = 4000;
const REMOVED_ROOM = 6000;

const BADGE: Record<Verdict, string> = { ok: '✅', caution: '⚠️', avoid: '⛔' };

/** Markdown-significant characters escaped: what the pull request, PyPI or OSV wrote shows as written (markdown-text.ts). */
export const escapeMarkdown = markdownText;

/** Code spans too: what the pull request wrote (a file path, a URL) may hold `/@team`, and e-mail replies quote code as plain text. */
const code = markdownCode;

function changeLine(c: ReviewedChange): string {
  const moved = c.kind === 'added' ? code(shownSide(c, 'to') ?? 'any version') : `${code(shownSide(c, 'from') ?? 'any')} → ${code(shownSide(c, 'to') ?? 'any')}`;
  const versions = c.detail ? `${moved} (${escapeMarkdown(c.detail)})` : moved;
  if (!c.card) return `- ${BADGE.caution} ${code(c.name)} ${changeKindLabel(c.kind)} ${versions}: **not rated** _(no card: ${escapeMarkdown(c.unrated ?? 'several versions at once')})_`;
  const extra: string[] = [];
  if (c.card.similarTo) extra.push(`looks like **${escapeMarkdown(c.card.similarTo)}**`);
  if (c.card.advisories.length) extra.push(`advisories: ${c.card.advisories.map(escapeMarkdown).join(', ')}`);
  const reasons = c.card.reasons.slice(0, 2).map(escapeMarkdown);
  return `- ${BADGE[c.card.verdict]} ${code(c.name)} ${changeKindLabel(c.kind)} ${versions}: **${c.card.verdict}**${c.card.partial ? ' (partial)' : ''}${reasons.length ? ` — ${reasons.join('; ')}` : ''}${extra.length ? ` (${extra.join('; ')})` : ''}`;
}

/** A new source, with the verdict and advisories of the release it installs when its version is known. */
function sourceLine(s: ReviewedSource): string {
  const where = `- ${code(s.name)}${s.version !== undefined ? ` ${code(s.version)}` : ''} from ${code(s.url)} (${code(`${s.file}${s.line ? `:${s.line}` : ''}`)})`;
  if (!s.card) return where;
  const reasons = s.card.reasons.slice(0, 2).map(escapeMarkdown);
  const advisories = s.card.advisories.length ? ` (advisories: ${s.card.advisories.map(escapeMarkdown).join(', ')})` : '';
  return `${where}: ${BADGE[s.card.verdict]} **${s.card.verdict}**${s.card.partial ? ' (partial)' : ''}${reasons.length ? ` — ${reasons.join('; ')}` : ''}${advisories}`;
}

/** `items` within `room` characters: those that fit whole, then `more(left)` for the rest. */
const within = (items: readonly string[], gap: number, room: number, more: (left: number) => string) => fitList(items, gap, { room, more });

/** The comment, and how many of its lists' items it had no room to list (the Slack card says where the rest are). */
export interface ReviewComment {
  body: string;
  /** Added and changed packages not listed: the least severe (mostSevereFirst), listed nowhere else in full either. */
  changesNotListed: number;
  removedNotListed: number;
  sourcesNotListed: number;
  indexUrlsNotListed: number;
  submodulesNotListed: number;
}

/** The pull request the comment is on: its head, and its name for the command that lists the whole review. */
export interface CommentedPullRequest {
  repo: string;
  number: number;
  headSha: string;
  /** Two refs reviewed (`depwatch review owner/repo base...head --markdown`), named by the command the body gives. */
  compare?: { base: string; head: string };
}

/**
 * `whole`: every list in full, whatever its length (`depwatch review --markdown`: the body a comment
 * would have, without the room cut); the comment itself stops where GitHub would refuse it.
 */
export interface ReviewCommentOptions {
  whole?: boolean;
}

export function pullRequestReviewMarkdown(pr: CommentedPullRequest, review: DependencyReview, options: ReviewCommentOptions = {}): string {
  return pullRequestReviewComment(pr, review, options).body;
}

/**
 * The comment as the Slack card orders it: warnings, notes and what was not read first, each list
 * within its own room, then the added and changed packages most severe first in the room that is
 * left, then the removed ones. A list that has to stop does so at a whole line and says how many it
 * left out (and, for packages, their verdicts) and names the command that lists them all
 * (reviewCommandOf), so the body stays one comment GitHub accepts and nothing is listed nowhere.
 */
export function pullRequestReviewComment(pr: CommentedPullRequest, review: DependencyReview, options: ReviewCommentOptions = {}): ReviewComment {
  // No room is too small for a whole list: each list's own, and the comment's, are then unbounded.
  const roomOf = (room: number) => (options.whole ? Number.POSITIVE_INFINITY : room);
  const command = markdownCode(reviewCommandOf(pr));
  const lead = [REVIEW_COMMENT_MARKER, `### Depwatch dependency review: ${BADGE[review.verdict]} ${review.verdict}`, '', `At head ${code(pr.headSha.slice(0, 7))}.`, ''];
  const { moved, removed } = listedChanges(review);
  const notListed = (what: string) => (left: number) => `- _…and ${left} more ${what}, not listed: a comment has no room for more; ${command} lists them all._`;
  let sourcesNotListed = 0;
  let indexUrlsNotListed = 0;
  let submodulesNotListed = 0;
  if (review.newSources.length) {
    const list = within(review.newSources.map(sourceLine), 1, roomOf(WARNING_ROOM), notListed('new sources'));
    sourcesNotListed = list.left;
    lead.push('⚠️ **New sources outside the index**', '', ...list.kept, '');
  }
  if (review.newIndexUrls.length) {
    const lines = review.newIndexUrls.map((i) => `- ${code(i.url)} (${code(`${i.file}${i.line ? `:${i.line}` : ''}`)})${indexNote(i) ? `: ${indexNote(i)!}` : ''}`);
    const list = within(lines, 1, roomOf(WARNING_ROOM), notListed('new index URLs'));
    indexUrlsNotListed = list.left;
    lead.push('⚠️ **New index URLs**', '', ...list.kept, '');
  }
  if (review.submodules?.length) {
    const lines = review.submodules.map((c) => `- ${code(c.path)} ${submoduleChangeWords(c)}`);
    const list = within(lines, 1, roomOf(WARNING_ROOM), notListed('git submodules'));
    submodulesNotListed = list.left;
    lead.push('⚠️ **Git submodules**', '', ...list.kept, '');
  }
  const andMore = (left: number) => `…and ${left} more (${command} lists them all)`;
  if (review.notes?.length) lead.push(`_${within(review.notes.map(escapeMarkdown), 2, roomOf(NOTES_ROOM), andMore).kept.join('; ')}_`, '');
  if (review.errors.length) lead.push(`_Partial: ${within(review.errors.map(escapeMarkdown), 2, roomOf(PARTIAL_ROOM), andMore).kept.join('; ')}_`, '');
  // With files unread, "no package changed" would be a claim about files nobody read.
  if (review.nothingToReview !== undefined) lead.push(`**Nothing to review**: ${escapeMarkdown(review.nothingToReview)}.`, '');
  else if (!moved.length && !removed.length && !review.newSources.length && !review.newIndexUrls.length && review.notReviewed === undefined) lead.push(review.errors.length ? 'No package changed in the files that were read.' : 'The dependency files changed, but no package did.', '');
  const tail: string[] = [];
  let removedNotListed = 0;
  if (removed.length) {
    const names = within(
      removed.map((c) => `${code(c.name)}${shownSide(c, 'from') !== null ? ` ${code(shownSide(c, 'from')!)}` : ''}`),
      2,
      roomOf(REMOVED_ROOM),
      (left) => `…and ${left} more, not listed: a comment has no room for more; ${command} lists them all`,
    );
    removedNotListed = names.left;
    tail.push(`**Removed**: ${names.kept.join(', ')}`, '');
  }
  tail.push('<sub>Updated in place by Depwatch when the pull request changes.</sub>');
  let changesNotListed = 0;
  const changes: string[] = [];
  if (moved.length) {
    const heading = ['**Added and changed**', ''];
    const room = roomOf(MAX_BODY - [...lead, ...heading, '', ...tail].join('\n').length - 1);
    const more = (left: number) => `- _…and ${left} more added or changed, not listed (${verdictCounts(moved.slice(-left))}): a comment has no room for more; ${command} lists them all._`;
    const list = within(moved.map(changeLine), 1, room, more);
    changesNotListed = list.left;
    changes.push(...heading, ...list.kept, '');
  }
  return { body: [...lead, ...changes, ...tail].join('\n'), changesNotListed, removedNotListed, sourcesNotListed, indexUrlsNotListed, submodulesNotListed };
}
