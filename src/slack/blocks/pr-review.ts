/**
 * The dependency review of one pull request in Block Kit: the pull request (linked), its state
 * (open, merged, closed), new VCS/URL sources and new index URLs, then each added or moved package
 * with its verdict, reasons, advisories and typosquat flag, and removed packages. Everything the
 * pull request, PyPI or OSV wrote is escaped (`md`).
 */
import type { KnownBlock } from '@slack/types';
import { indexNote } from '../../python/index-options.js';
import { submoduleChangeWords, submodulesSummary } from '../../watch/pr-review/submodules.js';
import type { Verdict } from '../../packages/verdict.js';
import { changeKindLabel, shownSide } from '../../watch/pr-review/diff.js';
import { listedChanges, verdictCounts } from '../../watch/pr-review/severity-order.js';
import { pullRequestReviewComment, type ReviewComment } from '../../report/pr-review.js';
import { reviewCommandOf } from '../../watch/pr-review/review-command.js';
import type { DependencyReview, ReviewedChange, ReviewedSource } from '../../watch/pr-review/review.js';
import type { SlackMessage } from './errors.js';
import { context, header, listSections, listWithin, section } from './kit.js';
import { SLACK_LIMITS, cumulativeText } from './limits.js';
import { md, type Mrkdwn } from './mrkdwn.js';
import type { NotReviewedOutcome, PullRequestRef, PullRequestsNotReviewed } from '../../watch/messages.js';

export type { PullRequestRef };

const BADGE: Record<Verdict, string> = { ok: ':white_check_mark:', caution: ':warning:', avoid: ':no_entry:' };
const STATE: Record<PullRequestRef['state'], string> = { open: 'open', merged: ':twisted_rightwards_arrows: merged', closed: ':x: closed without merging' };

function changeLine(c: ReviewedChange): Mrkdwn {
  const moved = c.kind === 'added' ? md`${shownSide(c, 'to') ?? 'any version'}` : md`${shownSide(c, 'from') ?? 'any'} → ${shownSide(c, 'to') ?? 'any'}`;
  const versions = c.detail ? md`${moved} (${c.detail})` : moved;
  if (!c.card) return md`• ${md.raw(BADGE.caution)} \`${c.name}\` ${changeKindLabel(c.kind)} ${versions}: *not rated* _(no card: ${c.unrated ?? 'several versions at once'})_`;
  const extra: Mrkdwn[] = [];
  if (c.card.similarTo) extra.push(md`looks like *${c.card.similarTo}*`);
  if (c.card.advisories.length) extra.push(md`advisories: ${c.card.advisories.join(', ')}`);
  const reasons = c.card.reasons.slice(0, 2);
  return md`• ${md.raw(BADGE[c.card.verdict])} \`${c.name}\` ${changeKindLabel(c.kind)} ${versions}: *${c.card.verdict}*${c.card.partial ? ' (partial)' : ''}${reasons.length ? md` — ${reasons.join('; ')}` : ''}${extra.length ? md` (${md.join(extra, '; ')})` : ''}`;
}

/** A new source, with the verdict and advisories of the release it installs when its version is known. */
function sourceLine(s: ReviewedSource): string {
  const where = md`\`${s.name}\`${s.version !== undefined ? md` ${s.version}` : md``} from ${s.url} (${s.file}${s.line ? md`:${s.line}` : md``})`;
  if (!s.card) return md`• ${where}`.text;
  const reasons = s.card.reasons.slice(0, 2);
  const advisories = s.card.advisories.length ? md` (advisories: ${s.card.advisories.join(', ')})` : md``;
  return md`• ${where}: ${md.raw(BADGE[s.card.verdict])} *${s.card.verdict}*${s.card.partial ? ' (partial)' : ''}${reasons.length ? md` — ${reasons.join('; ')}` : md``}${advisories}`.text;
}

/** Each warning's list at most, and the removed packages' line: the added and changed get the rest. */
const WARNING_ROOM = 2500;
const PARTIAL_ROOM = 1000;
const REMOVED_ROOM = 1500;

/**
 * The card is one message, updated in place as the pull request moves: warnings first, then the
 * package changes in the room they leave, each list saying how many it left out and where they all are.
 */
