/**
 * The one way user and repository text becomes Slack mrkdwn.
 *
 * mrkdwn is what Slack parses in a message's `text`, in `mrkdwn` text objects (section text and
 * fields, context elements, confirm dialogs) and in ephemeral and response_url answers. In it `<…>`
 * is a control sequence: `<!channel>` / `<!here>` notify everyone, `<@U…>` a person, `<#C…>` names a
 * channel and `<https://x|label>` is a link whose label can say anything. Slack's rule is to escape
 * exactly `&`, `<` and `>` (as `&amp;`, `&lt;`, `&gt;`); nothing else needs it.
 *
 * plain_text (headers, button labels, modal titles, option text, input labels and values) is shown
 * character for character and never notifies anyone: do NOT escape it, or readers see `&lt;`; its
 * invisible controls alone are shown (showInvisibleControls, which kit.ts's plainText applies).
 *
 * Every repository name, branch, path, package, advisory summary (OSV text is untrusted too), title,
 * reason and anything else a person or a repository wrote goes through `escapeMrkdwn`, directly or
 * through the `md` template, which escapes every interpolated value unless it is already `Mrkdwn`:
 *
 *   section(md`Ignore ${advisoryId} in *${repo}*, by ${md.user(userId)}: ${md.link(url, label)}`)
 *
 * Both write the value on one line: its line breaks (and tabs) are shown as `\n` (`\t`), as the
 * CLI shows them. A path, a name or a quoted reason is one thing; let its line break through and
 * the folder `a\n:white_check_mark: *No known vulnerabilities*\nx` prints a line of its own that
 * reads like Depwatch's verdict. Text that is meant to have lines (an incident summary a person
 * typed, a drill's briefing, Depwatch's own composed paragraphs) opts in: `escapeMrkdwnLines`, or
 * `md.lines(text)` inside the template.
 */

import { showInvisible, visibleEscape } from '../../report/terminal-text.js';

/** What lays text out on several lines: shown as escapes in text that is one thing (escapeMrkdwn). */
const LAYOUT = /[\n\t]/g;

/**
 * Shows what changes how the text around it reads without being seen, and nothing else: the bidi
 * controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+200E/U+200F and
 * U+061C marks) turn `PYSEC-1 ‮evil‬` into text that reads in another order than it is written;
 * the zero-width characters (U+200B–U+200D, U+2060, U+FEFF) make `requirem\u200bents.txt` look
 * like `requirements.txt`; C0 and C1 controls (but the line break and the tab, which only lay text
 * out) and the line and paragraph separators. Shown as the CLI's visible escapes (`\u202e`, `\e`:
 * terminal-text.ts's showInvisible, one list for every format), so the reader sees they are there.
 * What plain_text needs (headers, button labels, option texts, modal titles, inputs' initial
 * values), which Slack shows character for character.
 */
export function showInvisibleControls(text: string): string {
  return showInvisible(text);
}

/**
 * Text that may have lines (an incident summary, a drill's inject, Depwatch's own paragraphs) as
 * mrkdwn: the three characters Slack's mrkdwn treats as control characters escaped, invisible
 * controls (showInvisibleControls) shown as visible escapes, line breaks and tabs kept.
 */
