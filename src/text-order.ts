/**
 * Names, ids and paths in the order of Unicode's root collation: what `localeCompare` gives on an
 * English or C-locale machine, which reports have always used (which of a package's files is its
 * primary place, and so which file a finding names and a path-scoped ignore must match, follow from
 * it). Without starting ICU for the strings reports hold: printable ASCII is compared here, from the
 * root collation's order of those characters (punctuation, digits, then letters with case a
 * difference only when nothing else differs); anything else goes to a collator of that same root
 * order, made on first need. Either way the answer is the same on every machine, whatever its locale
 * (a default collator under `da_DK` put `aa…` after `z…`).
 */

/** Printable ASCII in root collation order; a letter's two cases share a place. */
const ROOT_ORDER = ' _-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$0123456789aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ';

/** The first-level weight of each printable ASCII character (255: not printable ASCII). */
const PRIMARY = new Uint8Array(128).fill(255);
{
  let weight = 0;
  for (let i = 0; i < ROOT_ORDER.length; i++) {
    const c = ROOT_ORDER.charCodeAt(i);
    const upperOfPrevious = c >= 0x41 && c <= 0x5a && ROOT_ORDER.charCodeAt(i - 1) === c + 0x20;
    PRIMARY[c] = upperOfPrevious ? weight - 1 : weight++;
  }
}

let collator: Intl.Collator | undefined;

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Negative, zero or positive, as `new Intl.Collator('en').compare(a, b)`. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  if (!isPrintableAscii(a) || !isPrintableAscii(b)) return (collator ??= new Intl.Collator('en')).compare(a, b);
  // Letters first, case-blind; a string that is the start of the other comes first; then case, lower first.
  let byCase = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const pa = PRIMARY[ca]!;
    const pb = PRIMARY[cb]!;
    if (pa !== pb) return pa < pb ? -1 : 1;
    if (byCase === 0) byCase = ca > cb ? -1 : 1; // same letter: the lower case (the higher code) first
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return byCase;
}

/**
 * Negative, zero or positive by UTF-16 code units, as `<` and a plain `sort()` order strings: for
 * ids, paths and keys whose order only has to be the same on every run and every machine, where
 * nobody reads the order as alphabetical (those go through compareText).
 */
export const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Whether compareText orders every two of `texts` as compareCodeUnits does, so a native `sort()`
 * (no comparison called back into JavaScript) gives compareText's order: true when they are all
 * digits, `-` and lower-case letters (normalized package names), or all digits, `-` and upper-case
 * letters (advisory ids). In both orders `-` comes before digits and digits before letters, and
 * a text before the longer texts it starts; letters of one case never tie case-blind.
 */
export function ordersByCodeUnits(texts: Iterable<string>): boolean {
  let lower = true;
  let upper = true;
  for (const text of texts) {
    lower &&= LOWER_CODE_UNIT_SAFE.test(text);
    upper &&= UPPER_CODE_UNIT_SAFE.test(text);
    if (!lower && !upper) return false;
  }
  return true;
}

const LOWER_CODE_UNIT_SAFE = /^[a-z0-9-]*$/;
const UPPER_CODE_UNIT_SAFE = /^[A-Z0-9-]*$/;
