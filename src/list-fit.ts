/**
 * A list cut to a room of characters, at whole items, saying how many it left out: what a Slack
 * message (src/slack/blocks/kit.ts) and a GitHub comment (src/report/pr-review.ts) both need, so a
 * list shortened to fit says so and nothing is cut silently.
 */

/** What to say about the items a list left out; `left` is how many. */
export interface ListFit {
  /** Characters the list may take in all, `more` included. */
  room: number;
  more: (left: number) => string;
  /** Items listed at most, however much room there is. */
  max?: number;
  /** Items left out before the list was made (a query that returns the first 40): counted in `more` too. */
  alsoLeft?: number;
}

/**
 * How many of `items` fit whole in `fit.room`, each followed by `gap` characters of separator,
 * with room left for the "…and N more" that then says how many did not. Order is kept: the first
 * item that does not fit ends the list, even when a shorter one after it would fit.
 */
export function countFitting(items: readonly string[], gap: number, fit: ListFit): number {
  const most = Math.min(items.length, fit.max ?? Number.POSITIVE_INFINITY);
  let used = 0;
  for (let i = 0; i < most; i++) {
    const left = items.length - i - 1 + (fit.alsoLeft ?? 0);
    const tail = left > 0 ? fit.more(left).length + gap : 0;
    const size = (items[i] ?? '').length + gap;
    if (used + size + tail > fit.room) return i;
    used += size;
  }
  return most;
}

/** The items that fit (countFitting), then `fit.more(left)` when some did not, and how many were left out. */
export function fitList(items: readonly string[], gap: number, fit: ListFit): { kept: string[]; left: number } {
  const kept = countFitting(items, gap, fit);
  const left = items.length - kept + (fit.alsoLeft ?? 0);
  return { kept: [...items.slice(0, kept), ...(left > 0 ? [fit.more(left)] : [])], left };
}