export function escapeMrkdwnLines(text: string): string {
  return showInvisibleControls(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

/**
 * Text that is one thing (a path, a name, a branch, an id, a quoted reason, a summary) as mrkdwn
 * on one line: escaped as escapeMrkdwnLines, and its line breaks and tabs shown as `\n` and `\t`
 * too, so that it cannot start a line that reads as Depwatch's own.
 */
export function escapeMrkdwn(text: string): string {
  return escapeMrkdwnLines(text).replace(LAYOUT, visibleEscape);
}

/**
 * Formatting characters (`*bold*`, `_italic_`, `~strike~`, `` `code` ``) that could open or close
 * formatting: next to the start or the end of the text, or to anything but a letter or a digit
 * (`requirements_dev.txt` formats nothing and stays as it is). Inside a link's label Slack formats
 * them like anywhere else, so an alias `*bold*` would show bold in the link that names it.
 */
const FORMATTING_AT_EDGE = /(?<![\p{L}\p{N}])[*_~`]|[*_~`](?![\p{L}\p{N}])/gu;
const LOOK_ALIKE: Record<string, string> = { '*': '∗', _: 'ˍ', '~': '∼', '`': 'ˋ' };

/**
 * Text that is one thing, for a message's `text` (what notifications, screen readers and search
 * show): escaped as escapeMrkdwn, and its formatting characters that could open or close formatting
 * shown as look-alikes, as in a link's label. Slack formats `*bold*` in `text` too and has no escape
 * for it; a package, path or advisory id written `*so*` would read as Depwatch's emphasis there.
 */
export function escapeMrkdwnText(text: string): string {
  return escapeMrkdwn(text).replace(FORMATTING_AT_EDGE, (c) => LOOK_ALIKE[c] ?? c);
}

/** A piece of mrkdwn that is safe to send as it is (built by `md` and its helpers). */
export class Mrkdwn {
  private constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
  /** @internal Only this module vouches for text. */
  static vouch(text: string): Mrkdwn {
    return new Mrkdwn(text);
  }
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

/** Text as mrkdwn: Mrkdwn stays as it is, anything else is escaped. */
function piece(value: unknown): string {
  if (value instanceof Mrkdwn) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  return escapeMrkdwn(value === null || value === undefined ? '' : String(value));
}

/**
 * A URL for a `<url|label>` link: only http(s), and the characters that would end or split the
 * link (`<`, `>`, `|`, spaces, control characters) percent-encoded. Null for anything else.
 */
export function safeLinkUrl(url: string): string | null {
  if (!/^https?:\/\//i.test(url)) return null;
  return url.replace(/[<>|\s"\u0000-\u001f\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

interface MdTag {
  (strings: TemplateStringsArray, ...values: unknown[]): Mrkdwn;
  /**
   * A message's `text` (notifications, fallback): as the template, every interpolated value that is
   * not Mrkdwn escaped with escapeMrkdwnText (its formatting characters shown as look-alikes).
   */
  fallback(strings: TemplateStringsArray, ...values: unknown[]): Mrkdwn;
  /**
   * A link with an escaped label on one line, its formatting characters shown as look-alikes; the
   * label alone (escaped, on one line) when the URL is not http(s).
   */
  link(url: string, label: string): Mrkdwn;
  /** A mention of a person; a user id that is not one is shown as escaped text. */
  user(id: string): Mrkdwn;
  /** A mention of a channel (shown with its name); anything that is not a channel id as escaped text. */
  channel(id: string): Mrkdwn;
  /** A date Slack shows in each reader's time zone, `fallback` where it can't. */
  date(at: Date, format: string, fallback: string): Mrkdwn;
  /** Developer-written mrkdwn (constants, formatting): vouched for, not escaped. */
  raw(text: string): Mrkdwn;
  /** Escaped text on one line (the same as interpolating it). */
  text(value: string): Mrkdwn;
  /** Escaped text that keeps its line breaks (escapeMrkdwnLines): only for text meant to have lines. */
  lines(value: string): Mrkdwn;
  /** Parts joined by a separator of ours (its line breaks kept), each part escaped on one line unless it is Mrkdwn. */
  join(parts: readonly (Mrkdwn | string)[], separator: string | Mrkdwn): Mrkdwn;
}

function mdTemplate(strings: TemplateStringsArray, ...values: unknown[]): Mrkdwn {
  return fillTemplate(piece, strings, values);
}

function fillTemplate(escape: (value: unknown) => string, strings: TemplateStringsArray, values: unknown[]): Mrkdwn {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += escape(value) + (strings[i + 1] ?? '');
  });
  return Mrkdwn.vouch(out);
}

/** Text for a message's `text` as mrkdwn: Mrkdwn stays as it is, anything else escaped with escapeMrkdwnText. */
function textPiece(value: unknown): string {
  if (value instanceof Mrkdwn) return value.text;
  if (Array.isArray(value)) return value.map(textPiece).join('');
  return escapeMrkdwnText(value === null || value === undefined ? '' : String(value));
}

/**
 * Builds mrkdwn from a template literal: the literal parts are ours (formatting, emoji), every
 * interpolated value is escaped unless it is Mrkdwn already. Arrays are joined without separators.
 */
export const md: MdTag = Object.assign(mdTemplate, {
  fallback(strings: TemplateStringsArray, ...values: unknown[]): Mrkdwn {
    return fillTemplate(textPiece, strings, values);
  },
  link(url: string, label: string): Mrkdwn {
    const safe = safeLinkUrl(url);
    if (!safe) return Mrkdwn.vouch(escapeMrkdwn(label));
    // `|` in a label would start a second label, and Slack formats a label's `*…*`: look-alikes
    // keep the text readable and plain.
    const text = escapeMrkdwn(label).replace(/\|/g, '¦').replace(FORMATTING_AT_EDGE, (c) => LOOK_ALIKE[c] ?? c);
    return Mrkdwn.vouch(`<${safe}|${text}>`);
  },
  user(id: string): Mrkdwn {
    return Mrkdwn.vouch(USER_ID.test(id) ? `<@${id}>` : escapeMrkdwn(id));
  },
  channel(id: string): Mrkdwn {
    return Mrkdwn.vouch(CHANNEL_ID.test(id) ? `<#${id}>` : escapeMrkdwn(id));
  },
  date(at: Date, format: string, fallback: string): Mrkdwn {
    const ms = at.getTime();
    if (Number.isNaN(ms)) return Mrkdwn.vouch(escapeMrkdwn(fallback));
    return Mrkdwn.vouch(`<!date^${Math.floor(ms / 1000)}^${format.replace(/[<>|]/g, '')}|${escapeMrkdwn(fallback)}>`);
  },
  raw(text: string): Mrkdwn {
    return Mrkdwn.vouch(text);
  },
  text(value: string): Mrkdwn {
    return Mrkdwn.vouch(escapeMrkdwn(value));
  },
  lines(value: string): Mrkdwn {
    return Mrkdwn.vouch(escapeMrkdwnLines(value));
  },
  join(parts: readonly (Mrkdwn | string)[], separator: string | Mrkdwn): Mrkdwn {
    return Mrkdwn.vouch(parts.map(piece).join(separator instanceof Mrkdwn ? separator.text : escapeMrkdwnLines(separator)));
  },
});

/** Whether `id` is a Slack user id (safe inside `<@…>`). */
export function isUserId(id: unknown): id is string {
  return typeof id === 'string' && USER_ID.test(id);
}

/** Whether `id` is a Slack channel, group or DM id (safe inside `<#…>`). */
export function isChannelId(id: unknown): id is string {
  return typeof id === 'string' && CHANNEL_ID.test(id);
}
