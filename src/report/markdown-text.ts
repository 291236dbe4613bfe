/**
 * Text a repository (or PyPI, or OSV) controls, inside Markdown that GitHub renders: audit reports
 * (`audit --markdown`, CI summaries) and pull-request comments, which are public. A folder named
 * `[x](http://evil.example)` must show as those characters, not as a link; `a|b` must not split a
 * table row; `https://…` and `www.…` must not become links GitHub made up (its autolink extension);
 * `@team` must not notify anyone; a control character (ESC, BEL, a bidi override) must not reach
 * the terminal that shows the report or reorder the line a reviewer reads. Everything here is
 * inline: the callers put it after a list marker, a table pipe or a heading's words.
 */

import { breakGitHubReferences } from './github-references.js';
import { terminalSafe } from './terminal-text.js';

/** Line breaks, flattened to one space: every helper here writes one line. */
const LINE_BREAKS = /[\r\n\u2028\u2029]+/g;

/**
 * One line of text with its control characters (C0, DEL, C1, bidi controls) as the visible escapes
 * the terminal output shows (`\e`, `\x07`, `\u202e`: terminal-text.ts, one list for both).
 */
const oneVisibleLine = (text: string): string => terminalSafe(text.replace(LINE_BREAKS, ' '));

/**
 * ASCII punctuation that starts or ends inline Markdown (emphasis, links and images, code,
 * strikethrough, math, entities) or a table cell. CommonMark lets any ASCII punctuation be
 * backslash-escaped, and an escaped character is always literal text. `(`, `)` and `!` are left
 * as written: with `[` and `]` escaped they cannot make a link or an image.
 */
const INLINE_SYNTAX = /[\\`*_[\]|~$&]/g;

/**
 * Block markers the text could start with, after the caller's list marker or pipe: `- > x` is a
 * quote in a list item, `- - x` a list in it, `- 1. x` an ordered one, `- # x` a heading. Their
 * last character is escaped.
 */
const LEADING_BLOCK = /^\s*(?:[-+=]|#{1,6}|\d{1,9}[.)])(?=\s|$)|^\s*>/;

/**
 * A zero-width space after an `@`: GitHub reads `@name` as a mention wherever its text does once
 * rendered, and no Markdown escape stops it (`\@team` and the entity `&#64;team` both still notify
 * the team: github/cmark-gfm#181), nor does a code span in the plain text of an e-mail reply, which
 * GitHub reads for mentions again. An invisible character between `@` and the name breaks the
 * mention everywhere, rendered or not, and shows the text as written (backticks around it would
 * change how it looks, and not stop the e-mail's mention). U+200B, as Dependabot and Renovate do.
 */
const ZERO_WIDTH_SPACE = '\u200B';

/**
 * `text` with every `@` that could start a mention followed by a zero-width space: an `@` after a
 * word character (`git@github.com`) starts none, and is left as written, so a URL or an address in
 * a code span can still be copied as it is. An `@` after another `@` does (`@@team` mentions the
 * team: to GitHub `@` is not a word character).
 */
const breakMentions = (text: string): string => text.replace(/(?<!\w)@(?=[A-Za-z0-9])/g, `@${ZERO_WIDTH_SPACE}`);

/**
 * `text` as literal Markdown inline text on one line: syntax characters backslash-escaped, `<` as
 * an entity, every `@` followed by a zero-width space (no HTML, no mention, no e-mail autolink), a leading `>`, `-` or `1.` escaped, the `:` of `scheme://` and the dot of
 * `www.` escaped (GitHub's autolinks start at those), line breaks flattened to a space, other control
 * characters shown as escapes (oneVisibleLine; their backslash is then escaped like any other).
 * `#12`, `GH-3`, commit hashes and `:emoji:` broken by zero-width spaces too (github-references.ts):
 * GitHub makes those of the rendered text, where no escape is left. Code spans need none of that:
 * GitHub makes no reference or emoji in code, and a path or a version copied from one stays whole.
 */
export function markdownText(text: string): string {
  return breakGitHubReferences(oneVisibleLine(text))
    .replace(INLINE_SYNTAX, (c) => `\\${c}`)
    .replace(LEADING_BLOCK, (marker) => `${marker.slice(0, -1)}\\${marker.slice(-1)}`)
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/\b(www)\./gi, '$1\\.')
    .replace(/</g, '&lt;')
    .replace(/@/g, `@${ZERO_WIDTH_SPACE}`);
}

/**
 * Inline code that shows `text` as written: a fence longer than the longest backtick run inside,
 * with a space on each side when it holds backticks (CommonMark strips one).
 * Code spans take no other escapes, so only line breaks are flattened (`<2.2` stays `<2.2`) and
 * control characters shown as escapes (oneVisibleLine: a code span passes them through raw), and an
 * `@` that could start a mention gets its zero-width space (breakMentions): the reports are posted
 * as pull-request comments, whose e-mail copies GitHub reads for mentions again.
 */
export function markdownCode(text: string): string {
  // The zero-width spaces are ours, added after the text's own were made visible.
  const s = breakMentions(oneVisibleLine(text));
  let longest = 0;
  for (const run of s.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  // With backticks inside, spaces keep one at either end from joining the fence.
  const pad = longest > 0 ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/**
 * Depwatch's own sentence, which may hold code spans of its own ("run `depwatch db sync`"), with
 * text from a repository or a service inside it: escaped as markdownText outside the spans, so the
 * sentence's commands read as code and not as "\`depwatch db sync\`". A backtick pair that came
 * from the untrusted part only makes a code span, which shows its text as written: inside every span
 * control characters are shown as escapes, an `@` gets its zero-width space (breakMentions), pipes
 * are escaped (GFM tables split on them even in code) and line breaks flattened. An unmatched
 * backtick run is text. Linear: the closing run of each is found in one pass from the end.
 */
export function markdownTextWithCode(s: string): string {
  let out = '';
  let from = 0;
  const runs = [...s.matchAll(/`+/g)];
  const nextSameLength: number[] = new Array<number>(runs.length);
  const lastSeen = new Map<number, number>();
  for (let i = runs.length - 1; i >= 0; i--) {
    const length = runs[i]![0].length;
    nextSameLength[i] = lastSeen.get(length) ?? -1;
    lastSeen.set(length, i);
  }
  for (let i = 0; i < runs.length; i++) {
    const open = runs[i]!;
    const closeAt = nextSameLength[i]!;
    if (closeAt < 0) continue;
    const close = runs[closeAt]!;
    const end = close.index! + close[0].length;
    out += markdownText(s.slice(from, open.index)) + breakMentions(oneVisibleLine(s.slice(open.index, end))).replace(/\|/g, '\\|');
    from = end;
    i = closeAt;
  }
  return out + markdownText(s.slice(from));
}

/**
 * Inline code in a GFM table cell: the table splits its row at every unescaped `|`, inside code
 * spans too, and gives a `\|` back as `|`. Outside tables a `\|` would show as written.
 */
export const markdownCellCode = (text: string): string => markdownCode(text).replace(/\|/g, '\\|');

/**
 * A URL as a link destination: `(`, `)`, spaces and `<>` percent-encoded, so a path holding `)`
 * cannot end the destination early and leave the rest as text.
 */
export const markdownUrl = (url: string): string => url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
