/**
 * A pull request's dependency review in a terminal (`depwatch review`): every list in full, most
 * severe first as the comment and the card order them, and what made it partial. What the pull
 * request, PyPI or OSV wrote is shown safe for a terminal (terminalLines).
 */
import { indexNote } from '../python/index-options.js';
import { changeKindLabel, shownSide } from '../watch/pr-review/diff.js';
import type { DependencyReview, ReviewedChange, ReviewedSource } from '../watch/pr-review/review.js';
import { listedChanges, listedVerdict } from '../watch/pr-review/severity-order.js';
import { submoduleChangeWords } from '../watch/pr-review/submodules.js';
import { terminalLines } from './terminal-text.js';

/** The pull request as the command names it; with `compare`, two refs (`base...head`) instead, `number` and `state` meaningless. */
export interface ReviewedPullRequest {
  repo: string;
  number: number;
  title: string;
  url: string;
  state: 'open' | 'merged' | 'closed';
  headSha: string;
  /** The refs as given and the commit base names (head's is headSha). */
  compare?: { base: string; head: string; baseSha: string };
}

const MARK: Record<ReturnType<typeof listedVerdict>, string> = { avoid: '✗', 'not rated': '?', caution: '!', ok: '✓' };

function changeLine(c: ReviewedChange): string[] {
  const moved = c.kind === 'added' ? (shownSide(c, 'to') ?? 'any version') : `${shownSide(c, 'from') ?? 'any'} -> ${shownSide(c, 'to') ?? 'any'}`;
  const head = `  ${MARK[listedVerdict(c)]} ${c.name} ${changeKindLabel(c.kind)} ${moved}${c.detail ? ` (${c.detail})` : ''} [${c.file}]: `;
  if (!c.card) return [`${head}NOT RATED (${c.unrated ?? 'several versions at once'})`];
  const lines = [`${head}${c.card.verdict.toUpperCase()}${c.card.partial ? ' (partial)' : ''}`];
  for (const reason of c.card.reasons) lines.push(`      ${reason}`);
  if (c.card.advisories.length) lines.push(`      advisories: ${c.card.advisories.join(', ')}`);
  if (c.card.similarTo) lines.push(`      looks like ${c.card.similarTo}`);
  return lines;
}

function sourceLine(s: ReviewedSource): string[] {
  const where = `  ! ${s.name}${s.version !== undefined ? ` ${s.version}` : ''} from ${s.url} [${s.file}${s.line ? `:${s.line}` : ''}]`;
  if (!s.card) return [`${where}: CAUTION (nothing verifies what it installs)`];
  return [`${where}: ${s.card.verdict.toUpperCase()}${s.card.partial ? ' (partial)' : ''}`, ...s.card.reasons.map((r) => `      ${r}`), ...(s.card.advisories.length ? [`      advisories: ${s.card.advisories.join(', ')}`] : [])];
}

/** The whole review, then why it is partial (`partial`: reviewPartialReasons), as lines of text. */
export function pullRequestReviewText(pr: ReviewedPullRequest, review: DependencyReview, partial: readonly string[]): string {
  const title = pr.compare ? `Dependency review of ${pr.repo} ${pr.compare.base}...${pr.compare.head}` : `Dependency review of ${pr.repo}#${pr.number} (${pr.state}): ${pr.title}`;
  const lines = [title, `${pr.url} at ${pr.headSha.slice(0, 12)}`, `Verdict: ${review.verdict.toUpperCase()}${partial.length ? ' (partial)' : ''}`, ''];
  if (review.notReviewed !== undefined) lines.push(`Not reviewed: ${review.notReviewed}.`, '');
  if (review.nothingToReview !== undefined) lines.push(`Nothing to review: ${review.nothingToReview}.`, '');
  if (review.newSources.length) lines.push(`New sources outside the index (${review.newSources.length}):`, ...review.newSources.flatMap(sourceLine), '');
  if (review.newIndexUrls.length) lines.push(`New index URLs (${review.newIndexUrls.length}):`, ...review.newIndexUrls.map((i) => `  ! ${i.url} [${i.file}${i.line ? `:${i.line}` : ''}]${indexNote(i) ? `: ${indexNote(i)!}` : ''}`), '');
  if (review.submodules?.length) lines.push(`Git submodules (${review.submodules.length}):`, ...review.submodules.map((m) => `  ${m.change === 'removed' ? '-' : '!'} ${m.path} ${submoduleChangeWords(m)}`), '');
  const { moved, removed } = listedChanges(review);
  if (moved.length) lines.push(`Added and changed (${moved.length}):`, ...moved.flatMap(changeLine), '');
  if (removed.length) lines.push(`Removed (${removed.length}):`, ...removed.map((c) => `  - ${c.name}${shownSide(c, 'from') !== null ? ` ${shownSide(c, 'from')!}` : ''} [${c.file}]`), '');
  const nothingChanged = !moved.length && !removed.length && !review.newSources.length && !review.newIndexUrls.length && review.notReviewed === undefined && review.nothingToReview === undefined;
  // With files unread, "no package changed" would be a claim about files nobody read.
  if (nothingChanged) lines.push(partial.length ? 'No package changed in the files that were read.' : 'The dependency files changed, but no package did.', '');
  if (review.notes?.length) lines.push('Notes:', ...review.notes.map((n) => `  ${n}`), '');
  if (partial.length) lines.push(`PARTIAL: ${partial.length === 1 ? 'one thing was' : `${partial.length} things were`} not read or not rated:`, ...partial.map((p) => `  ${p}`), '');
  return terminalLines(lines);
}
