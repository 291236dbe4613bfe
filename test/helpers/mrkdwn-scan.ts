/**
 * What Slack would read as mrkdwn in what the app sends, and whether hostile input got through it
 * unescaped. mrkdwn is a message's `text` (unless `mrkdwn: false`), every `{type: 'mrkdwn'}` text
 * object (sections, fields, context, confirm dialogs), a file's `initial_comment`, and the same in
 * response_url answers and acks. plain_text objects, input values, button values and metadata are
 * shown (or kept) as they are and never notify anyone, so they are not scanned.
 */
import type { FakeSlack } from '../fakes/slack-api.js';

/** Text a person or a repository might write, meant to notify, mention or phish when unescaped. */
export const HOSTILE = '<!channel> <!here> <@U0EVIL666> <https://evil.example/x|click> & <#C0EVIL666>';

/** What an unescaped HOSTILE leaves in mrkdwn: Slack control sequences nobody in the app writes. */
export const HOSTILE_MARKERS = ['<!channel', '<!here', '<@U0EVIL666', '<https://evil.example', '<#C0EVIL666'] as const;

/** Keys whose strings Slack never renders as mrkdwn (ids, values, metadata, URLs). */
const NOT_RENDERED = new Set(['action_id', 'block_id', 'callback_id', 'external_id', 'value', 'initial_value', 'private_metadata', 'url', 'image_url', 'ts', 'thread_ts', 'channel', 'user', 'trigger_id', 'response_url', 'initial_user', 'initial_date']);

function walk(value: unknown, out: string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, out);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  if (o.type === 'plain_text') return;
  if (o.type === 'mrkdwn' && typeof o.text === 'string') {
    out.push(o.text);
    return;
  }
  for (const [key, v] of Object.entries(o)) {
    // A bare string `text` belongs to an object we do not render (a message's own is read by mrkdwnOf).
    if (NOT_RENDERED.has(key) || (key === 'text' && typeof v === 'string')) continue;
    walk(v, out);
  }
}

/** The mrkdwn of one message-like payload: `{ text, blocks }`, a view, an ack or a response_url body. */
export function mrkdwnOf(payload: unknown): string[] {
  const out: string[] = [];
  if (!payload || typeof payload !== 'object') return out;
  const p = payload as Record<string, unknown>;
  if (typeof p.text === 'string' && p.mrkdwn !== false) out.push(p.text);
  if (typeof p.initial_comment === 'string') out.push(p.initial_comment);
  walk(p.blocks, out);
  walk(p.view, out);
  walk(p.attachments, out);
  // A view itself (views.open params carry `view`; a layout test passes the view).
  if (p.type === 'modal' || p.type === 'home') walk(p.blocks, out);
  return out;
}

/** Every mrkdwn string the fake received: Web API calls and response_url posts. */
export function mrkdwnSentTo(slack: FakeSlack): { via: string; text: string }[] {
  const sent: { via: string; text: string }[] = [];
  for (const call of slack.calls) for (const text of mrkdwnOf(call.params)) sent.push({ via: call.method, text });
  for (const response of slack.responses) for (const text of mrkdwnOf(response.body)) sent.push({ via: 'response_url', text });
  return sent;
}

/** The places where a hostile marker appears unescaped, with a little context. */
export function unescapedHostile(texts: readonly (string | { via: string; text: string })[]): string[] {
  const found: string[] = [];
  for (const item of texts) {
    const text = typeof item === 'string' ? item : item.text;
    for (const marker of HOSTILE_MARKERS) {
      const at = text.indexOf(marker);
      if (at >= 0) found.push(`${typeof item === 'string' ? '' : `${item.via}: `}…${text.slice(Math.max(0, at - 60), at + 40)}…`);
    }
  }
  return found;
}
