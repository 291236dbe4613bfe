/**
 * Text for a terminal from what a repository controls: file names, manifest and code content quoted
 * in messages. A terminal acts on control characters (ESC starts sequences that clear the screen,
 * recolour or hide text; C1's CSI is ESC [ in one byte; a line break or U+2028/U+2029 starts a new
 * line), so a file named "\e[2J…\nfake: all clear.py" could clear the screen or forge a report line.
 * The text formats and stderr pass every line through terminalSafe, at the output (the data itself
 * stays as it is: JSON and SARIF escape these characters by their own rules).
 */

/**
 * C0 controls (line breaks and ESC among them), DEL, C1 controls, the line and paragraph
 * separators, the bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C), which
 * make a line read in another order than it is written ("Trojan Source", CVE-2021-42574), and the
 * zero-width characters (U+200B–U+200D, U+2060, U+FEFF), which make `requirem\u200bents.txt` look
 * exactly like `requirements.txt`.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

const hex = (code: number, digits: number) => code.toString(16).padStart(digits, '0');

/** One control character as a visible escape (`\e`, `\n`, `\x9b`, `\u202e`): the CLI's, and Slack's (src/slack/blocks/mrkdwn.ts). */
export const visibleEscape = (c: string): string => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${hex(c.charCodeAt(0), 2)}` : `\\u${hex(c.charCodeAt(0), 4)}`);

/**
 * One line as a terminal may show it: each control character shown as a visible escape (`\e`,
 * `\n`, `\r`, `\t`, `\x9b`, `\u2028`, `\u202e`), everything else unchanged.
 */
export function terminalSafe(line: string): string {
  return line.replace(CONTROL, visibleEscape);
}

/**
 * What a reader cannot see in text that may have lines: CONTROL but the line break and the tab,
 * which only lay text out. For formats that keep lines (Slack mrkdwn, SARIF message text).
 */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;

/** `text` with its invisible characters (INVISIBLE) shown as visible escapes, its lines kept. */
export const showInvisible = (text: string): string => text.replace(INVISIBLE, visibleEscape);

/** Lines made safe, each ended by a line break: the only line breaks in the result. */
export const terminalLines = (lines: readonly string[]): string => lines.map((l) => `${terminalSafe(l)}\n`).join('');
