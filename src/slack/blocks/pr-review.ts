/**
 * The dependency review of one pull request in Block Kit: the pull request (linked), its state
 * (open, merged, closed), then each added or moved package with its verdict, reasons, advisories and
 * typosquat flag, removed packages, new VCS/URL sources and new index URLs. Everything the pull
 * request, PyPI or OSV wrote is escaped (`md`).
 */
import type { KnownBlock } from '@slack/types';
import type { Verdict } from '../../packages/verdict.js';
import type { DependencyReview, ReviewedChange } from '../../watch/pr-review/review.js';
import type { SlackMessage } from './errors.js';
import { context, header, section } from './kit.js';
import { md, type Mrkdwn } from './mrkdwn.js';
import type { PullRequestRef } from '../../watch/messages.js';

export type { PullRequestRef };

const BADGE: Record<Verdict, string> = { ok: ':white_check_mark:', caution: ':warning:', avoid: ':no_entry:' };
const STATE: Record<PullRequestRef['state'], string> = { open: 'open', merged: ':twisted_rightwards_arrows: merged', closed: ':x: closed without merging' };

function changeLine(c: ReviewedChange): Mrkdwn {
  const versions = c.kind === 'added' ? md`${c.to ?? 'any version'}` : md`${c.from ?? 'any'} → ${c.to ?? 'any'}`;
  if (!c.card) return md`• \`${c.name}\` ${c.kind} ${versions} _(no card: several versions at once)_`;
  const extra: Mrkdwn[] = [];
  if (c.card.similarTo) extra.push(md`looks like *${c.card.similarTo}*`);
  if (c.card.advisories.length) extra.push(md`advisories: ${c.card.advisories.join(', ')}`);
  const reasons = c.card.reasons.slice(0, 2);
  return md`• ${md.raw(BADGE[c.card.verdict])} \`${c.name}\` ${c.kind} ${versions}: *${c.card.verdict}*${c.card.partial ? ' (partial)' : ''}${reasons.length ? md` — ${reasons.join('; ')}` : ''}${extra.length ? md` (${md.join(extra, '; ')})` : ''}`;
}

export function pullRequestReviewMessage(pr: PullRequestRef, review: DependencyReview): SlackMessage {
  const blocks: KnownBlock[] = [header(`Dependency review: ${pr.repo} #${pr.number}`)];
  blocks.push(section(md`${md.link(pr.url, pr.title)} · ${md.raw(STATE[pr.state])} · head \`${pr.headSha.slice(0, 7)}\` · overall ${md.raw(BADGE[review.verdict])} *${review.verdict}*`));
  const moved = review.changes.filter((c) => c.kind !== 'removed');
  const removed = review.changes.filter((c) => c.kind === 'removed');
  if (moved.length) blocks.push(section(md`*Added and changed*\n${md.join(moved.map(changeLine), '\n')}`));
  if (removed.length) blocks.push(section(md`*Removed*: ${md.join(removed.map((c) => md`\`${c.name}\`${c.from ? md` ${c.from}` : md``}`), ', ')}`));
  if (review.newSources.length) blocks.push(section(md`:warning: *New sources outside the index*\n${md.join(review.newSources.map((s) => md`• \`${s.name}\` from ${s.url} (${s.file}${s.line ? md`:${s.line}` : md``})`), '\n')}`));
  if (review.newIndexUrls.length) blocks.push(section(md`:warning: *New index URLs*\n${md.join(review.newIndexUrls.map((i) => md`• ${i.url} (${i.file}${i.line ? md`:${i.line}` : md``})`), '\n')}`));
  if (review.errors.length) blocks.push(context(md`Partial: ${review.errors.join('; ')}`));
  if (pr.comment && 'url' in pr.comment) blocks.push(context(md`Also ${md.link(pr.comment.url, 'on the pull request')}, kept as one comment.`));
  if (pr.comment && 'problem' in pr.comment) blocks.push(context(md`:warning: Not commented on the pull request: ${pr.comment.problem}.`));
  // With files unread, "no package changed" would be a claim about files nobody read.
  if (!moved.length && !removed.length && !review.newSources.length && !review.newIndexUrls.length) blocks.push(context(review.errors.length ? 'No package changed in the files that were read.' : 'The dependency files changed, but no package did.'));
  const text = md`Dependency review of ${pr.repo} #${pr.number} (${pr.state}): ${review.verdict}, ${review.changes.length} package changes`.text;
  return { text, blocks };
}
