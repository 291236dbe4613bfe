/**
 * Slash-command text as the person typed it. Slack carries all its text in one escaping system
 * (api.slack.com "Formatting text … Escaping text"): `&`, `<` and `>` are its control characters,
 * so in a command's `text` beside real markup (`<@U123|alice>` mentions, `<https://…>` links, with
 * should_escape) a typed `&`, `<` or `>` arrives as `&amp;`, `&lt;` or `&gt;`. Decoded once, where
 * the text enters, so titles, reasons and length limits see what was typed; everything shown back
 * is escaped again on the way out (blocks/mrkdwn.ts), so a typed `<!channel>` still notifies nobody.
 */
const ENTITY = /&(amp|lt|gt);/g;
const CHARACTER: Record<string, string> = { amp: '&', lt: '<', gt: '>' };

export function commandText(text: string): string {
  // One pass: "&amp;lt;" (a typed "&lt;") becomes "&lt;", not "<".
  return text.replace(ENTITY, (_, name: string) => CHARACTER[name] ?? '');
}
