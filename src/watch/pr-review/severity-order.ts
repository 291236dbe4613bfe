/**
 * The order a review lists its added and changed packages in, and how it counts those a list had no
 * room for. Most severe first (avoid, not rated, caution, then ok; partial before complete within
 * each), so when a comment or a card must stop early it is the ok ones it leaves out, never a
 * package that needs looking at. Pure: the comment (src/report) and the card (src/slack) share it.
 */
import type { DependencyReview, ReviewedChange } from './review.js';

/** A change's verdict as the lists say it: a change with no card is "not rated". */
export type ListedVerdict = 'avoid' | 'not rated' | 'caution' | 'ok';

const RANK: Record<ListedVerdict, number> = { avoid: 0, 'not rated': 1, caution: 2, ok: 3 };

export const listedVerdict = (c: ReviewedChange): ListedVerdict => c.card?.verdict ?? 'not rated';

/** The changes most severe first; changes of the same rank keep the review's order (stable). */
function mostSevereFirst(changes: readonly ReviewedChange[]): ReviewedChange[] {
  const rank = (c: ReviewedChange) => RANK[listedVerdict(c)] * 2 + (c.card?.partial ? 0 : 1);
  return changes.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map(({ c }) => c);
}

/** The review's packages as every list of it shows them: added and changed most severe first, then the removed in the review's order. */
export function listedChanges(review: Pick<DependencyReview, 'changes'>): { moved: ReviewedChange[]; removed: ReviewedChange[] } {
  return { moved: mostSevereFirst(review.changes.filter((c) => c.kind !== 'removed')), removed: review.changes.filter((c) => c.kind === 'removed') };
}

/** "128 ok, 2 caution": how many of each verdict, most severe first. */
export function verdictCounts(changes: readonly ReviewedChange[]): string {
  const counts = new Map<ListedVerdict, number>();
  for (const c of changes) counts.set(listedVerdict(c), (counts.get(listedVerdict(c)) ?? 0) + 1);
  return (Object.keys(RANK) as ListedVerdict[]).filter((v) => counts.has(v)).map((v) => `${counts.get(v)!} ${v}`).join(', ');
}