export function pullRequestReviewMessage(pr: PullRequestRef, review: DependencyReview): SlackMessage {
  // Most severe first, as the comment lists them: a list that must stop leaves out ok ones.
  const { moved, removed } = listedChanges(review);
  // The comment has more room than the card, but it may have to stop too: the card points there only for what it lists.
  const comment = pr.comment && 'url' in pr.comment ? { link: md.link(pr.comment.url, 'the comment on the pull request'), notListed: pullRequestReviewComment(pr, review) } : null;
  // Where the whole review is listed when neither the card nor the comment has room for all of it.
  const everything = md`\`${reviewCommandOf(pr)}\` lists them all`;
  const more = (what: string, inComment: (c: ReviewComment) => number, verdicts?: (left: number) => string) => (left: number) => {
    const counted = verdicts ? ` (${verdicts(left)})` : '';
    if (!comment) return md`…and ${left} more ${what}, not listed here${md.raw(counted)}: ${md.link(`${pr.url.replace(/\/+$/, '')}/files`, 'the pull request’s changes')} show which, without verdicts; ${everything}`.text;
    const nowhere = Math.min(left, inComment(comment.notListed));
    if (nowhere === 0) return md`…and ${left} more ${what} (see ${comment.link})`.text;
    const nowhereCounted = verdicts ? ` (${verdicts(nowhere)})` : '';
    return left === nowhere
      ? md`…and ${left} more ${what}${md.raw(counted)}, listed neither here nor in ${comment.link} for want of room: ${everything}`.text
      : md`…and ${left} more ${what}: ${left - nowhere} in ${comment.link}, the last ${nowhere}${md.raw(nowhereCounted)} in neither, for want of room: ${everything}`.text;
  };
  const lead: KnownBlock[] = [header(`Dependency review: ${pr.repo} #${pr.number}`)];
  // Not reviewed: no verdict to give, only that nothing was compared at this head. Nothing to
  // review: the head changes no file read as dependencies, which is no verdict on packages either.
  // A head that changes no dependency file but moves a git submodule is no "nothing to review": its verdict (caution) stands.
  const submodules = review.submodules ?? [];
  const overall = review.notReviewed !== undefined ? 'not reviewed' : review.nothingToReview !== undefined && submodules.length === 0 ? 'nothing to review' : review.verdict;
  lead.push(section(md`${md.link(pr.url, pr.title)} · ${md.raw(STATE[pr.state])} · head \`${pr.headSha.slice(0, 7)}\` · overall ${md.raw(BADGE[review.verdict])} *${overall}*`));
  if (review.notReviewed !== undefined) lead.push(section(md`:warning: *Not reviewed*: ${review.notReviewed}. Tried again at the next sweep; this card is updated when it is reviewed.`));
  if (review.nothingToReview !== undefined) lead.push(section(md`*Nothing to review*: ${review.nothingToReview}. This card is updated if a later commit changes one.`));
  if (review.newSources.length) {
    const lines = review.newSources.map(sourceLine);
    lead.push(...listSections(':warning: *New sources outside the index*', lines, { room: WARNING_ROOM, more: more('new sources', (c) => c.sourcesNotListed) }));
  }
  if (review.newIndexUrls.length) {
    const lines = review.newIndexUrls.map((i) => {
      const note = indexNote(i);
      return md`• ${i.url} (${i.file}${i.line ? md`:${i.line}` : md``})${note ? md`: ${note}` : md``}`.text;
    });
    lead.push(...listSections(':warning: *New index URLs*', lines, { room: WARNING_ROOM, more: more('new index URLs', (c) => c.indexUrlsNotListed) }));
  }
  if (submodules.length) {
    const lines = submodules.map((c) => md`• \`${c.path}\` ${submoduleChangeWords(c)}`.text);
    lead.push(...listSections(':warning: *Git submodules*', lines, { room: WARNING_ROOM, more: more('git submodules', (c) => c.submodulesNotListed) }));
  }
  if (review.notes?.length) lead.push(context(listWithin(review.notes.map((n) => md`${n}`.text), '; ', { room: PARTIAL_ROOM, more: (left) => md`…and ${left} more (${everything})`.text })));
  if (review.errors.length && review.notReviewed === undefined) lead.push(context(`Partial: ${listWithin(review.errors.map((e) => md`${e}`.text), '; ', { room: PARTIAL_ROOM, more: (left) => md`…and ${left} more (${everything})`.text })}`));
  const tail: KnownBlock[] = [];
  if (removed.length) {
    const names = removed.map((c) => md`\`${c.name}\`${shownSide(c, 'from') !== null ? md` ${shownSide(c, 'from')!}` : md``}`.text);
    tail.push(section(`*Removed*: ${listWithin(names, ', ', { room: REMOVED_ROOM, more: more('removed', (c) => c.removedNotListed) })}`));
  }
  if (pr.comment && 'url' in pr.comment) tail.push(context(md`Also ${md.link(pr.comment.url, 'on the pull request')}, kept as one comment.`));
  if (pr.comment && 'problem' in pr.comment) tail.push(context(md`:warning: Not commented on the pull request: ${pr.comment.problem}.`));
  // With files unread, "no package changed" would be a claim about files nobody read.
  if (!moved.length && !removed.length && !review.newSources.length && !review.newIndexUrls.length && review.notReviewed === undefined && review.nothingToReview === undefined) tail.push(context(review.errors.length ? 'No package changed in the files that were read.' : 'The dependency files changed, but no package did.'));
  const changes = moved.length
    ? listSections('*Added and changed*', moved.map((c) => changeLine(c).text), { room: SLACK_LIMITS.messageTextBudget - cumulativeText([...lead, ...tail]), more: more('added or changed', (c) => c.changesNotListed, (left) => verdictCounts(moved.slice(-left))) })
    : [];
  // The notification says partial as the card does: a preview reading "ok" must not hide what was not read or rated.
  const partial = review.errors.length > 0 || review.changes.some((c) => c.card?.partial) || review.newSources.some((s) => s.card?.partial);
  const text = review.notReviewed !== undefined
    ? md`Dependency review of ${pr.repo} #${pr.number} (${pr.state}): not reviewed (partial): ${review.notReviewed}`.text
    : review.nothingToReview !== undefined && submodules.length > 0
    ? md`Dependency review of ${pr.repo} #${pr.number} (${pr.state}): ${review.verdict}: ${submodulesSummary(submodules)}`.text
    : review.nothingToReview !== undefined
    ? md`Dependency review of ${pr.repo} #${pr.number} (${pr.state}): nothing to review: ${review.nothingToReview}`.text
    : md`Dependency review of ${pr.repo} #${pr.number} (${pr.state}): ${review.verdict}${partial ? ' (partial)' : ''}, ${review.changes.length} package changes${submodules.length > 0 ? `; ${submodulesSummary(submodules)}` : ''}`.text;
  return { text, blocks: [...lead, ...changes, ...tail] };
}

