/**
 * A pull request's review as a gate (`depwatch review`, in CI): what it found, each with its verdict,
 * and what it could not read or rate. Fails closed as the audit does: findings at or above the
 * threshold fail the job (1); otherwise anything not read, not rated, or rated from a card that
 * could not read everything makes the result partial (2), never a pass.
 */
import type { Verdict } from '../../packages/verdict.js';
import { changeKindLabel } from './diff.js';
import type { DependencyReview } from './review.js';

const RANK: Record<Verdict, number> = { ok: 0, caution: 1, avoid: 2 };

/** What `--fail-on` takes: the verdict that fails the job, or never. */
export type ReviewFailOn = Exclude<Verdict, 'ok'> | 'never';

/** Each thing the review rated, with its verdict: packages added or moved, new sources and index URLs, submodules that moved or were added. */
function reviewFindings(review: DependencyReview): { what: string; verdict: Verdict }[] {
  const found: { what: string; verdict: Verdict }[] = [];
  for (const c of review.changes) if (c.card) found.push({ what: `${c.name} ${changeKindLabel(c.kind)}`, verdict: c.card.verdict });
  // A new source or index URL is caution at least (nothing verifies what it serves), as the review's verdict counts it.
  for (const s of review.newSources) found.push({ what: `${s.name} from ${s.url}`, verdict: s.card?.verdict ?? 'caution' });
  for (const i of review.newIndexUrls) found.push(i.credentials ? { what: `a credential written into the index URL ${i.url}`, verdict: 'avoid' } : { what: `new index URL ${i.url}`, verdict: 'caution' });
  for (const m of review.submodules ?? []) if (m.change !== 'removed') found.push({ what: `git submodule ${m.path} ${m.change}`, verdict: 'caution' });
  return found;
}

/**
 * Why the review is partial, one line each: its errors (files not read, packages not rated, the
 * pull request not reviewed at all), and each card that could not read everything. Empty: complete.
 */
export function reviewPartialReasons(review: DependencyReview): string[] {
  const cards = [
    ...review.changes.filter((c) => c.card?.partial).map((c) => `${c.name}: its card could not read everything (its reasons say what)`),
    ...review.newSources.filter((s) => s.card?.partial).map((s) => `${s.name} from ${s.url}: its advisories could not all be read`),
  ];
  return [...review.errors, ...cards];
}

/** Whether a finding is at or above `failOn`. */
export function reviewFails(review: DependencyReview, failOn: ReviewFailOn): boolean {
  if (failOn === 'never') return false;
  return reviewFindings(review).some((f) => RANK[f.verdict] >= RANK[failOn]);
}
