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
import { markdownCode, markdownText } from './markdown-text.js';
import { changeKindLabel, shownSide } from '../watch/pr-review/diff.js';
import type { DependencyReview, ReviewedChange, ReviewedSource } from '../watch/pr-review/review.js';

export const REVIEW_COMMENT_MARKER = '<!-- depwatch:review -->';

/** GitHub refuses comment bodies over 65,536 characters. */
const MAX_BODY = 60_000;

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

export function pullRequestReviewMarkdown(pr: { headSha: string }, review: DependencyReview): string {
  const out = [REVIEW_COMMENT_MARKER, `### Depwatch dependency review: ${BADGE[review.verdict]} ${review.verdict}`, '', `At head ${code(pr.headSha.slice(0, 7))}.`, ''];
  const moved = review.changes.filter((c) => c.kind !== 'removed');
  const removed = review.changes.filter((c) => c.kind === 'removed');
  if (moved.length) out.push('**Added and changed**', '', ...moved.map(changeLine), '');
  if (removed.length) out.push(`**Removed**: ${removed.map((c) => `${code(c.name)}${shownSide(c, 'from') !== null ? ` ${code(shownSide(c, 'from')!)}` : ''}`).join(', ')}`, '');
  if (review.newSources.length) out.push('⚠️ **New sources outside the index**', '', ...review.newSources.map(sourceLine), '');
  if (review.newIndexUrls.length) out.push('⚠️ **New index URLs**', '', ...review.newIndexUrls.map((i) => `- ${code(i.url)} (${code(`${i.file}${i.line ? `:${i.line}` : ''}`)})${indexNote(i) ? `: ${indexNote(i)!}` : ''}`), '');
  if (review.submodules?.length) out.push('⚠️ **Git submodules**', '', ...review.submodules.map((c) => `- ${code(c.path)} ${submoduleChangeWords(c.change)}`), '');
  if (review.notes?.length) out.push(`_${review.notes.map(escapeMarkdown).join('; ')}_`, '');
  if (review.errors.length) out.push(`_Partial: ${review.errors.map(escapeMarkdown).join('; ')}_`, '');
  // With files unread, "no package changed" would be a claim about files nobody read.
  if (review.nothingToReview !== undefined) out.push(`**Nothing to review**: ${escapeMarkdown(review.nothingToReview)}.`, '');
  else if (!moved.length && !removed.length && !review.newSources.length && !review.newIndexUrls.length && review.notReviewed === undefined) out.push(review.errors.length ? 'No package changed in the files that were read.' : 'The dependency files changed, but no package did.', '');
  out.push('<sub>Updated in place by Depwatch when the pull request changes.</sub>');
  const body = out.join('\n');
  return body.length <= MAX_BODY ? body : `${body.slice(0, MAX_BODY)}\n\n_…cut: the review is longer than a comment may be; the pull request’s changes have the rest._`;
}
