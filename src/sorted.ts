/**
 * The one binary search the code needs: over a sorted list, where a test that holds for the first
 * entries and for none after them stops holding (`(i) => starts[i] <= offset` over a line-start
 * list). Lines, spans and nestings are looked up this way in many places; writing the loop each
 * time gave several slightly different ones (inclusive and exclusive bounds, `+ 1` rounding), each
 * an off-by-one waiting to happen.
 */

/**
 * The first index in [from, to) at which `holds(index)` is false, or `to` when it holds throughout:
 * how many entries from `from` on pass the test, plus `from`. `holds` must be true for a prefix of
 * the range and false after it. O(log n) calls.
 */
export function partitionPoint(from: number, to: number, holds: (index: number) => boolean): number {
  let low = from;
  let high = to;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (holds(mid)) low = mid + 1;
    else high = mid;
  }
  return low;
}
