/**
 * Untrusted text quoted inside a message ("Invalid requirement: 'django==2.1.5 …'"), at most
 * QUOTED_INPUT_MAX characters of it. A message quotes input so its reader can find the offending
 * text, and 200 characters do that; a whole input does not: a requirements file of one 3 MB logical
 * line (continuations joined) became a 3 MB problem line in stdout, stderr, JSON, SARIF, Slack and
 * the database. The formats shorten what they print, but errors[], partial reasons and notes keep
 * the message as built, so it is bounded where it is built, by these helpers.
 * No imports, so every parser and the workers can use it without loading anything else.
 */

/** Characters of untrusted text a message quotes; the rest is cut, with "…" and the length. */
export const QUOTED_INPUT_MAX = 200;

/** At most `max` characters of `text` (a surrogate pair is never split), ending with "…" when cut. */
export function clipInput(text: string, max: number = QUOTED_INPUT_MAX): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** " (N characters)" after a quote that was cut, so a reader knows how much more there was. */
function lengthNote(text: string, max: number): string {
  return text.length > max ? ` (${text.length.toLocaleString('en-US')} characters)` : '';
}

/**
 * `text` quoted as JSON quotes a string (control characters escaped), cut to `max` characters with
 * "…" and its length when longer: `"django==2.1.5 …" (3,200,000 characters)`.
 */
export function quoteInput(text: string, max: number = QUOTED_INPUT_MAX): string {
  return `${JSON.stringify(clipInput(text, max))}${lengthNote(text, max)}`;
}

/** `text` in single quotes, as pip's messages quote it, cut the same way: `'django==2.1.5 …' (3,200,000 characters)`. */
export function singleQuoteInput(text: string, max: number = QUOTED_INPUT_MAX): string {
  return `'${clipInput(text, max)}'${lengthNote(text, max)}`;
}

/**
 * The longest message a problem keeps whole. Messages quote input through the helpers above, so
 * this only catches a place that does not (or quotes several inputs): the middle of the message is
 * cut, keeping its start (what is wrong) and its end (why, and where in the text).
 */
export const MESSAGE_MAX = 1_000;

/** `message` within MESSAGE_MAX characters, its middle cut with " … " when longer. */
export function boundMessage(message: string, max: number = MESSAGE_MAX): string {
  if (message.length <= max) return message;
  const joint = ` … (${(message.length - max).toLocaleString('en-US')} characters cut) … `;
  const keep = Math.max(0, max - joint.length);
  const head = Math.ceil((keep * 2) / 3);
  let tail = message.slice(message.length - (keep - head));
  // Never half of a surrogate pair at either cut.
  if (/^[\udc00-\udfff]/.test(tail)) tail = tail.slice(1);
  return `${clipInput(message, head).slice(0, -1)}${joint}${tail}`;
}