/** Each cause's list of pull requests at most, so several causes fit in the one message. */
const CAUSE_ROOM = 2500;

/**
 * Many pull requests of the channel not reviewed this sweep for the same cause, in one message
 * instead of a card each: per cause, what failed and the pull requests (linked, at their heads),
 * each list saying how many it left out. Never a pass: it says each is tried again at the next
 * sweep, and gets its own card once reviewed. Once it is over (`over`), the same message says what
 * became of each: reviewed after all on its own card, or not (pullRequestsNotReviewedOverMessage).
 */
export function pullRequestsNotReviewedMessage(notice: PullRequestsNotReviewed): SlackMessage {
  if (notice.over) return pullRequestsNotReviewedOverMessage(notice, notice.over);
  const pulls = notice.causes.flatMap((c) => c.pulls);
  const counted = countedPulls(pulls);
  const blocks: KnownBlock[] = [header(`Dependency reviews: ${counted} not reviewed`)];
  blocks.push(section(md`:warning: *Not reviewed* (partial): GitHub failed for many pull requests at once, so they are named here rather than in a card each. None of them passed: each is tried again at the next sweep and gets its own review card once it is reviewed.`));
  for (const c of notice.causes) {
    const lines = c.pulls.map((p) => md`• ${md.link(p.url, `${p.repo} #${p.number}`)} ${p.title} · head \`${p.headSha.slice(0, 7)}\``.text);
    blocks.push(...listSections(md`*${c.cause}*`.text, lines, { room: CAUSE_ROOM, more: (left) => `…and ${left} more` }));
    if (c.reasons.length > 0) blocks.push(context(listWithin(c.reasons.map((r) => md`${r}`.text), '; ', { room: PARTIAL_ROOM, more: (left) => `…and ${left} more` })));
  }
  const text = md`Dependency reviews: ${counted} not reviewed (partial): ${notice.causes.map((c) => c.cause).join('; ')}. Tried again at the next sweep.`.text;
  return { text, blocks };
}

/** "6 pull requests in 2 repositories". */
function countedPulls(pulls: readonly { repo: string }[]): string {
  const repos = new Set(pulls.map((p) => p.repo));
  return `${pulls.length === 1 ? '1 pull request' : `${pulls.length} pull requests`} in ${repos.size === 1 ? '1 repository' : `${repos.size} repositories`}`;
}

/** How the message, once over, says what became of one pull request it named. */
const OUTCOME_LINE: Record<NotReviewedOutcome, string> = {
  reviewed: ':white_check_mark: reviewed, on its own card',
  'not-reviewed': ':warning: still not reviewed: its own card says why, and it is tried again at each sweep',
  closed: 'merged or closed',
  'no-card': 'no card here: nothing to review at its head, or no longer watched here',
  moved: ':warning: pushed to since: the head named here was never reviewed; its own card, if any, is of a newer head',
  unknown: ':grey_question: not known yet: the sweep did not reach it (only the most recently updated pull requests are listed), or only a card of another head is here',
};

/** How the headline's aside counts those not reviewed after all (the rest are said line by line only). */
const OUTCOME_COUNTED: Partial<Record<NotReviewedOutcome, string>> = { 'not-reviewed': 'still not reviewed', moved: 'pushed to since', unknown: 'not known yet' };

/**
 * The message once no sweep names any of its pull requests in the channel: not a "not reviewed"
 * left standing, but what became of each at the head it named (reviewed after all, on its own card,
 * or not, or not known yet where the sweep did not reach it). An outcome missing (a message written
 * by another version) is not known, never taken for one.
 */
function pullRequestsNotReviewedOverMessage(notice: PullRequestsNotReviewed, over: NonNullable<PullRequestsNotReviewed['over']>): SlackMessage {
  const pulls = notice.causes.flatMap((c) => c.pulls);
  const counted = countedPulls(pulls);
  const known = new Map(over.outcomes.map((o) => [`${o.repo}#${o.number}`, o.outcome]));
  const outcomeOf = (p: { repo: string; number: number }): NotReviewedOutcome => known.get(`${p.repo}#${p.number}`) ?? 'unknown';
  const tally = new Map<NotReviewedOutcome, number>();
  for (const p of pulls) tally.set(outcomeOf(p), (tally.get(outcomeOf(p)) ?? 0) + 1);
  const reviewed = tally.get('reviewed') ?? 0;
  const headline = reviewed === pulls.length ? `${counted} reviewed after all` : `${reviewed} of ${counted} reviewed after all`;
  const aside = Object.entries(OUTCOME_COUNTED).flatMap(([outcome, words]) => (tally.get(outcome as NotReviewedOutcome) ? [`${tally.get(outcome as NotReviewedOutcome)} ${words}`] : []));
  const blocks: KnownBlock[] = [header(`Dependency reviews: ${headline}`)];
  blocks.push(
    section(
      reviewed === pulls.length
        ? md`:white_check_mark: *Over*: GitHub answered again. These pull requests were not reviewed when this message was posted; they were reviewed after all, each on its own card.`
        : md`*Over*: GitHub answered again. These pull requests were not reviewed when this message was posted; at the head named here, ${String(reviewed)} ${reviewed === 1 ? 'was' : 'were'} reviewed since, each on its own card${aside.length ? `; ${aside.join(', ')}` : ''}.`,
    ),
  );
  for (const c of notice.causes) {
    const lines = c.pulls.map((p) => md`• ${md.link(p.url, `${p.repo} #${p.number}`)} ${p.title} · ${OUTCOME_LINE[outcomeOf(p)]}`.text);
    blocks.push(...listSections(md`*${c.cause}* (then)`.text, lines, { room: CAUSE_ROOM, more: (left) => `…and ${left} more` }));
  }
  const text = md`Dependency reviews: ${headline}${reviewed === pulls.length ? ', each on its own card' : aside.length ? ` (${aside.join(', ')})` : ''}.`.text;
  return { text, blocks };
}
